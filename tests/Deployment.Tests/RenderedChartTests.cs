using System.Text.Json;
using System.Text.Json.Nodes;

namespace PolyAi.Messaging.Deployment.Tests;

/// <summary>The chart linted and rendered by helm for every region, and what it renders checked object by object.</summary>
public sealed class RenderedChartTests
{
    public static TheoryData<string> Regions => new(Repo.Regions);

    public static TheoryData<string> Variants => new(Chart.Variants);

    [Theory]
    [MemberData(nameof(Regions))]
    public async Task Helm_lint_passes_strictly_for_every_region(string region)
    {
        var run = await Tools.RunAsync(Tools.Helm, ["lint", "--strict", Repo.Chart, "--namespace", Chart.Namespace, "--values", Path.Combine(Repo.Chart, $"values-{region}.yaml")]);
        Assert.True(run.ExitCode == 0, $"helm lint {region}:{System.Environment.NewLine}{run.Printed}");
    }

    [Theory]
    [MemberData(nameof(Variants))]
    public async Task Every_rendered_object_satisfies_its_schema(string variant)
    {
        var rendering = await Chart.RenderVariantAsync(variant);
        Assert.All(rendering.Objects, o => Assert.Equal(Chart.Namespace, o.Object["metadata"]?["namespace"]?.GetValue<string>() ?? Chart.Namespace));
        await ManifestSchemas.AssertValidAsync(variant, rendering.Objects.Select(o => (o.Source, o.Object)));
    }

    [Fact]
    public async Task The_schema_check_rejects_a_misspelled_field_a_wrong_type_a_bad_name_and_a_kind_it_has_no_schema_for()
    {
        var rendering = await Chart.RenderAsync("dev");
        var deployment = rendering.Get("Deployment", Rendering.FullName("agent"));

        var misspelled = (JsonObject)deployment.DeepClone();
        var container = misspelled["spec"]!["template"]!["spec"]!["containers"]![0]!.AsObject();
        container["readinesProbe"] = container["readinessProbe"]!.DeepClone();
        container.Remove("readinessProbe");

        var wrongType = (JsonObject)deployment.DeepClone();
        wrongType["spec"]!["revisionHistoryLimit"] = "5";

        var badName = (JsonObject)deployment.DeepClone();
        badName["metadata"]!["name"] = "PolyAI_Agent";

        var unknownKind = (JsonObject)deployment.DeepClone();
        unknownKind["kind"] = "Deploymnt";

        var rule = (JsonObject)rendering.OfKind("PrometheusRule").Single().DeepClone();
        rule["spec"]!["groups"]![0]!["rules"]![0]!["fore"] = "5m";

        var resiliency = (JsonObject)rendering.OfKind("Resiliency").Single().DeepClone();
        resiliency["spec"]!["policies"]!["timeouts"]!["sidecarCall"] = "5";

        var results = await ManifestSchemas.ValidateAsync(new[] { deployment, misspelled, wrongType, badName, unknownKind, rule, resiliency }.Select(o => ("test", o)));
        Assert.Empty(results[0].Errors);
        Assert.Contains(results[1].Errors, e => e.Contains("/spec/template/spec/containers/0/readinesProbe is not a field of Deployment", StringComparison.Ordinal));
        Assert.Contains(results[2].Errors, e => e.Contains("/spec/revisionHistoryLimit must be integer", StringComparison.Ordinal));
        Assert.Contains(results[3].Errors, e => e.Contains("/metadata/name", StringComparison.Ordinal));
        Assert.Contains(results[4].Errors, e => e.Contains("no schema for apiVersion \"apps/v1\" kind \"Deploymnt\"", StringComparison.Ordinal));
        Assert.Contains(results[5].Errors, e => e.Contains("/spec/groups/0/rules/0/fore is not a field of PrometheusRule", StringComparison.Ordinal));
        Assert.Contains(results[6].Errors, e => e.Contains("/spec/policies/timeouts/sidecarCall must match pattern", StringComparison.Ordinal));
    }

    [Theory]
    [MemberData(nameof(Regions))]
    public async Task The_chart_renders_every_kind_the_issue_asks_for(string region)
    {
        var kinds = (await Chart.RenderAsync(region)).Objects.Select(o => o.Kind).ToHashSet();
        string[] expected =
        [
            "Deployment", "Service", "ServiceAccount", "PodDisruptionBudget", "NetworkPolicy", "Ingress", "ServiceMonitor",
            "PodMonitor", "PrometheusRule", "ConfigMap", "Component", "Configuration", "Resiliency",
        ];
        Assert.All(expected, kind => Assert.Contains(kind, kinds));
        // The HPAs where autoscaling is on (all but dev), the HTTPRoute where the gateway is (below).
        Assert.Equal(region != "dev", kinds.Contains("HorizontalPodAutoscaler"));
        Assert.DoesNotContain("HTTPRoute", kinds);
    }

    [Fact]
    public async Task With_the_gateway_on_an_httproute_sends_the_public_host_to_the_edge_service()
    {
        var rendering = await Chart.RenderVariantAsync("us-1+every-option");
        var route = rendering.OfKind("HTTPRoute").Single();
        Assert.Equal("gateway.networking.k8s.io/v1", route["apiVersion"]!.GetValue<string>());
        Assert.Equal(["messaging.us-1.polyai.example"], route["spec"]!["hostnames"]!.AsArray().Select(h => h!.GetValue<string>()));
        var backend = route["spec"]!["rules"]![0]!["backendRefs"]!.AsArray().Single()!;
        var edge = rendering.Get("Service", backend["name"]!.GetValue<string>());
        Assert.Equal(Rendering.FullName("edge"), backend["name"]!.GetValue<string>());
        Assert.Contains(edge["spec"]!["ports"]!.AsArray(), p => p!["port"]!.GetValue<long>() == backend["port"]!.GetValue<long>());
        Assert.Equal(3, rendering.OfKind("HorizontalPodAutoscaler").Count());
    }

    [Fact]
    public async Task With_an_app_token_secret_the_sidecars_send_it_and_the_subscribers_read_it_from_the_same_secret()
    {
        var rendering = await Chart.RenderVariantAsync("us-1+every-option");
        foreach (var service in (string[])["agent", "handoff"])
        {
            var template = rendering.Get("Deployment", Rendering.FullName(service))["spec"]!["template"]!;
            Assert.Equal("polyai-messaging-app-token", template["metadata"]!["annotations"]!["dapr.io/app-token-secret"]!.GetValue<string>());
            var env = template["spec"]!["containers"]!.AsArray().Single()!["env"]!.AsArray();
            var token = env.Single(e => e!["name"]!.GetValue<string>() == "APP_API_TOKEN")!["valueFrom"]!["secretKeyRef"]!;
            Assert.Equal("polyai-messaging-app-token", token["name"]!.GetValue<string>());
            Assert.Equal("token", token["key"]!.GetValue<string>());
        }

        var edge = rendering.Get("Deployment", Rendering.FullName("edge"))["spec"]!["template"]!["spec"]!["containers"]!.AsArray().Single()!;
        Assert.DoesNotContain(edge["env"]!.AsArray(), e => e!["name"]!.GetValue<string>() == "APP_API_TOKEN");
        var plain = await Chart.RenderVariantAsync("dev");
        Assert.Null(plain.Get("Deployment", Rendering.FullName("agent"))["spec"]!["template"]!["metadata"]!["annotations"]!["dapr.io/app-token-secret"]);
    }

    [Theory]
    [InlineData("us-1")]
    [InlineData("uk-1")]
    [InlineData("euw-1")]
    public async Task In_production_the_agent_sends_and_the_handoff_checks_the_same_grpc_token_secret(string region)
    {
        var rendering = await Chart.RenderVariantAsync(region);
        string? SettingOf(string service) =>
            rendering.Get("Deployment", Rendering.FullName(service))["spec"]!["template"]!["spec"]!["containers"]!.AsArray().Single()!["env"]!
                .AsArray().SingleOrDefault(e => e!["name"]!.GetValue<string>() == "Handoff__RpcTokenSecret")?["value"]!.GetValue<string>();

        Assert.Equal("polyai-messaging/handoff-rpc", SettingOf("agent"));
        Assert.Equal("polyai-messaging/handoff-rpc", SettingOf("handoff"));
        Assert.Null(SettingOf("verifier"));
        Assert.Null(SettingOf("edge"));
    }

    [Theory]
    [MemberData(nameof(Variants))]
    public async Task Pods_run_restricted_with_probes_on_healthz(string variant)
    {
        var deployments = (await Chart.RenderVariantAsync(variant)).OfKind("Deployment").ToList();
        Assert.Equal(Repo.Services.Select(Rendering.FullName), deployments.Select(d => d["metadata"]!["name"]!.GetValue<string>()));
        foreach (var deployment in deployments)
        {
            var pod = deployment["spec"]!["template"]!["spec"]!;
            Assert.True(pod["securityContext"]!["runAsNonRoot"]!.GetValue<bool>());
            Assert.Equal("RuntimeDefault", pod["securityContext"]!["seccompProfile"]!["type"]!.GetValue<string>());
            Assert.False(pod["automountServiceAccountToken"]!.GetValue<bool>());
            var container = pod["containers"]!.AsArray().Single()!;
            var security = container["securityContext"]!;
            Assert.True(security["readOnlyRootFilesystem"]!.GetValue<bool>());
            Assert.False(security["allowPrivilegeEscalation"]!.GetValue<bool>());
            Assert.Equal(["ALL"], security["capabilities"]!["drop"]!.AsArray().Select(c => c!.GetValue<string>()));
            foreach (var probe in (string[])["startupProbe", "readinessProbe", "livenessProbe"])
            {
                Assert.Equal("/healthz", container[probe]!["httpGet"]!["path"]!.GetValue<string>());
                Assert.Equal("http", container[probe]!["httpGet"]!["port"]!.GetValue<string>());
            }

            Assert.Contains(container["ports"]!.AsArray(), p => p!["name"]!.GetValue<string>() == "http");
            // The only writable path is the /tmp emptyDir.
            var mount = container["volumeMounts"]!.AsArray().Single()!;
            Assert.Equal("/tmp", mount["mountPath"]!.GetValue<string>());
            Assert.NotNull(pod["volumes"]!.AsArray().Single(v => v!["name"]!.GetValue<string>() == mount["name"]!.GetValue<string>())!["emptyDir"]);
        }
    }

    [Theory]
    [MemberData(nameof(Regions))]
    public async Task The_edge_reaches_every_yarp_cluster_and_the_agent_the_handoff_grpc_port_through_their_services(string region)
    {
        var rendering = await Chart.RenderAsync(region);
        var edge = JsonNode.Parse(File.ReadAllText(Path.Combine(Repo.Root, "services", "Edge", "appsettings.json")))!;
        var edgeEnv = ContainerEnvironment(rendering, "edge");
        foreach (var (cluster, settings) in edge["ReverseProxy"]!["Clusters"]!.AsObject())
        {
            foreach (var (destination, _) in settings!["Destinations"]!.AsObject())
            {
                var address = new Uri(edgeEnv[$"ReverseProxy__Clusters__{cluster}__Destinations__{destination}__Address"]);
                AssertServiceListens(rendering, address, "http");
                Assert.Equal(Rendering.FullName(cluster), address.Host);
            }
        }

        var agent = JsonNode.Parse(File.ReadAllText(Path.Combine(Repo.Root, "services", "Agent", "appsettings.json")))!;
        Assert.NotNull(agent["Handoff"]?["GrpcAddress"]);
        var grpc = new Uri(ContainerEnvironment(rendering, "agent")["Handoff__GrpcAddress"]);
        Assert.Equal(Rendering.FullName("handoff"), grpc.Host);
        AssertServiceListens(rendering, grpc, "grpc");

        // The handoff listens for gRPC (HTTP/2 only) on the port its Service and NetworkPolicy name grpc.
        var handoff = ContainerEnvironment(rendering, "handoff");
        Assert.Equal(grpc.Port, new Uri(handoff["Kestrel__Endpoints__Grpc__Url"]).Port);
        Assert.Equal("Http2", handoff["Kestrel__Endpoints__Grpc__Protocols"]);
        var policy = rendering.Get("NetworkPolicy", Rendering.FullName("handoff") + "-grpc-from-agent");
        Assert.Equal("agent", policy["spec"]!["ingress"]![0]!["from"]![0]!["podSelector"]!["matchLabels"]!["app.kubernetes.io/name"]!.GetValue<string>());
        Assert.Equal("grpc", policy["spec"]!["ingress"]![0]!["ports"]![0]!["port"]!.GetValue<string>());
    }

    [Theory]
    [MemberData(nameof(Regions))]
    public async Task Metrics_are_scraped_on_a_port_of_their_own_that_the_public_routes_never_name(string region)
    {
        var rendering = await Chart.RenderAsync(region);
        var monitor = rendering.OfKind("ServiceMonitor").Single();
        var scraped = monitor["spec"]!["endpoints"]!.AsArray().Single()!;
        Assert.Equal("metrics", scraped["port"]!.GetValue<string>());
        foreach (var service in Repo.Services)
        {
            // Each service listens for /metrics where its Service's "metrics" port leads, and not on "http".
            var url = new Uri(ContainerEnvironment(rendering, service)["Metrics__Url"]);
            AssertServiceListens(rendering, new Uri($"http://{Rendering.FullName(service)}:{url.Port}"), "metrics");
            var ports = rendering.Get("Service", Rendering.FullName(service))["spec"]!["ports"]!.AsArray();
            Assert.NotEqual(url.Port, ports.Single(p => p!["name"]!.GetValue<string>() == "http")!["port"]!.GetValue<long>());
        }

        // The Ingress (and the HTTPRoute, in its variant) reach only the edge's http port.
        var ingress = rendering.OfKind("Ingress").Single();
        var backends = ingress["spec"]!["rules"]!.AsArray().SelectMany(r => r!["http"]!["paths"]!.AsArray()).Select(p => p!["backend"]!["service"]!).ToList();
        Assert.All(backends, b => Assert.Equal("http", b["port"]!["name"]!.GetValue<string>()));
        var withGateway = await Chart.RenderVariantAsync("us-1+every-option");
        var route = withGateway.OfKind("HTTPRoute").Single()["spec"]!["rules"]![0]!["backendRefs"]!.AsArray().Single()!;
        var edgePorts = withGateway.Get("Service", Rendering.FullName("edge"))["spec"]!["ports"]!.AsArray();
        Assert.Equal("http", edgePorts.Single(p => p!["port"]!.GetValue<long>() == route["port"]!.GetValue<long>())!["name"]!.GetValue<string>());

        // Only the monitoring namespace may open the metrics port; the ingress controller only http.
        var fromMonitoring = rendering.Get("NetworkPolicy", Chart.Release + "-from-monitoring")["spec"]!["ingress"]![0]!["ports"]!.AsArray();
        Assert.Contains(fromMonitoring, p => p!["port"]!.ToString() == "metrics");
        Assert.DoesNotContain(fromMonitoring, p => p!["port"]!.ToString() == "http");
        // Behind that Ingress the edge takes the caller's address from the hop the ingress appended.
        Assert.Equal("true", ContainerEnvironment(rendering, "edge")["ASPNETCORE_FORWARDEDHEADERS_ENABLED"]);
        Assert.All(Repo.Services.Where(s => s != "edge"), s => Assert.False(ContainerEnvironment(rendering, s).ContainsKey("ASPNETCORE_FORWARDEDHEADERS_ENABLED")));
        var fromIngress = rendering.Get("NetworkPolicy", Rendering.FullName("edge") + "-public")["spec"]!["ingress"]![0]!["ports"]!.AsArray();
        Assert.Equal(["http"], fromIngress.Select(p => p!["port"]!.ToString()));
    }

    /// <summary>Per open stream and at idle, measured by tools/LoadTest (docs/performance.md, "open streams at the caps").</summary>
    private static readonly Dictionary<string, (double BaseMiB, double PerStreamKiB)> MeasuredStreamCost = new()
    {
        ["edge"] = (120, 30),
        ["agent"] = (145, 40),
    };

    [Theory]
    [MemberData(nameof(Regions))]
    public async Task Memory_limits_hold_the_streams_each_service_admits_at_its_caps_with_a_quarter_to_spare(string region)
    {
        var rendering = await Chart.RenderAsync(region);
        var edgeSettings = JsonNode.Parse(File.ReadAllText(Path.Combine(Repo.Root, "services", "Edge", "appsettings.json")))!;
        var chatOptions = File.ReadAllText(Path.Combine(Repo.Root, "services", "Agent", "Chat", "ChatOptions.cs"));
        var caps = new Dictionary<string, int>
        {
            ["edge"] = edgeSettings["Kestrel"]!["Limits"]!["MaxConcurrentConnections"]!.GetValue<int>(),
            ["agent"] = int.Parse(System.Text.RegularExpressions.Regex.Match(chatOptions, @"MaxStreams \{ get; set; \} = ([0-9_]+);").Groups[1].Value.Replace("_", "", StringComparison.Ordinal), System.Globalization.CultureInfo.InvariantCulture),
        };
        foreach (var (service, cap) in caps)
        {
            var (baseMiB, perStreamKiB) = MeasuredStreamCost[service];
            var limit = rendering.Get("Deployment", Rendering.FullName(service))["spec"]!["template"]!["spec"]!["containers"]![0]!["resources"]!["limits"]!["memory"]!.GetValue<string>();
            var needed = (baseMiB + (cap * perStreamKiB / 1024)) * 1.25;
            Assert.True(MiB(limit) >= needed, $"{service}: limit {limit} < {needed:0} MiB for {cap} streams");
        }
    }

    private static double MiB(string quantity) => quantity switch
    {
        _ when quantity.EndsWith("Gi", StringComparison.Ordinal) => double.Parse(quantity[..^2], System.Globalization.CultureInfo.InvariantCulture) * 1024,
        _ when quantity.EndsWith("Mi", StringComparison.Ordinal) => double.Parse(quantity[..^2], System.Globalization.CultureInfo.InvariantCulture),
        _ => throw new FormatException($"unexpected quantity {quantity}"),
    };

    [Fact]
    public async Task The_dashboard_configmap_holds_the_dashboard_file_and_it_is_valid_grafana_json()
    {
        var rendering = await Chart.RenderAsync("dev");
        var configMap = rendering.Get("ConfigMap", $"{Chart.Release}-dashboard");
        Assert.Equal("1", configMap["metadata"]!["labels"]!["grafana_dashboard"]!.GetValue<string>());
        var file = File.ReadAllText(Path.Combine(Repo.Chart, "dashboards", "polyai-messaging.json"));
        var embedded = configMap["data"]!["polyai-messaging.json"]!.GetValue<string>();
        Assert.True(JsonNode.DeepEquals(JsonNode.Parse(file), JsonNode.Parse(embedded)), "The ConfigMap's dashboard differs from dashboards/polyai-messaging.json");

        using var dashboard = JsonDocument.Parse(embedded);
        Assert.Equal("polyai-messaging", dashboard.RootElement.GetProperty("uid").GetString());
        var panels = dashboard.RootElement.GetProperty("panels").EnumerateArray().ToList();
        Assert.True(panels.Count >= 10);
        Assert.Equal(panels.Count, panels.Select(p => p.GetProperty("id").GetInt32()).Distinct().Count());
    }

    /// <summary>The env of a service's container, by name (every value literal).</summary>
    /// <summary>The container's plain values (entries read from a Secret through valueFrom are left out).</summary>
    private static Dictionary<string, string> ContainerEnvironment(Rendering rendering, string service) =>
        rendering.Get("Deployment", Rendering.FullName(service))["spec"]!["template"]!["spec"]!["containers"]![0]!["env"]!.AsArray()
            .Where(e => e!["value"] is not null)
            .ToDictionary(e => e!["name"]!.GetValue<string>(), e => e!["value"]!.GetValue<string>());

    /// <summary>The address is a rendered Service's port with that name, and the Service's pods listen on it.</summary>
    private static void AssertServiceListens(Rendering rendering, Uri address, string portName)
    {
        var service = rendering.Get("Service", address.Host);
        var port = service["spec"]!["ports"]!.AsArray().Single(p => p!["port"]!.GetValue<long>() == address.Port)!;
        Assert.Equal(portName, port["name"]!.GetValue<string>());
        var deployment = rendering.Get("Deployment", address.Host);
        var selector = service["spec"]!["selector"]!.AsObject();
        var podLabels = deployment["spec"]!["template"]!["metadata"]!["labels"]!.AsObject();
        Assert.All(selector, label => Assert.Equal(label.Value!.GetValue<string>(), podLabels[label.Key]?.GetValue<string>()));
        var containerPort = deployment["spec"]!["template"]!["spec"]!["containers"]![0]!["ports"]!.AsArray()
            .Single(p => p!["name"]!.GetValue<string>() == port["targetPort"]!.GetValue<string>())!;
        Assert.Equal(address.Port, containerPort["containerPort"]!.GetValue<long>());
    }
}

using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;

namespace PolyAi.Messaging.Deployment.Tests;

/// <summary>
/// Helm is not on the build machines, so templates cannot be rendered here (.ci/run runs helm lint and kubeconform
/// where they exist). What can be checked statically: every values key a template reads exists in values.yaml,
/// actions are balanced, files the templates load exist, and every kind the chart promises is there.
/// </summary>
public sealed partial class ChartTemplateTests
{
    private static readonly JsonObject Values = Yaml.LoadObject(Path.Combine(Repo.Chart, "values.yaml"));

    // Variables the templates bind to a part of the values: $svc = one service, $d = dapr, $r = dapr.resiliency,
    // $a = monitoring.alerts.
    private static readonly Dictionary<string, Func<IEnumerable<JsonNode>>> Bindings = new()
    {
        ["$svc"] = () => Repo.Services.Select(s => Values["services"]![s]!),
        ["$d"] = () => [Values["dapr"]!],
        ["$r"] = () => [Values["dapr"]!["resiliency"]!],
        ["$a"] = () => [Values["monitoring"]!["alerts"]!],
    };

    public static TheoryData<string> Templates => new(Directory.EnumerateFiles(Repo.ChartTemplates, "*.*", SearchOption.AllDirectories)
        .Select(f => Path.GetRelativePath(Repo.ChartTemplates, f)).Order());

    [Theory]
    [MemberData(nameof(Templates))]
    public void Every_values_key_a_template_reads_exists_in_values_yaml(string template)
    {
        var text = File.ReadAllText(Path.Combine(Repo.ChartTemplates, template));
        foreach (Match action in Action().Matches(text))
        {
            foreach (Match reference in ValuesReference().Matches(action.Value))
            {
                var path = reference.Groups["path"].Value.Split('.');
                Assert.True(Exists(Values, path), $"{template}: .Values.{reference.Groups["path"].Value} is not in values.yaml");
            }

            foreach (Match reference in VariableReference().Matches(action.Value))
            {
                var variable = reference.Groups["var"].Value;
                if (!Bindings.TryGetValue(variable, out var roots))
                {
                    continue;
                }

                var path = reference.Groups["path"].Value.Split('.');
                // A service-only key (the handoff's grpcPort) is read behind an "if", so one binding holding it is enough.
                Assert.True(roots().Any(root => Exists(root, path)), $"{template}: {variable}.{reference.Groups["path"].Value} is not in values.yaml");
            }
        }
    }

    [Theory]
    [MemberData(nameof(Templates))]
    public void Every_template_balances_its_blocks(string template)
    {
        var text = File.ReadAllText(Path.Combine(Repo.ChartTemplates, template));
        Assert.Equal(Count(text, "{{"), Count(text, "}}"));
        var opened = BlockStart().Count(text);
        var closed = BlockEnd().Count(text);
        Assert.True(opened == closed, $"{template}: {opened} if/range/with/define, {closed} end");
    }

    [Fact]
    public void Files_the_templates_load_exist_and_the_dashboard_is_valid_grafana_json()
    {
        foreach (var file in Directory.EnumerateFiles(Repo.ChartTemplates, "*.yaml", SearchOption.AllDirectories))
        {
            foreach (Match load in FilesGet().Matches(File.ReadAllText(file)))
            {
                Assert.True(File.Exists(Path.Combine(Repo.Chart, load.Groups[1].Value)), $"{file} loads missing {load.Groups[1].Value}");
            }
        }

        using var dashboard = JsonDocument.Parse(File.ReadAllText(Path.Combine(Repo.Chart, "dashboards", "polyai-messaging.json")));
        Assert.Equal("polyai-messaging", dashboard.RootElement.GetProperty("uid").GetString());
        var panels = dashboard.RootElement.GetProperty("panels").EnumerateArray().ToList();
        Assert.True(panels.Count >= 10);
        Assert.Equal(panels.Count, panels.Select(p => p.GetProperty("id").GetInt32()).Distinct().Count());
    }

    [Theory]
    [InlineData("Deployment")]
    [InlineData("Service")]
    [InlineData("ServiceAccount")]
    [InlineData("HorizontalPodAutoscaler")]
    [InlineData("PodDisruptionBudget")]
    [InlineData("NetworkPolicy")]
    [InlineData("Ingress")]
    [InlineData("HTTPRoute")]
    [InlineData("ServiceMonitor")]
    [InlineData("PodMonitor")]
    [InlineData("PrometheusRule")]
    [InlineData("ConfigMap")]
    [InlineData("Component")]
    [InlineData("Configuration")]
    [InlineData("Resiliency")]
    public void The_chart_renders_every_kind_the_issue_asks_for(string kind)
    {
        var all = string.Join('\n', Directory.EnumerateFiles(Repo.ChartTemplates, "*.yaml", SearchOption.AllDirectories).Select(File.ReadAllText));
        Assert.Matches(new Regex($"^kind: {kind}$", RegexOptions.Multiline), all);
    }

    [Fact]
    public void Pods_run_restricted_with_probes_on_healthz()
    {
        var deployments = File.ReadAllText(Path.Combine(Repo.ChartTemplates, "deployments.yaml"));
        Assert.Equal(3, Regex.Count(deployments, @"httpGet: \{ path: /healthz, port: http \}"));
        var container = Values["pod"]!["containerSecurityContext"]!;
        Assert.True(container["readOnlyRootFilesystem"]!.GetValue<bool>());
        Assert.False(container["allowPrivilegeEscalation"]!.GetValue<bool>());
        Assert.Equal("ALL", container["capabilities"]!["drop"]![0]!.GetValue<string>());
        var pod = Values["pod"]!["securityContext"]!;
        Assert.True(pod["runAsNonRoot"]!.GetValue<bool>());
        Assert.Equal("RuntimeDefault", pod["seccompProfile"]!["type"]!.GetValue<string>());
    }

    [Fact]
    public void The_edge_reaches_every_yarp_cluster_and_the_agent_the_handoff_grpc_port_through_their_services()
    {
        var deployments = File.ReadAllText(Path.Combine(Repo.ChartTemplates, "deployments.yaml"));
        var edge = JsonNode.Parse(File.ReadAllText(Path.Combine(Repo.Root, "services", "Edge", "appsettings.json")))!;
        foreach (var (cluster, settings) in edge["ReverseProxy"]!["Clusters"]!.AsObject())
        {
            foreach (var (destination, _) in settings!["Destinations"]!.AsObject())
            {
                Assert.Contains($"- name: ReverseProxy__Clusters__{cluster}__Destinations__{destination}__Address", deployments, StringComparison.Ordinal);
            }
        }

        var agent = JsonNode.Parse(File.ReadAllText(Path.Combine(Repo.Root, "services", "Agent", "appsettings.json")))!;
        Assert.NotNull(agent["Handoff"]?["GrpcAddress"]);
        Assert.Contains("- name: Handoff__GrpcAddress", deployments, StringComparison.Ordinal);
        Assert.Contains("$.Values.services.handoff.grpcPort", deployments, StringComparison.Ordinal);
    }

    [Fact]
    public void Every_service_has_a_dockerfile_that_publishes_and_runs_as_non_root()
    {
        foreach (var service in new[] { "Edge", "Verifier", "Agent", "Handoff" })
        {
            var dockerfile = File.ReadAllText(Path.Combine(Repo.Root, "services", service, "Dockerfile"));
            Assert.Contains("dotnet publish", dockerfile, StringComparison.Ordinal);
            Assert.Equal(2, Regex.Count(dockerfile, "^FROM ", RegexOptions.Multiline));
            Assert.Matches(new Regex(@"^USER [1-9][0-9]*", RegexOptions.Multiline), dockerfile);
            Assert.Contains($"\"{service}.dll\"", dockerfile, StringComparison.Ordinal);
        }

        Assert.True(File.Exists(Path.Combine(Repo.Root, ".dockerignore")));
    }

    [Fact]
    public void Skaffold_builds_the_four_images_the_chart_expects_and_has_a_profile_per_region()
    {
        var skaffold = Yaml.LoadObject(Path.Combine(Repo.Root, "skaffold.yaml"));
        var images = skaffold["build"]!["artifacts"]!.AsArray().Select(a => a!["image"]!.GetValue<string>());
        Assert.Equal(Repo.Services.Select(s => Values["services"]![s]!["image"]!["repository"]!.GetValue<string>()), images);
        var profiles = skaffold["profiles"]!.AsArray().Select(p => p!["name"]!.GetValue<string>());
        Assert.Equal(Repo.Regions, profiles);
        var forward = skaffold["portForward"]!.AsArray().Single()!;
        Assert.Equal("polyai-messaging-edge", forward["resourceName"]!.GetValue<string>());
        foreach (var region in Repo.Regions)
        {
            Assert.True(File.Exists(Path.Combine(Repo.Chart, $"values-{region}.yaml")));
        }
    }

    private static bool Exists(JsonNode node, IEnumerable<string> path)
    {
        var current = node;
        foreach (var key in path)
        {
            if (current is not JsonObject obj || !obj.TryGetPropertyValue(key, out var next))
            {
                return false;
            }

            current = next!;
            if (current is null)
            {
                return true;
            }
        }

        return true;
    }

    private static int Count(string text, string token) => Regex.Count(text, Regex.Escape(token));

    [GeneratedRegex(@"\{\{.*?\}\}", RegexOptions.Singleline)]
    private static partial Regex Action();

    [GeneratedRegex(@"\.Values\.(?<path>[A-Za-z0-9_]+(\.[A-Za-z0-9_]+)*)")]
    private static partial Regex ValuesReference();

    [GeneratedRegex(@"(?<var>\$[A-Za-z]+)\.(?<path>[A-Za-z0-9_]+(\.[A-Za-z0-9_]+)*)")]
    private static partial Regex VariableReference();

    [GeneratedRegex(@"\{\{-?\s*(if|range|with|define)\b")]
    private static partial Regex BlockStart();

    [GeneratedRegex(@"\{\{-?\s*end\b")]
    private static partial Regex BlockEnd();

    [GeneratedRegex(@"\.Files\.Get ""([^""]+)""")]
    private static partial Regex FilesGet();
}

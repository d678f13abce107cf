using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using PolyAi.Messaging.Contracts;
using PolyAi.Messaging.DevStack;

namespace PolyAi.Messaging.Deployment.Tests;

/// <summary>The Dapr resources use the names the code uses and give each app id only what it needs.</summary>
public sealed partial class DaprResourceTests
{
    private static readonly string[] ComponentNames = [Topics.PubSub, new TenancyOptions().StateStore, new TenancyOptions().SecretStore];

    private static List<JsonObject> Resources(string folder) =>
        Directory.EnumerateFiles(folder, "*.yaml").Order().SelectMany(Yaml.LoadAll).Cast<JsonObject>().ToList();

    private static IEnumerable<JsonObject> OfKind(IEnumerable<JsonObject> resources, string kind) =>
        resources.Where(r => r["kind"]?.GetValue<string>() == kind);

    private static string Name(JsonObject resource) => resource["metadata"]!["name"]!.GetValue<string>();

    private static string[] Strings(JsonNode? array) => array?.AsArray().Select(n => n!.GetValue<string>()).ToArray() ?? [];

    [Fact]
    public void The_app_ids_are_the_ones_DevStack_gives_the_services() =>
        Assert.Equal(DevStackHost.DaprApps, Repo.DaprAppIds);

    [Fact]
    public void The_names_are_the_ones_the_code_uses()
    {
        Assert.Equal(["pubsub", "statestore", "secretstore"], ComponentNames);
        var verifier = JsonNode.Parse(File.ReadAllText(Path.Combine(Repo.Root, "services", "Verifier", "appsettings.json")))!["Verifier"]!;
        Assert.Equal(Topics.PubSub, verifier["PubSub"]!.GetValue<string>());
        Assert.Equal(new TenancyOptions().StateStore, verifier["StateStore"]!.GetValue<string>());
    }

    [Theory]
    [InlineData("kubernetes")]
    [InlineData("local")]
    public void Every_file_parses_and_every_component_is_one_the_code_uses(string folder)
    {
        var resources = Resources(Path.Combine(Repo.Root, "components", folder));
        Assert.All(resources, r => Assert.StartsWith("dapr.io/", r["apiVersion"]!.GetValue<string>(), StringComparison.Ordinal));
        var components = OfKind(resources, "Component").ToList();
        Assert.All(components, c => Assert.Contains(Name(c), ComponentNames));
        Assert.All(components, c => Assert.Equal("v1", c["spec"]!["version"]!.GetValue<string>()));
        foreach (var name in ComponentNames)
        {
            Assert.Contains(components, c => Name(c) == name);
        }
    }

    [Fact]
    public void Kubernetes_components_are_scoped_to_real_app_ids_and_secrets_only_to_their_readers()
    {
        var components = OfKind(Resources(Repo.KubernetesComponents), "Component").ToList();
        foreach (var component in components)
        {
            var scopes = Strings(component["scopes"]);
            Assert.NotEmpty(scopes);
            Assert.All(scopes, s => Assert.Contains(s, Repo.DaprAppIds));
            var expected = Name(component) == "secretstore" ? SecretPrefixes.Keys.ToArray() : Repo.DaprAppIds;
            Assert.Equal(expected.Order(), scopes.Order());
        }
    }

    [Fact]
    public void Both_pubsub_choices_exist_redis_for_dev_and_sns_sqs_with_dead_letters_for_regions()
    {
        var pubsubs = OfKind(Resources(Repo.KubernetesComponents), "Component").Where(c => Name(c) == "pubsub").ToList();
        Assert.Equal(["pubsub.aws.snssqs", "pubsub.redis"], pubsubs.Select(p => p["spec"]!["type"]!.GetValue<string>()).Order());
        var snssqs = Metadata(pubsubs.Single(p => p["spec"]!["type"]!.GetValue<string>() == "pubsub.aws.snssqs"));
        Assert.False(string.IsNullOrEmpty(snssqs["sqsDeadLettersQueueName"]));
        Assert.True(int.Parse(snssqs["messageReceiveLimit"]!, System.Globalization.CultureInfo.InvariantCulture) > 0);
        Assert.DoesNotContain("accessKey", snssqs.Keys);
        Assert.DoesNotContain("secretKey", snssqs.Keys);
    }

    [Fact]
    public void The_secret_store_is_aws_secrets_manager_with_irsa_and_no_keys()
    {
        var store = OfKind(Resources(Repo.KubernetesComponents), "Component").Single(c => Name(c) == "secretstore");
        Assert.Equal("secretstores.aws.secretmanager", store["spec"]!["type"]!.GetValue<string>());
        var metadata = Metadata(store);
        Assert.Equal("true", metadata["multipleKeyValuesPerSecret"]);
        Assert.DoesNotContain("accessKey", metadata.Keys);
        Assert.DoesNotContain("secretKey", metadata.Keys);
    }

    [Fact]
    public void State_is_shared_without_an_app_id_prefix()
    {
        var store = OfKind(Resources(Repo.KubernetesComponents), "Component").Single(c => Name(c) == "statestore");
        Assert.Equal("none", Metadata(store)["keyPrefix"]);
    }

    [Fact]
    public void Each_app_has_a_configuration_whose_secret_scopes_allow_only_what_it_needs()
    {
        var configurations = OfKind(Resources(Repo.KubernetesComponents), "Configuration").ToDictionary(Name);
        Assert.Equal(Repo.DaprAppIds.Order(), configurations.Keys.Order());
        foreach (var (app, configuration) in configurations)
        {
            var scopes = configuration["spec"]!["secrets"]!["scopes"]!.AsArray().Select(s => s!.AsObject())
                .ToDictionary(s => s["storeName"]!.GetValue<string>());
            Assert.Equal("deny", scopes["kubernetes"]["defaultAccess"]!.GetValue<string>());
            var secrets = scopes["secretstore"];
            var readsSecrets = SecretPrefixes.ContainsKey(app);
            Assert.Equal(readsSecrets ? "allow" : "deny", secrets["defaultAccess"]!.GetValue<string>());
            Assert.Empty(Strings(secrets["allowedSecrets"]));
            Assert.NotNull(configuration["spec"]!["tracing"]!["samplingRate"]);
        }
    }

    [Theory]
    [InlineData("kubernetes")]
    [InlineData("local")]
    public void Resiliency_targets_existing_components_with_defined_policies(string folder)
    {
        var resources = Resources(Path.Combine(Repo.Root, "components", folder));
        var resiliency = OfKind(resources, "Resiliency").Single();
        var policies = resiliency["spec"]!["policies"]!.AsObject();
        var components = resiliency["spec"]!["targets"]!["components"]!.AsObject();
        Assert.NotNull(components["pubsub"]!["inbound"]!["retry"]);
        foreach (var (component, target) in components)
        {
            Assert.Contains(component, ComponentNames);
            foreach (var direction in target!.AsObject())
            {
                foreach (var (kind, policy) in direction.Value!.AsObject())
                {
                    var section = kind switch { "retry" => "retries", "timeout" => "timeouts", "circuitBreaker" => "circuitBreakers", _ => kind };
                    Assert.True(policies[section]?[policy!.GetValue<string>()] is not null, $"{component}.{direction.Key}.{kind}: no policy {policy}");
                }
            }
        }

        Assert.All(Strings(resiliency["scopes"]), s => Assert.Contains(s, Repo.DaprAppIds));
        if (folder == "kubernetes")
        {
            Assert.NotNull(components["statestore"]!["outbound"]!["circuitBreaker"]);
            Assert.NotNull(components["pubsub"]!["outbound"]!["timeout"]);
        }
    }

    public static TheoryData<string> Regions => new(Repo.Regions);

    [Theory]
    [MemberData(nameof(Regions))]
    public async Task The_chart_renders_the_same_component_names_and_a_configuration_per_app(string region)
    {
        var rendering = await Chart.RenderAsync(region);
        var components = rendering.OfKind("Component").ToList();
        Assert.Equal(ComponentNames.Order(), components.Select(Name).Order());
        var pubsub = components.Single(c => Name(c) == Topics.PubSub)["spec"]!["type"]!.GetValue<string>();
        Assert.Equal(region == "dev" ? "pubsub.redis" : "pubsub.aws.snssqs", pubsub);
        Assert.All(components, c => Assert.All(Strings(c["scopes"]), s => Assert.Contains(s, Repo.DaprAppIds)));

        Assert.Equal(Repo.DaprAppIds.Order(), rendering.OfKind("Configuration").Select(Name).Order());
        foreach (var service in Repo.Services)
        {
            var annotations = rendering.Get("Deployment", Rendering.FullName(service))["spec"]!["template"]!["metadata"]!["annotations"]?.AsObject();
            string? Annotation(string name) => annotations?[name]?.GetValue<string>();
            if (!Repo.DaprAppIds.Contains(service))
            {
                Assert.Null(Annotation("dapr.io/enabled"));
                continue;
            }

            Assert.Equal("true", Annotation("dapr.io/enabled"));
            Assert.Equal(service, Annotation("dapr.io/app-id"));
            Assert.Equal(service, Annotation("dapr.io/config"));
            Assert.Equal("http", Annotation("dapr.io/app-protocol"));
            Assert.Equal("/healthz", Annotation("dapr.io/app-health-check-path"));
        }

        Assert.Equal(Repo.DaprAppIds, Strings(rendering.OfKind("Resiliency").Single()["scopes"]));
    }

    [Theory]
    [InlineData("kubernetes")]
    [InlineData("local")]
    public async Task Every_plain_resource_file_satisfies_the_dapr_schemas(string folder)
    {
        var files = Directory.EnumerateFiles(Path.Combine(Repo.Root, "components", folder), "*.yaml").Order();
        await ManifestSchemas.AssertValidAsync($"components/{folder}",
            files.SelectMany(f => Yaml.LoadAll(f).Select(o => (Path.GetRelativePath(Repo.Root, f), (JsonObject)o!))));
    }

    [Fact]
    public async Task The_subscription_schema_accepts_a_declarative_subscription_and_refuses_a_misspelled_field()
    {
        // Nothing declares a Subscription today (the services subscribe programmatically); the schema is ready for one.
        JsonObject Subscription() => new()
        {
            ["apiVersion"] = "dapr.io/v2alpha1",
            ["kind"] = "Subscription",
            ["metadata"] = new JsonObject { ["name"] = "agent-genesys-notifications" },
            ["spec"] = new JsonObject
            {
                ["pubsubname"] = Topics.PubSub,
                ["topic"] = Topics.GenesysNotifications,
                ["routes"] = new JsonObject { ["default"] = "/genesys-notifications" },
                ["deadLetterTopic"] = Topics.GenesysNotificationsDeadLetter,
            },
            ["scopes"] = new JsonArray("agent"),
        };
        var misspelled = Subscription();
        misspelled["spec"]!["deadLetterTopik"] = misspelled["spec"]!["deadLetterTopic"]!.DeepClone();
        misspelled["spec"]!.AsObject().Remove("deadLetterTopic");

        var results = await ManifestSchemas.ValidateAsync([("test", Subscription()), ("test", misspelled)]);
        Assert.Empty(results[0].Errors);
        Assert.Contains(results[1].Errors, e => e.Contains("must NOT have additional properties: deadLetterTopik", StringComparison.Ordinal));
    }

    /// <summary>
    /// Secret scopes take exact names only, so a reader's store is open and its IAM role limits it to a prefix: the
    /// tenant's main secret (webhook, Genesys OAuth) to verifier and handoff, the tenant's LLM key to the agent.
    /// </summary>
    private static readonly Dictionary<string, string> SecretPrefixes = new()
    {
        ["verifier"] = "tenants/",
        ["agent"] = "llm/",
        ["handoff"] = "tenants/",
    };

    [Fact]
    public void The_secret_prefixes_are_the_ones_the_code_reads()
    {
        Assert.StartsWith(SecretPrefixes["verifier"], new TenantKey("a", "p", "e").SecretName, StringComparison.Ordinal);
        var llmBrain = File.ReadAllText(Path.Combine(Repo.Root, "services", "Agent", "Brains", "LlmBrain.cs"));
        Assert.Contains($"public const string SecretPrefix = \"{SecretPrefixes["agent"]}\";", llmBrain, StringComparison.Ordinal);
        Assert.Contains("DefaultSecretName(tenant.Key)", llmBrain, StringComparison.Ordinal);
        Assert.DoesNotContain(".SecretName", llmBrain, StringComparison.Ordinal);
    }

    [Fact]
    public async Task The_agent_may_read_only_llm_secrets_and_verifier_and_handoff_only_tenant_secrets()
    {
        // Chart: each reader's prefix, and every template renders the store open only where a prefix is set.
        var services = Yaml.LoadObject(Path.Combine(Repo.Chart, "values.yaml"))["services"]!.AsObject();
        Assert.Equal("", services["edge"]!["dapr"]!["secretsPrefix"]!.GetValue<string>());
        foreach (var (app, prefix) in SecretPrefixes)
        {
            Assert.Equal(prefix, services[app]!["dapr"]!["secretsPrefix"]!.GetValue<string>());
            // The IAM role the values document for it: its prefix, never the other one.
            var role = AwsRoleComment(Path.Combine(Repo.Chart, "values.yaml"), app);
            Assert.Contains($"secret:{prefix}*", role, StringComparison.Ordinal);
            Assert.DoesNotContain($"secret:{Other(prefix)}* ", role + " ", StringComparison.Ordinal);
        }

        // Rendered, in every region: the store is open to (and scoped to) exactly the apps with a prefix, each
        // Configuration naming its IAM limit.
        foreach (var region in Repo.Regions)
        {
            var rendering = await Chart.RenderAsync(region);
            var store = rendering.Get("Component", "secretstore");
            Assert.Equal(SecretPrefixes.Keys.Order(), Strings(store["scopes"]).Order());
            foreach (var (app, prefix) in SecretPrefixes)
            {
                var configuration = rendering.Document("Configuration", app);
                var scopes = configuration.Object["spec"]!["secrets"]!["scopes"]!.AsArray().ToDictionary(s => s!["storeName"]!.GetValue<string>());
                Assert.Equal("allow", scopes["secretstore"]!["defaultAccess"]!.GetValue<string>());
                Assert.Empty(Strings(scopes["secretstore"]!["allowedSecrets"]));
                var limits = IamLimit().Matches(configuration.Text).Select(m => m.Groups[1].Value).ToList();
                Assert.Equal([prefix], limits);
            }
        }

        // Plain files: each Configuration names the IAM limit of its app.
        foreach (var (app, prefix) in SecretPrefixes)
        {
            var text = File.ReadAllText(Path.Combine(Repo.KubernetesComponents, $"configuration-{app}.yaml"));
            var limits = IamLimit().Matches(text).Select(m => m.Groups[1].Value).ToList();
            Assert.Equal([prefix], limits);
        }

        // The README's IAM part says the same.
        var readme = File.ReadAllText(Path.Combine(Repo.Root, "README.md"));
        var deploy = readme[readme.IndexOf("## Deploy", StringComparison.Ordinal)..];
        var iam = deploy[deploy.IndexOf("- an IAM role per service", StringComparison.Ordinal)..];
        iam = iam[..iam.IndexOf("\n- ", StringComparison.Ordinal)];
        Assert.Contains("verifier and handoff `secretsmanager:GetSecretValue` on `secret:tenants/*` only", iam, StringComparison.Ordinal);
        Assert.Contains("agent `secretsmanager:GetSecretValue` on `secret:llm/*` only", iam, StringComparison.Ordinal);
    }

    private static string Other(string prefix) => prefix == "llm/" ? "tenants/" : "llm/";

    /// <summary>The comment lines right above a service's awsRoleArn in values.yaml.</summary>
    private static string AwsRoleComment(string valuesFile, string service)
    {
        var lines = File.ReadAllLines(valuesFile);
        var start = Array.IndexOf(lines, $"  {service}:");
        var arn = Array.FindIndex(lines, start, l => l.Trim() == "awsRoleArn: \"\"");
        var comment = new List<string>();
        for (var i = arn - 1; lines[i].TrimStart().StartsWith('#'); i--)
        {
            comment.Insert(0, lines[i].Trim());
        }

        return string.Join(' ', comment);
    }

    [Fact]
    public void The_chart_gives_each_service_its_app_id_and_secrets_only_to_their_readers()
    {
        var services = Yaml.LoadObject(Path.Combine(Repo.Chart, "values.yaml"))["services"]!.AsObject();
        Assert.Equal(Repo.Services, services.Select(s => s.Key));
        Assert.False(services["edge"]!["dapr"]!["enabled"]!.GetValue<bool>());
        foreach (var app in Repo.DaprAppIds)
        {
            var dapr = services[app]!["dapr"]!;
            Assert.True(dapr["enabled"]!.GetValue<bool>());
            Assert.Equal(app, dapr["appId"]!.GetValue<string>());
            Assert.Equal(SecretPrefixes[app], dapr["secretsPrefix"]!.GetValue<string>());
        }
    }

    [Fact]
    public void The_multi_app_run_file_starts_the_three_apps_with_the_local_components()
    {
        var run = Yaml.LoadObject(Path.Combine(Repo.Root, "dapr.yaml"));
        Assert.Equal("./components/local", run["common"]!["resourcesPath"]!.GetValue<string>());
        var apps = run["apps"]!.AsArray().Select(a => a!.AsObject()).ToList();
        Assert.Equal(Repo.DaprAppIds, apps.Select(a => a["appID"]!.GetValue<string>()));
        foreach (var app in apps)
        {
            Assert.True(Directory.Exists(Path.Combine(Repo.Root, app["appDirPath"]!.GetValue<string>())));
            Assert.Contains(app["appPort"]!.GetValue<long>().ToString(System.Globalization.CultureInfo.InvariantCulture), app["env"]!["ASPNETCORE_URLS"]!.GetValue<string>(), StringComparison.Ordinal);
        }
    }

    private static Dictionary<string, string?> Metadata(JsonObject component) =>
        component["spec"]!["metadata"]!.AsArray().Select(m => m!.AsObject())
            .ToDictionary(m => m["name"]!.GetValue<string>(), m => m["value"]?.ToString());

    // "its IAM role (IRSA) limits it to secret:llm/*", possibly across a comment line break.
    [GeneratedRegex(@"limits it to\s*#?\s*secret:([a-z]+/)\*")]
    private static partial Regex IamLimit();
}

using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using Json.Schema;

namespace PolyAi.Messaging.Deployment.Tests;

/// <summary>What helm install checks before rendering: the merged values of every region against values.schema.json.</summary>
public sealed partial class ValuesSchemaTests
{
    private static readonly JsonSchema Schema = JsonSchema.FromText(File.ReadAllText(Path.Combine(Repo.Chart, "values.schema.json")));

    private static JsonObject Defaults => Yaml.LoadObject(Path.Combine(Repo.Chart, "values.yaml"));

    public static TheoryData<string> Regions => new(Repo.Regions);

    [Fact]
    public void Default_values_satisfy_the_schema() => AssertValid(Defaults, "values.yaml");

    [Theory]
    [MemberData(nameof(Regions))]
    public void Every_region_file_merged_over_the_defaults_satisfies_the_schema(string region)
    {
        var file = Path.Combine(Repo.Chart, $"values-{region}.yaml");
        AssertValid(Yaml.Merge(Defaults, Yaml.LoadObject(file)), Path.GetFileName(file));
    }

    [Theory]
    [MemberData(nameof(Regions))]
    public void Every_region_file_names_its_region_and_its_own_domain(string region)
    {
        var values = Yaml.Merge(Defaults, Yaml.LoadObject(Path.Combine(Repo.Chart, $"values-{region}.yaml")));
        Assert.Equal(region, values["region"]!["name"]!.GetValue<string>());
        Assert.StartsWith(region + ".", values["region"]!["clusterDomain"]!.GetValue<string>(), StringComparison.Ordinal);
    }

    [Fact]
    public void Regions_other_than_dev_use_sns_sqs_and_tls_to_redis()
    {
        foreach (var region in Repo.Regions.Where(r => r != "dev"))
        {
            var values = Yaml.Merge(Defaults, Yaml.LoadObject(Path.Combine(Repo.Chart, $"values-{region}.yaml")));
            Assert.Equal("snssqs", values["dapr"]!["pubsub"]!["type"]!.GetValue<string>());
            Assert.True(values["dapr"]!["statestore"]!["redis"]!["enableTLS"]!.GetValue<bool>(), region);
        }

        Assert.Equal("redis", Yaml.Merge(Defaults, Yaml.LoadObject(Path.Combine(Repo.Chart, "values-dev.yaml")))["dapr"]!["pubsub"]!["type"]!.GetValue<string>());
    }

    [Fact]
    public void The_schema_rejects_an_unknown_key()
    {
        var values = Defaults;
        values["services"]!["verifier"]!["replica"] = 3;
        Assert.False(Evaluate(values).IsValid);
    }

    [Fact]
    public void The_schema_rejects_a_wrong_type_and_an_unknown_pubsub()
    {
        var wrongType = Defaults;
        wrongType["services"]!["edge"]!["port"] = "8080";
        Assert.False(Evaluate(wrongType).IsValid);

        var unknownPubSub = Defaults;
        unknownPubSub["dapr"]!["pubsub"]!["type"] = "kafka";
        Assert.False(Evaluate(unknownPubSub).IsValid);
    }

    [Fact]
    public void The_schema_pins_app_ids_and_keeps_the_agent_away_from_secrets()
    {
        var renamed = Defaults;
        renamed["services"]!["verifier"]!["dapr"]!["appId"] = "webhook-verifier";
        Assert.False(Evaluate(renamed).IsValid);

        var agentReadingTenantSecrets = Defaults;
        agentReadingTenantSecrets["services"]!["agent"]!["dapr"]!["secretsPrefix"] = "tenants/";
        Assert.False(Evaluate(agentReadingTenantSecrets).IsValid);

        var agentWithoutItsLlmSecrets = Defaults;
        agentWithoutItsLlmSecrets["services"]!["agent"]!["dapr"]!["secretsPrefix"] = "";
        Assert.False(Evaluate(agentWithoutItsLlmSecrets).IsValid);
    }

    [Theory]
    [InlineData("verifier", "llm/")]
    [InlineData("handoff", "llm/")]
    [InlineData("handoff", "")]
    [InlineData("edge", "tenants/")]
    public void The_schema_pins_each_services_secret_prefix(string service, string prefix)
    {
        var values = Defaults;
        values["services"]![service]!["dapr"]!["secretsPrefix"] = prefix;
        Assert.False(Evaluate(values).IsValid);
    }

    [Fact]
    public void The_handoff_gets_a_grpc_port_beside_its_http_port()
    {
        var handoff = Defaults["services"]!["handoff"]!;
        Assert.Equal(8081, handoff["grpcPort"]!.GetValue<long>());
        Assert.NotEqual(handoff["port"]!.GetValue<long>(), handoff["grpcPort"]!.GetValue<long>());
    }

    [Fact]
    public void No_secret_value_is_in_the_chart_the_values_or_the_components()
    {
        var files = Directory.EnumerateFiles(Repo.Chart, "*", SearchOption.AllDirectories)
            .Concat(Directory.EnumerateFiles(Repo.KubernetesComponents, "*.yaml"))
            .Append(Path.Combine(Repo.Root, "skaffold.yaml"))
            .Append(Path.Combine(Repo.Root, "dapr.yaml"));
        foreach (var file in files)
        {
            foreach (var (line, number) in File.ReadLines(file).Select((l, i) => (l, i + 1)))
            {
                Assert.False(SecretLooking().IsMatch(line), $"{file}:{number} looks like a secret value: {line.Trim()}");
                var assignment = SecretKeyAssignment().Match(line);
                Assert.False(assignment.Success && assignment.Groups["value"].Value.Trim('"', '\'', ' ') is { Length: > 0 } v && v is not "{}" and not "[]",
                    $"{file}:{number} gives a secret-named key a literal value: {line.Trim()}");
            }
        }
    }

    private static EvaluationResults Evaluate(JsonObject values) =>
        Schema.Evaluate(JsonDocument.Parse(values.ToJsonString()).RootElement, new EvaluationOptions { OutputFormat = OutputFormat.List });

    private static void AssertValid(JsonObject values, string what)
    {
        var result = Evaluate(values);
        var errors = (result.Details ?? [])
            .Where(d => d.Errors is { Count: > 0 })
            .SelectMany(d => d.Errors!.Select(e => $"{d.InstanceLocation}: {e.Key} {e.Value}"));
        Assert.True(result.IsValid, $"{what} does not satisfy values.schema.json:{Environment.NewLine}{string.Join(Environment.NewLine, errors)}");
    }

    // AWS access keys, private keys, bearer tokens.
    [GeneratedRegex(@"AKIA[0-9A-Z]{16}|-----BEGIN [A-Z ]*PRIVATE KEY-----|[Bb]earer [A-Za-z0-9._-]{20,}")]
    private static partial Regex SecretLooking();

    // "password: x", "secretKey: x", "accessKey: x", "apiToken: x", "webhookSecret: x" — but not a reference to where
    // a secret lives (passwordSecret, tlsSecretName, secretKeyRef, sqsDeadLettersQueueName, automountToken...).
    [GeneratedRegex(@"^\s*-?\s*(name:\s*)?(?<key>[A-Za-z]*(password|Password|secretKey|accessKey|sessionToken|apiToken|webhookSecret|clientSecret))\s*:\s*(?<value>.*)$")]
    private static partial Regex SecretKeyAssignment();
}

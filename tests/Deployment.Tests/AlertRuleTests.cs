using System.Text.Json.Nodes;
using System.Text.RegularExpressions;

namespace PolyAi.Messaging.Deployment.Tests;

/// <summary>
/// The alert rules the chart renders and the dashboard's queries, checked by Prometheus' own promtool: the rules load
/// (check rules), every alert fires on a series that should fire it and stays silent on a healthy one (test rules,
/// Alerts/alerts.test.yaml), and every panel's query parses.
/// </summary>
public sealed partial class AlertRuleTests
{
    private static readonly string UnitTests = Path.Combine(Repo.Root, "tests", "Deployment.Tests", "Alerts", "alerts.test.yaml");

    public static TheoryData<string> Regions => new(Repo.Regions);

    /// <summary>The rules promtool reads: the rendered PrometheusRule's groups (the operator's spec is a rule file).</summary>
    internal static async Task<JsonObject> RenderedRulesAsync(string region) =>
        new() { ["groups"] = (await Chart.RenderAsync(region)).OfKind("PrometheusRule").Single()["spec"]!["groups"]!.DeepClone() };

    internal static IEnumerable<JsonObject> Rules(JsonObject ruleFile) =>
        ruleFile["groups"]!.AsArray().SelectMany(g => g!["rules"]!.AsArray()).Select(r => r!.AsObject());

    [Theory]
    [MemberData(nameof(Regions))]
    public async Task Promtool_accepts_the_rules_every_region_renders(string region)
    {
        using var folder = new TemporaryFolder();
        var rules = await RenderedRulesAsync(region);
        await File.WriteAllTextAsync(folder.File("rules.json"), rules.ToJsonString());
        var run = await Tools.RunAsync(Tools.Promtool, ["check", "rules", folder.File("rules.json")]);
        Assert.True(run.ExitCode == 0, $"promtool check rules ({region}):{Environment.NewLine}{run.Printed}");
        Assert.Contains($"SUCCESS: {Rules(rules).Count()} rules found", run.Output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Every_alert_fires_on_a_series_that_should_fire_it_and_stays_silent_on_a_healthy_one()
    {
        using var folder = new TemporaryFolder();
        await File.WriteAllTextAsync(folder.File("rendered-rules.json"), (await RenderedRulesAsync("dev")).ToJsonString());
        File.Copy(UnitTests, folder.File("alerts.test.yaml"));
        var run = await Tools.RunAsync(Tools.Promtool, ["test", "rules", "alerts.test.yaml"], workingDirectory: folder.Path);
        Assert.True(run.ExitCode == 0, $"promtool test rules Alerts/alerts.test.yaml:{Environment.NewLine}{run.Printed}");
    }

    [Fact]
    public async Task Every_alert_the_chart_renders_has_a_firing_and_a_silent_unit_test()
    {
        var alerts = Rules(await RenderedRulesAsync("dev")).Select(r => r["alert"]?.GetValue<string>()).OfType<string>().ToList();
        Assert.True(alerts.Count >= 14, $"Only {alerts.Count} alerts rendered");
        var cases = Yaml.LoadObject(UnitTests)["tests"]!.AsArray()
            .SelectMany(t => t!["alert_rule_test"]?.AsArray() ?? [])
            .Select(c => (Alert: c!["alertname"]!.GetValue<string>(), Fires: c["exp_alerts"]!.AsArray().Count > 0))
            .ToList();
        foreach (var alert in alerts)
        {
            Assert.True(cases.Contains((alert, true)), $"{alert}: no unit test in which it fires");
            Assert.True(cases.Contains((alert, false)), $"{alert}: no unit test in which it stays silent");
        }

        Assert.All(cases, c => Assert.Contains(c.Alert, alerts));
    }

    [Fact]
    public async Task Every_dashboard_query_is_promql_that_promtool_accepts()
    {
        var queries = PromQl.DashboardQueries(File.ReadAllText(Path.Combine(Repo.Chart, "dashboards", "polyai-messaging.json")));
        Assert.True(queries.Count >= 20);
        var rules = new JsonArray();
        foreach (var (where, expression) in queries)
        {
            // Grafana's variables, as Grafana fills them in before Prometheus sees the query.
            var promql = GrafanaVariable().Replace(expression, m => m.Groups["name"].Value switch
            {
                "namespace" => Chart.Namespace,
                "__rate_interval" or "__interval" or "__range" => "5m",
                _ => throw new InvalidOperationException($"{where}: unknown dashboard variable {m.Value} in {expression}"),
            });
            rules.Add(new JsonObject { ["record"] = "dashboard:" + RecordName().Replace(where, "_"), ["expr"] = promql });
        }

        using var folder = new TemporaryFolder();
        var file = folder.File("dashboard-rules.json");
        await File.WriteAllTextAsync(file, new JsonObject { ["groups"] = new JsonArray(new JsonObject { ["name"] = "dashboard", ["rules"] = rules }) }.ToJsonString());
        var run = await Tools.RunAsync(Tools.Promtool, ["check", "rules", file]);
        Assert.True(run.ExitCode == 0, $"promtool check rules on the dashboard's queries:{Environment.NewLine}{run.Printed}");
    }

    [GeneratedRegex(@"\$\{?(?<name>[A-Za-z_][A-Za-z0-9_]*)\}?")]
    private static partial Regex GrafanaVariable();

    [GeneratedRegex(@"[^A-Za-z0-9_]+")]
    private static partial Regex RecordName();
}

/// <summary>A folder under the temp path, deleted with everything in it at the end of a test.</summary>
internal sealed class TemporaryFolder : IDisposable
{
    public string Path { get; } = Directory.CreateDirectory(System.IO.Path.Combine(System.IO.Path.GetTempPath(), "polyai-deploy-" + Guid.NewGuid().ToString("N"))).FullName;

    public string File(string name) => System.IO.Path.Combine(Path, name);

    public void Dispose()
    {
        try
        {
            Directory.Delete(Path, recursive: true);
        }
        catch (IOException)
        {
            // A leftover temp folder is harmless.
        }
    }
}

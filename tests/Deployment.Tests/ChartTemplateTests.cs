using System.Text.Json.Nodes;
using System.Text.RegularExpressions;

namespace PolyAi.Messaging.Deployment.Tests;

/// <summary>
/// What rendering cannot show: helm renders a misspelled values key as an empty value without a word, so every key a
/// template reads must exist in values.yaml. (RenderedChartTests checks what helm renders.)
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

    [GeneratedRegex(@"\{\{.*?\}\}", RegexOptions.Singleline)]
    private static partial Regex Action();

    [GeneratedRegex(@"\.Values\.(?<path>[A-Za-z0-9_]+(\.[A-Za-z0-9_]+)*)")]
    private static partial Regex ValuesReference();

    [GeneratedRegex(@"(?<var>\$[A-Za-z]+)\.(?<path>[A-Za-z0-9_]+(\.[A-Za-z0-9_]+)*)")]
    private static partial Regex VariableReference();
}

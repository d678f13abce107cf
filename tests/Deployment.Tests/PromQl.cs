using System.Text.Json;
using System.Text.RegularExpressions;

namespace PolyAi.Messaging.Deployment.Tests;

/// <summary>The metric names a PromQL expression reads, and the dashboard's queries.</summary>
internal static partial class PromQl
{
    private static readonly HashSet<string> Keywords = ["and", "or", "unless", "bool", "offset", "by", "without", "on", "ignoring", "group_left", "group_right", "inf", "nan"];

    public static IReadOnlySet<string> MetricNames(string expression)
    {
        var text = GoAction().Replace(expression, "1");
        text = StringLiteral().Replace(text, "\"\"");
        text = LabelMatchers().Replace(text, " ");
        text = Range().Replace(text, " ");
        text = Grouping().Replace(text, " ");
        return Identifier().Matches(text)
            .Where(m => !m.Groups["call"].Success && !Keywords.Contains(m.Groups["name"].Value.ToLowerInvariant()))
            .Select(m => m.Groups["name"].Value)
            .ToHashSet();
    }

    public static IReadOnlyList<string> DashboardExpressions(string dashboardJson) =>
        DashboardQueries(dashboardJson).Select(q => q.Expression).ToList();

    /// <summary>
    /// Every query of the dashboard, where it is ("panel 3 A", "variable namespace"): each panel target's
    /// <c>expr</c>, and the metric of each <c>label_values(metric, label)</c> variable.
    /// </summary>
    public static IReadOnlyList<(string Where, string Expression)> DashboardQueries(string dashboardJson)
    {
        using var dashboard = JsonDocument.Parse(dashboardJson);
        var queries = new List<(string, string)>();
        AddPanels(dashboard.RootElement.GetProperty("panels"));

        if (dashboard.RootElement.TryGetProperty("templating", out var templating))
        {
            foreach (var variable in templating.GetProperty("list").EnumerateArray())
            {
                if (variable.TryGetProperty("query", out var query) && query.ValueKind == JsonValueKind.Object
                    && LabelValues().Match(query.GetProperty("query").GetString() ?? "") is { Success: true } match)
                {
                    queries.Add(($"variable {variable.GetProperty("name").GetString()}", match.Groups["metric"].Value.Trim()));
                }
            }
        }

        return queries;

        // A collapsed row holds its panels inside it.
        void AddPanels(JsonElement panels)
        {
            foreach (var panel in panels.EnumerateArray())
            {
                foreach (var target in panel.TryGetProperty("targets", out var targets) ? targets.EnumerateArray() : default)
                {
                    if (target.TryGetProperty("expr", out var expr))
                    {
                        queries.Add(($"panel {panel.GetProperty("id").GetInt32()} {target.GetProperty("refId").GetString()}", expr.GetString()!));
                    }
                }

                if (panel.TryGetProperty("panels", out var nested))
                {
                    AddPanels(nested);
                }
            }
        }
    }

    [GeneratedRegex(@"^label_values\((?<metric>[^,()]+),")]
    private static partial Regex LabelValues();

    [GeneratedRegex(@"\{\{.*?\}\}", RegexOptions.Singleline)]
    private static partial Regex GoAction();

    [GeneratedRegex(@"""(\\.|[^""\\])*""")]
    private static partial Regex StringLiteral();

    [GeneratedRegex(@"\{[^{}]*\}")]
    private static partial Regex LabelMatchers();

    [GeneratedRegex(@"\[[^\[\]]*\]")]
    private static partial Regex Range();

    [GeneratedRegex(@"\b(by|without|on|ignoring|group_left|group_right)\s*\([^()]*\)")]
    private static partial Regex Grouping();

    [GeneratedRegex(@"(?<![\w.$])(?<name>[A-Za-z_:][A-Za-z0-9_:]*)(?<call>\s*\()?")]
    private static partial Regex Identifier();
}

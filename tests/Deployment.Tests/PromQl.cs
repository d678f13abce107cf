using System.Text.Json;
using System.Text.RegularExpressions;

namespace PolyAi.Messaging.Deployment.Tests;

/// <summary>The metric names a PromQL expression reads, and the expressions of the dashboard and the alert rules.</summary>
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

    public static IReadOnlyList<string> DashboardExpressions(string dashboardJson)
    {
        using var dashboard = JsonDocument.Parse(dashboardJson);
        var expressions = new List<string>();
        Collect(dashboard.RootElement, expressions);
        return expressions;

        static void Collect(JsonElement element, List<string> into)
        {
            switch (element.ValueKind)
            {
                case JsonValueKind.Object:
                    foreach (var property in element.EnumerateObject())
                    {
                        if (property.Name == "expr" && property.Value.ValueKind == JsonValueKind.String)
                        {
                            into.Add(property.Value.GetString()!);
                        }
                        else
                        {
                            Collect(property.Value, into);
                        }
                    }

                    break;
                case JsonValueKind.Array:
                    foreach (var item in element.EnumerateArray())
                    {
                        Collect(item, into);
                    }

                    break;
            }
        }
    }

    /// <summary>The <c>expr: |</c> blocks of a PrometheusRule template (YAML block scalars, read by indentation).</summary>
    public static IReadOnlyList<string> RuleExpressions(string template)
    {
        var lines = template.Split('\n');
        var expressions = new List<string>();
        for (var i = 0; i < lines.Length; i++)
        {
            var match = ExprLine().Match(lines[i]);
            if (!match.Success)
            {
                continue;
            }

            if (match.Groups["inline"].Value is { Length: > 0 } inline && inline != "|")
            {
                expressions.Add(inline);
                continue;
            }

            var indent = match.Groups["indent"].Value.Length;
            var block = new List<string>();
            while (i + 1 < lines.Length && (lines[i + 1].Trim().Length == 0 || lines[i + 1].Length - lines[i + 1].TrimStart().Length > indent))
            {
                block.Add(lines[++i]);
            }

            expressions.Add(string.Join('\n', block));
        }

        return expressions;
    }

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

    [GeneratedRegex(@"^(?<indent>\s*)expr:\s*(?<inline>.*?)\s*$")]
    private static partial Regex ExprLine();
}

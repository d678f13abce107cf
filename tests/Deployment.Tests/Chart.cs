using System.Collections.Concurrent;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;

namespace PolyAi.Messaging.Deployment.Tests;

/// <summary>
/// The chart as helm renders it for a release: <c>helm template polyai-messaging charts/polyai-messaging -n
/// polyai-messaging -f values-&lt;region&gt;.yaml</c>, the README's <c>helm upgrade --install</c> without the cluster.
/// Each rendering is made once per test run.
/// </summary>
internal static partial class Chart
{
    public const string Release = "polyai-messaging";

    public const string Namespace = "polyai-messaging";

    private static readonly ConcurrentDictionary<string, Lazy<Task<Rendering>>> Renderings = new();

    /// <summary>The region's release, with more values files after the region's (later files win, as with helm -f).</summary>
    public static Task<Rendering> RenderAsync(string region, params string[] moreValues)
    {
        string[] arguments =
        [
            "template", Release, Repo.Chart, "--namespace", Namespace,
            "--values", Path.Combine(Repo.Chart, $"values-{region}.yaml"),
            .. moreValues.SelectMany(file => new[] { "--values", file }),
        ];
        return Renderings.GetOrAdd(string.Join('\0', arguments), _ => new Lazy<Task<Rendering>>(() => RunAsync(arguments))).Value;
    }

    /// <summary>
    /// Every region's release and the test variants: "region" or "region+file" for a file in Values/ (dev has no
    /// HPA, so every-option also goes over us-1).
    /// </summary>
    public static readonly string[] Variants = [.. Repo.Regions, "dev+every-option", "us-1+every-option", "dev+nothing-optional"];

    public static Task<Rendering> RenderVariantAsync(string variant) => variant.Split('+') switch
    {
        [var region] => RenderAsync(region),
        [var region, var values] => RenderAsync(region, Path.Combine(Repo.Root, "tests", "Deployment.Tests", "Values", values + ".yaml")),
        _ => throw new ArgumentException($"Not a variant: {variant}", nameof(variant)),
    };

    private static async Task<Rendering> RunAsync(string[] arguments)
    {
        var run = await Tools.RunAsync(Tools.Helm, arguments);
        if (run.ExitCode != 0)
        {
            throw new InvalidOperationException($"helm {string.Join(' ', arguments)} failed ({run.ExitCode}):{Environment.NewLine}{run.Printed}");
        }

        var objects = new List<RenderedObject>();
        foreach (var document in DocumentSeparator().Split(run.Output))
        {
            var source = SourceComment().Match(document) is { Success: true } m ? m.Groups[1].Value.Trim() : "(no source)";
            IReadOnlyList<JsonNode?> nodes;
            try
            {
                // Strict: a duplicate key is an error, as it is for the API server's YAML decoding.
                nodes = Yaml.ParseAll(document);
            }
            catch (YamlDotNet.Core.YamlException e)
            {
                throw new InvalidDataException($"helm {string.Join(' ', arguments)}: {source} is not valid YAML: {e.Message}{System.Environment.NewLine}{document}", e);
            }

            foreach (var node in nodes)
            {
                objects.Add(new RenderedObject(source, document, node as JsonObject ?? throw new InvalidDataException($"{source}: not a mapping")));
            }
        }

        return new Rendering(run.Output, objects);
    }

    [GeneratedRegex(@"^---[ \t]*$", RegexOptions.Multiline)]
    private static partial Regex DocumentSeparator();

    [GeneratedRegex(@"^# Source: (.+)$", RegexOptions.Multiline)]
    private static partial Regex SourceComment();
}

/// <summary>One object helm rendered, with the template it came from and its document's text (comments included).</summary>
internal sealed record RenderedObject(string Source, string Text, JsonObject Object)
{
    public string Kind => Object["kind"]?.GetValue<string>() ?? "";

    public string Name => Object["metadata"]?["name"]?.GetValue<string>() ?? "";

    public override string ToString() => $"{Kind}/{Name} ({Source})";
}

/// <summary>Everything one helm template printed.</summary>
internal sealed record Rendering(string Text, IReadOnlyList<RenderedObject> Objects)
{
    public IEnumerable<JsonObject> OfKind(string kind) => Objects.Where(o => o.Kind == kind).Select(o => o.Object);

    public JsonObject Get(string kind, string name) =>
        Objects.SingleOrDefault(o => o.Kind == kind && o.Name == name)?.Object
        ?? throw new InvalidOperationException($"No {kind} {name} rendered; rendered: {string.Join(", ", Objects)}");

    public RenderedObject Document(string kind, string name) => Objects.Single(o => o.Kind == kind && o.Name == name);

    /// <summary>The release's object name for one service, as the chart's pm.fullname makes it.</summary>
    public static string FullName(string service) => $"{Chart.Release}-{service}";
}

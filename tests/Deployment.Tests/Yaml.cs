using System.Globalization;
using System.Text.RegularExpressions;
using System.Text.Json.Nodes;
using YamlDotNet.Core;
using YamlDotNet.RepresentationModel;

namespace PolyAi.Messaging.Deployment.Tests;

/// <summary>YAML read the way Helm and Kubernetes read it (plain scalars typed by the core schema), as JSON nodes.</summary>
internal static partial class Yaml
{
    public static IReadOnlyList<JsonNode?> LoadAll(string path) => ParseAll(File.ReadAllText(path));

    /// <summary>Every non-empty document of a YAML stream.</summary>
    public static IReadOnlyList<JsonNode?> ParseAll(string text)
    {
        var stream = new YamlStream();
        using var reader = new StringReader(text);
        stream.Load(reader);
        return stream.Documents.Select(d => ToJson(d.RootNode)).Where(n => n is not null).ToList();
    }

    public static JsonObject LoadObject(string path) =>
        LoadAll(path).SingleOrDefault() as JsonObject ?? throw new InvalidDataException($"{path}: not one YAML mapping");

    /// <summary>Helm's values merge: mappings merge key by key, anything else in <paramref name="over"/> replaces.</summary>
    public static JsonObject Merge(JsonObject under, JsonObject over)
    {
        var result = (JsonObject)under.DeepClone();
        foreach (var (key, value) in over)
        {
            if (value is null)
            {
                result.Remove(key);
            }
            else if (value is JsonObject overObject && result[key] is JsonObject underObject)
            {
                result[key] = Merge(underObject, overObject);
            }
            else
            {
                result[key] = value.DeepClone();
            }
        }

        return result;
    }

    private static JsonNode? ToJson(YamlNode node) => node switch
    {
        YamlMappingNode map => new JsonObject(map.Children.Select(kv =>
            KeyValuePair.Create(((YamlScalarNode)kv.Key).Value ?? "", ToJson(kv.Value)))),
        YamlSequenceNode seq => new JsonArray(seq.Children.Select(ToJson).ToArray()),
        YamlScalarNode scalar => Scalar(scalar),
        _ => throw new InvalidDataException($"Unsupported YAML node {node.NodeType}"),
    };

    private static JsonValue? Scalar(YamlScalarNode scalar)
    {
        var text = scalar.Value ?? "";
        if (scalar.Style != ScalarStyle.Plain)
        {
            return JsonValue.Create(text);
        }

        return text switch
        {
            "" or "~" or "null" or "Null" or "NULL" => null,
            "true" or "True" or "TRUE" => JsonValue.Create(true),
            "false" or "False" or "FALSE" => JsonValue.Create(false),
            _ when IntPattern().IsMatch(text) => JsonValue.Create(long.Parse(text, CultureInfo.InvariantCulture)),
            _ when FloatPattern().IsMatch(text) => JsonValue.Create(double.Parse(text, CultureInfo.InvariantCulture)),
            _ => JsonValue.Create(text),
        };
    }

    [GeneratedRegex(@"^[-+]?[0-9]+$")]
    private static partial Regex IntPattern();

    [GeneratedRegex(@"^[-+]?(\.[0-9]+|[0-9]+(\.[0-9]*)?)([eE][-+]?[0-9]+)?$")]
    private static partial Regex FloatPattern();
}

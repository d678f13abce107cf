using System.Text.Json;
using PolyAi.Messaging.DevSidecar.Components;

namespace PolyAi.Messaging.DevSidecar.Secrets;

/// <summary>
/// A <c>secretstores.local.file</c> component. Unlike daprd, which reads the file once at start-up, the file is
/// re-read whenever its modification time changes, so a running local stack sees new tenants and rotated secrets.
/// </summary>
internal sealed class LocalFileSecretStore
{
    private readonly string _path;
    private readonly string _separator;
    private readonly bool _multiValued;
    private readonly Lock _gate = new();
    private DateTime _loadedWriteTime = DateTime.MinValue;
    private IReadOnlyDictionary<string, IReadOnlyDictionary<string, string>> _secrets =
        new Dictionary<string, IReadOnlyDictionary<string, string>>();

    public LocalFileSecretStore(ComponentDefinition definition, string componentsPath)
    {
        Definition = definition;
        var file = definition.MetadataValue("secretsFile")
            ?? throw new InvalidDataException($"secret store '{definition.Name}': metadata secretsFile is required");
        _path = Path.GetFullPath(file, componentsPath);
        _separator = definition.MetadataValue("nestedSeparator") ?? ":";
        _multiValued = bool.TryParse(definition.MetadataValue("multiValued"), out var multiValued) && multiValued;
    }

    public ComponentDefinition Definition { get; }

    public string FilePath => _path;

    /// <summary>The secret's values, or null when the file has no such secret.</summary>
    public IReadOnlyDictionary<string, string>? Get(string key) =>
        Current().TryGetValue(key, out var secret) ? secret : null;

    public IReadOnlyDictionary<string, IReadOnlyDictionary<string, string>> GetAll() => Current();

    private IReadOnlyDictionary<string, IReadOnlyDictionary<string, string>> Current()
    {
        lock (_gate)
        {
            var writeTime = File.Exists(_path) ? File.GetLastWriteTimeUtc(_path) : DateTime.MinValue;
            if (writeTime != _loadedWriteTime)
            {
                _secrets = writeTime == DateTime.MinValue ? new Dictionary<string, IReadOnlyDictionary<string, string>>() : Read();
                _loadedWriteTime = writeTime;
            }

            return _secrets;
        }
    }

    // multiValued=false: nested JSON is flattened to "a:b" keys, each its own secret {key: value}.
    // multiValued=true: each top-level key is one secret whose values are its (flattened) children.
    private Dictionary<string, IReadOnlyDictionary<string, string>> Read()
    {
        using var document = JsonDocument.Parse(File.ReadAllBytes(_path));
        if (!_multiValued)
        {
            return Flatten(document.RootElement, prefix: null)
                .ToDictionary(pair => pair.Key, pair => (IReadOnlyDictionary<string, string>)new Dictionary<string, string> { [pair.Key] = pair.Value });
        }

        return document.RootElement.EnumerateObject().ToDictionary(
            property => property.Name,
            property => (IReadOnlyDictionary<string, string>)(property.Value.ValueKind == JsonValueKind.Object
                ? Flatten(property.Value, prefix: null).ToDictionary()
                : new Dictionary<string, string> { [property.Name] = Scalar(property.Value) }));
    }

    private IEnumerable<KeyValuePair<string, string>> Flatten(JsonElement element, string? prefix)
    {
        string Join(string name) => prefix is null ? name : prefix + _separator + name;

        switch (element.ValueKind)
        {
            case JsonValueKind.Object:
                return element.EnumerateObject().SelectMany(p => Flatten(p.Value, Join(p.Name)));
            case JsonValueKind.Array:
                return element.EnumerateArray().SelectMany((item, index) => Flatten(item, Join(index.ToString(System.Globalization.CultureInfo.InvariantCulture))));
            default:
                return prefix is null ? [] : [new(prefix, Scalar(element))];
        }
    }

    private static string Scalar(JsonElement element) =>
        element.ValueKind == JsonValueKind.String ? element.GetString()! : element.GetRawText();
}

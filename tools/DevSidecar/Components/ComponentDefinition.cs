namespace PolyAi.Messaging.DevSidecar.Components;

/// <summary>A <c>kind: Component</c> resource as loaded from YAML.</summary>
internal sealed record ComponentDefinition(
    string Name,
    string Type,
    string Version,
    IReadOnlyDictionary<string, string> Metadata,
    IReadOnlyList<string> Scopes)
{
    public bool IsVisibleTo(string appId) => Scopes.Count == 0 || Scopes.Contains(appId, StringComparer.Ordinal);

    public string? MetadataValue(string name) =>
        Metadata.TryGetValue(name, out var value) && !string.IsNullOrEmpty(value) ? value : null;
}

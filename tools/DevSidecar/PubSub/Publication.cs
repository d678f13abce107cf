namespace PolyAi.Messaging.DevSidecar.PubSub;

/// <summary>One event as an app hands it to its sidecar (gRPC PublishEvent, a bulk entry, or HTTP publish).</summary>
internal sealed record Publication(
    string PubSub,
    string Topic,
    byte[] Data,
    string? DataContentType,
    IReadOnlyDictionary<string, string> Metadata,
    string? TraceParent,
    string? TraceState);

namespace PolyAi.Messaging.DevSidecar.PubSub;

/// <summary>
/// What the broker holds for one published event: the CloudEvent envelope bytes, or the caller's bytes
/// unwrapped when published with <c>rawPayload=true</c>.
/// </summary>
internal sealed record TopicMessage(byte[] Body, bool IsRawPayload, DateTimeOffset? ExpiresAt);

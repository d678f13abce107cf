namespace PolyAi.Messaging.Contracts;

/// <summary>
/// The handoff lifecycle, published by the handoff service on <see cref="Topics.HandoffEvents"/> and consumed by the
/// agent service (which tells the customer). CloudEvent id = <c>{conversationId}:{status}:{genesysConversationId}</c>,
/// so a redelivery is recognisable.
/// </summary>
/// <param name="ConversationId">Our conversation id (the customer's <c>channel.from.id</c> in Genesys).</param>
/// <param name="Status">One of <see cref="HandoffStatus"/>.</param>
public sealed record HandoffEvent(
    TenantKey Tenant,
    string ConversationId,
    string Status,
    DateTimeOffset Time,
    string? GenesysConversationId = null,
    string? Reason = null);

public static class HandoffStatus
{
    public const string Requested = "requested";
    public const string Queued = "queued";
    public const string Connected = "connected";
    public const string Ended = "ended";
    public const string Unavailable = "unavailable";
    public const string Failed = "failed";
}

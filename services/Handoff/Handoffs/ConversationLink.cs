using PolyAi.Messaging.Contracts;

namespace PolyAi.Messaging.Handoff.Handoffs;

/// <summary>
/// The index from our conversation to its latest handoff, stored under <see cref="StateKey"/>: how a gRPC call (which
/// knows only our conversation id) and a notification without <c>conversationId</c> find the Genesys session.
/// It also makes StartHandoff idempotent: the same start message id answers what it answered the first time.
/// </summary>
/// <param name="Outcome"><c>queued</c> (started), <c>unavailable</c>, or <see cref="Sending"/> (written before the first
/// message is sent, so a retry after a send with no clear answer looks for the conversation before sending again).</param>
/// <param name="StartMessageId">Our id of the message that started the handoff.</param>
public sealed record ConversationLink(
    TenantKey Tenant,
    string ConversationId,
    string Outcome,
    string StartMessageId,
    string? GenesysConversationId,
    DateTimeOffset UpdatedAt)
{
    public const string Sending = "sending";

    public static string StateKey(TenantKey tenant, string conversationId) =>
        $"handoff/conversations/{tenant}/{Uri.EscapeDataString(conversationId)}";
}

/// <summary>One session being watched until its Genesys conversation ends.</summary>
public sealed record ActiveSession(TenantKey Tenant, string GenesysConversationId, string ConversationId, string? QueueId);

/// <summary>
/// Every session still open, under <see cref="StateKey"/>: what the poller checks and what the notifications listener
/// subscribes to again after a restart (the state store cannot list keys).
/// </summary>
public sealed record ActiveSessions(IReadOnlyList<ActiveSession> Sessions)
{
    public const string StateKey = "handoff/active-sessions";
}

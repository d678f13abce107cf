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
/// The sessions still open, in <see cref="Shards"/> records (<see cref="ShardKey"/>; a session's shard is a stable hash
/// of its tenant and Genesys id): what the poller checks and what the notifications listener subscribes to again after
/// a restart (the state store cannot list keys). A start or an end rewrites one shard, so handoffs of different
/// conversations rarely contend on a key; reading them all is one bulk read of every shard.
/// </summary>
public sealed record ActiveSessions(IReadOnlyList<ActiveSession> Sessions)
{
    /// <summary>Fixed: a session is looked for in its shard only, so the count cannot change without moving them.</summary>
    public const int Shards = 64;

    /// <summary>The single record of the versions before the shards: still read, and drained by ends, so no open session is lost.</summary>
    public const string LegacyStateKey = "handoff/active-sessions";

    public static string ShardKey(int shard) => $"{LegacyStateKey}/{shard}";

    public static string ShardKeyOf(TenantKey tenant, string genesysConversationId) => ShardKey(ShardOf(tenant, genesysConversationId));

    /// <summary>Every shard, then the legacy record.</summary>
    public static IReadOnlyList<string> AllKeys { get; } = [.. Enumerable.Range(0, Shards).Select(ShardKey), LegacyStateKey];

    /// <summary>A stable hash of tenant and Genesys id (<see cref="StableShard"/>).</summary>
    public static int ShardOf(TenantKey tenant, string genesysConversationId) => StableShard.Of($"{tenant}/{genesysConversationId}", Shards);
}

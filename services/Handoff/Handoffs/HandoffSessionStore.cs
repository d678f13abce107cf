using System.Text.Json;
using Dapr;
using Dapr.Client;
using Microsoft.Extensions.Options;
using PolyAi.Messaging.Contracts;
using PolyAi.Messaging.Handoff.Sessions;
using PolyAi.Messaging.ServiceDefaults;

namespace PolyAi.Messaging.Handoff.Handoffs;

/// <summary>
/// The handoff service's state (sessions, conversation links, the active list) and its <c>handoff-events</c>: every
/// write is an etag-checked read-modify-write, every lifecycle status is published once per session.
/// </summary>
public sealed partial class HandoffSessionStore(DaprClient dapr, IOptions<HandoffSessionOptions> sessionOptions, TimeProvider time, ILogger<HandoffSessionStore> logger)
{
    private string Store => sessionOptions.Value.StateStore;

    private int MaxAttempts => sessionOptions.Value.MaxSaveAttempts;

    // Whether the last read found the legacy record (before the shards) empty or absent: then ends do not look there.
    private volatile bool _legacyDrained;

    public Task<ConversationLink?> LinkAsync(TenantKey tenant, string conversationId, CancellationToken cancellationToken) =>
        dapr.GetStateAsync<ConversationLink?>(Store, ConversationLink.StateKey(tenant, conversationId), cancellationToken: cancellationToken);

    public Task SaveLinkAsync(ConversationLink link, CancellationToken cancellationToken) =>
        dapr.SaveStateAsync(Store, ConversationLink.StateKey(link.Tenant, link.ConversationId), link, cancellationToken: cancellationToken);

    public Task<HandoffSession?> SessionAsync(TenantKey tenant, string genesysConversationId, CancellationToken cancellationToken) =>
        dapr.GetStateAsync<HandoffSession?>(Store, HandoffSession.StateKey(tenant, genesysConversationId), cancellationToken: cancellationToken);

    /// <summary>The session our conversation's latest handoff opened, if any.</summary>
    public async Task<HandoffSession?> SessionOfConversationAsync(TenantKey tenant, string conversationId, CancellationToken cancellationToken) =>
        await LinkAsync(tenant, conversationId, cancellationToken) is { GenesysConversationId: { } genesysId }
            ? await SessionAsync(tenant, genesysId, cancellationToken)
            : null;

    /// <exception cref="HandoffStateConflictException">Other writers kept winning.</exception>
    public async Task<StateUpdate> UpdateSessionAsync(
        TenantKey tenant, string genesysConversationId, Func<HandoffSession?, HandoffSession?> change, CancellationToken cancellationToken)
    {
        var result = await dapr.UpdateAsync(Store, HandoffSession.StateKey(tenant, genesysConversationId), change, MaxAttempts, time, cancellationToken);
        return result == StateUpdate.Conflict ? throw new HandoffStateConflictException(genesysConversationId) : result;
    }

    /// <summary>Every open session: one bulk read of every shard (and the legacy record), merged.</summary>
    public async Task<IReadOnlyList<ActiveSession>> ActiveAsync(CancellationToken cancellationToken)
    {
        var items = await dapr.GetBulkStateAsync(Store, ActiveSessions.AllKeys, parallelism: 8, cancellationToken: cancellationToken);
        var sessions = new List<ActiveSession>();
        var seen = new HashSet<(TenantKey, string)>();
        var legacyDrained = true;
        foreach (var item in items)
        {
            if (string.IsNullOrEmpty(item.Value)
                || JsonSerializer.Deserialize(item.Value, HandoffStateJsonContext.Default.ActiveSessions) is not { } shard)
            {
                continue;
            }

            legacyDrained &= item.Key != ActiveSessions.LegacyStateKey || shard.Sessions.Count == 0;
            sessions.AddRange(shard.Sessions.Where(session => seen.Add((session.Tenant, session.GenesysConversationId))));
        }

        _legacyDrained = legacyDrained; // looked at again with every read: a replica of the older version may still add there
        return sessions;
    }

    public Task AddActiveAsync(ActiveSession session, CancellationToken cancellationToken) =>
        UpdateActiveAsync(
            ActiveSessions.ShardKeyOf(session.Tenant, session.GenesysConversationId),
            sessions => sessions.Any(s => Same(s, session.Tenant, session.GenesysConversationId)) ? null : [.. sessions, session],
            cancellationToken);

    /// <summary>Takes the session out of its shard (and out of the legacy record, until that is empty).</summary>
    public async Task RemoveActiveAsync(TenantKey tenant, string genesysConversationId, CancellationToken cancellationToken)
    {
        IReadOnlyList<ActiveSession>? Without(IReadOnlyList<ActiveSession> sessions) =>
            sessions.Any(s => Same(s, tenant, genesysConversationId)) ? [.. sessions.Where(s => !Same(s, tenant, genesysConversationId))] : null;

        await UpdateActiveAsync(ActiveSessions.ShardKeyOf(tenant, genesysConversationId), Without, cancellationToken);
        if (!_legacyDrained)
        {
            await UpdateActiveAsync(ActiveSessions.LegacyStateKey, Without, cancellationToken);
        }
    }

    /// <summary>
    /// Publishes <paramref name="status"/> for the session unless it already was. One etag-checked save claims the
    /// status on the session (of two detectors racing only one wins) and puts the event in the session's outbox; then
    /// the outbox is published and emptied. A publish that fails (or a crash) leaves the event there, and the next
    /// <see cref="PublishOutboxAsync(TenantKey, string, CancellationToken)"/> of the session publishes it: the lifecycle
    /// reconciliation does, before anything else. CloudEvent id <c>{conversationId}:{status}:{genesysConversationId}</c>.
    /// </summary>
    /// <param name="apply">The session with the status applied; null when the status does not apply (any more).</param>
    /// <returns>The session as it was when this call claimed the status, or null if another call had.</returns>
    public async Task<HandoffSession?> PublishOnceAsync(
        TenantKey tenant, string genesysConversationId, string status, Func<HandoffSession, HandoffSession?> apply, string? reason, CancellationToken cancellationToken)
    {
        HandoffSession? claimed = null;
        IReadOnlyList<HandoffEvent> outbox = [];
        var now = time.GetUtcNow();
        await UpdateSessionAsync(tenant, genesysConversationId, current =>
        {
            claimed = null;
            outbox = current?.Outbox ?? [];
            if (current is null || current.PublishedStatuses.Contains(status))
            {
                return null;
            }

            if (apply(current) is not { } applied)
            {
                return null;
            }

            claimed = current;
            var handoffEvent = new HandoffEvent(tenant, current.ConversationId ?? current.CustomerId ?? genesysConversationId, status, now, genesysConversationId, reason);
            outbox = [.. current.Outbox, handoffEvent];
            return applied with { PublishedStatuses = [.. current.PublishedStatuses, status], Outbox = outbox, UpdatedAt = now };
        }, cancellationToken);
        if (claimed is null)
        {
            // Claimed before and still in the outbox for longer than a publish takes: its claimer died before
            // publishing. The next one to notice any status publishes it (a younger one is its claimer's to publish:
            // taking it too would publish it twice; consumers would dedupe, but the topic would carry it twice).
            if (Stale(outbox, now) is { Count: > 0 } abandoned)
            {
                await PublishOutboxAsync(tenant, genesysConversationId, abandoned, cancellationToken);
            }

            return null;
        }

        CrashPoints.Reach(CrashPoints.HandoffStatusAfterClaim);
        await PublishOutboxAsync(tenant, genesysConversationId, outbox, cancellationToken);
        return claimed;
    }

    /// <summary>
    /// Records a started handoff in one state transaction, all or nothing: the session (with <c>queued</c> claimed and
    /// put in its outbox), the conversation's link, and the session's entry in its index shard. The session and the
    /// shard are etag-checked (a writer in between makes it read both again and retry); then the outbox is published.
    /// A crash before the transaction leaves the link saying <c>sending</c> (the retry looks in Genesys first); after
    /// it, the <c>queued</c> event waits in the outbox for the retry or the next reconciliation.
    /// </summary>
    /// <param name="change">The session to save from the one stored (null when none); <c>queued</c> is claimed here.</param>
    /// <returns>True when this call claimed <c>queued</c> (false: a previous try or a webhook had).</returns>
    /// <exception cref="HandoffStateConflictException">Other writers kept winning.</exception>
    public async Task<bool> RecordStartAsync(
        TenantKey tenant, string genesysConversationId, Func<HandoffSession?, HandoffSession> change, ConversationLink link, ActiveSession active,
        CancellationToken cancellationToken)
    {
        var sessionKey = HandoffSession.StateKey(tenant, genesysConversationId);
        var shardKey = ActiveSessions.ShardKeyOf(tenant, genesysConversationId);
        var attempts = MaxAttempts * 4; // the shard is shared by 1/64 of all starts and ends
        for (var attempt = 1; ; attempt++)
        {
            var (current, sessionEtag) = await dapr.GetStateAndETagAsync<HandoffSession?>(Store, sessionKey, cancellationToken: cancellationToken);
            var (shard, shardEtag) = await dapr.GetStateAndETagAsync<ActiveSessions?>(Store, shardKey, cancellationToken: cancellationToken);
            var now = time.GetUtcNow();
            var session = change(current);
            var claimed = !session.PublishedStatuses.Contains(HandoffStatus.Queued);
            if (claimed)
            {
                var queued = new HandoffEvent(tenant, session.ConversationId ?? link.ConversationId, HandoffStatus.Queued, now, genesysConversationId);
                session = session with { PublishedStatuses = [.. session.PublishedStatuses, HandoffStatus.Queued], Outbox = [.. session.Outbox, queued], UpdatedAt = now };
            }

            var operations = new List<StateTransactionRequest>
            {
                Upsert(sessionKey, session, sessionEtag ?? string.Empty),
                Upsert(ConversationLink.StateKey(link.Tenant, link.ConversationId), link, etag: null),
            };
            var listed = shard?.Sessions ?? [];
            if (!listed.Any(s => Same(s, tenant, genesysConversationId)))
            {
                operations.Add(Upsert(shardKey, new ActiveSessions([.. listed, active]), shardEtag ?? string.Empty));
            }

            try
            {
                await dapr.ExecuteStateTransactionAsync(Store, operations, cancellationToken: cancellationToken);
            }
            catch (DaprException) when (attempt < attempts && !cancellationToken.IsCancellationRequested)
            {
                // An etag moved (daprd does not say which, nor that it was an etag): read both again.
                await OptimisticState.BackOffAsync(attempt, time, cancellationToken);
                continue;
            }
            catch (DaprException) when (!cancellationToken.IsCancellationRequested)
            {
                throw new HandoffStateConflictException(sessionKey);
            }

            CrashPoints.Reach(CrashPoints.HandoffStartAfterRecord);
            if (session.Outbox.Count > 0)
            {
                await PublishOutboxAsync(tenant, genesysConversationId, session.Outbox, cancellationToken);
            }

            return claimed;
        }
    }

    /// <summary>An upsert for a transaction, serialized as <see cref="DaprClient"/> serializes single saves; etag-checked
    /// (first write when <paramref name="etag"/> is empty: the key must still not exist) unless null.</summary>
    private StateTransactionRequest Upsert<T>(string key, T value, string? etag) =>
        new(
            key,
            JsonSerializer.SerializeToUtf8Bytes(value, dapr.JsonSerializerOptions),
            StateOperationType.Upsert,
            etag,
            options: etag is null ? null : new StateOptions { Concurrency = ConcurrencyMode.FirstWrite });

    /// <summary>
    /// Publishes what the session's outbox still holds (after a crash or a failed publish) — with
    /// <paramref name="onlyAbandoned"/>, only events claimed longer than <see cref="OutboxAbandonedAfter"/> ago, so a
    /// claimer still publishing is not doubled.
    /// </summary>
    public async Task PublishOutboxAsync(TenantKey tenant, string genesysConversationId, CancellationToken cancellationToken, bool onlyAbandoned = false)
    {
        if (await SessionAsync(tenant, genesysConversationId, cancellationToken) is { Outbox.Count: > 0 } session
            && (onlyAbandoned ? Stale(session.Outbox, time.GetUtcNow()) : session.Outbox) is { Count: > 0 } pending)
        {
            await PublishOutboxAsync(tenant, genesysConversationId, pending, cancellationToken);
        }
    }

    /// <summary>How long after its claim an event still in the outbox counts as abandoned by its claimer.</summary>
    public static readonly TimeSpan OutboxAbandonedAfter = TimeSpan.FromSeconds(5);

    /// <summary>Whether some event of the session's outbox may still be published by its claimer (claimed under
    /// <see cref="OutboxAbandonedAfter"/> ago): then the session is not settled yet.</summary>
    public static bool ClaimerMayStillPublish(HandoffSession session, DateTimeOffset now) =>
        session.Outbox.Any(e => !IsAbandoned(e, now));

    private static bool IsAbandoned(HandoffEvent handoffEvent, DateTimeOffset now) => now - handoffEvent.Time >= OutboxAbandonedAfter;

    private static List<HandoffEvent> Stale(IReadOnlyList<HandoffEvent> outbox, DateTimeOffset now) =>
        [.. outbox.Where(e => IsAbandoned(e, now))];

    /// <summary>Publishes <paramref name="pending"/> in order and takes what was published off the outbox; a failure stays.</summary>
    private async Task PublishOutboxAsync(TenantKey tenant, string genesysConversationId, IReadOnlyList<HandoffEvent> pending, CancellationToken cancellationToken)
    {
        var published = new HashSet<string>(StringComparer.Ordinal);
        try
        {
            foreach (var handoffEvent in pending)
            {
                await PublishAsync(handoffEvent, cancellationToken);
                published.Add(CloudEventId(handoffEvent));
            }
        }
        catch (Exception e) when (e is DaprException or OperationCanceledException)
        {
            LogPublishFailed(e, pending.Count - published.Count);
            throw;
        }
        finally
        {
            if (published.Count > 0)
            {
                await UpdateSessionAsync(tenant, genesysConversationId, current => current is { Outbox.Count: > 0 }
                    ? current with { Outbox = [.. current.Outbox.Where(e => !published.Contains(CloudEventId(e)))] }
                    : null, CancellationToken.None);
            }
        }
    }

    /// <summary>Publishes a lifecycle event with its idempotent CloudEvent id.</summary>
    public Task PublishAsync(HandoffEvent handoffEvent, CancellationToken cancellationToken) =>
        dapr.PublishEventAsync(
            Topics.PubSub,
            Topics.HandoffEvents,
            handoffEvent,
            new Dictionary<string, string> { ["cloudevent.id"] = CloudEventId(handoffEvent) },
            cancellationToken);

    public static string CloudEventId(HandoffEvent handoffEvent) =>
        $"{handoffEvent.ConversationId}:{handoffEvent.Status}:{handoffEvent.GenesysConversationId}";

    private async Task UpdateActiveAsync(string key, Func<IReadOnlyList<ActiveSession>, IReadOnlyList<ActiveSession>?> change, CancellationToken cancellationToken)
    {
        var result = await dapr.UpdateAsync<ActiveSessions>(
            Store, key, current => change(current?.Sessions ?? []) is { } sessions ? new ActiveSessions(sessions) : null,
            MaxAttempts * 4, time, cancellationToken);
        if (result == StateUpdate.Conflict)
        {
            throw new HandoffStateConflictException(key);
        }

        // The open-sessions gauge is set by the poller's sweep (it reads every shard anyway), not after each write.
    }

    private static bool Same(ActiveSession session, TenantKey tenant, string genesysConversationId) =>
        session.Tenant == tenant && session.GenesysConversationId == genesysConversationId;

    [LoggerMessage(Level = LogLevel.Warning, Message = "Could not publish {Pending} lifecycle event(s); they stay in the session's outbox for the next reconciliation")]
    private partial void LogPublishFailed(Exception exception, int pending);
}

/// <summary>A state key kept changing under us; the caller should retry later.</summary>
public sealed class HandoffStateConflictException(string key) : Exception($"State {key} kept changing; try again.");

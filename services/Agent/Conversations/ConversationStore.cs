using System.Globalization;
using Dapr;
using Dapr.Client;
using Microsoft.Extensions.Caching.Memory;
using Microsoft.Extensions.Options;
using PolyAi.Messaging.Agent.Transcripts;
using PolyAi.Messaging.Contracts;

namespace PolyAi.Messaging.Agent.Conversations;

/// <summary>
/// Reads and changes conversations in the state store. Every change that adds SSE events also writes the
/// conversation's version key (the next event id) and wakes this replica's streams at once; streams on other
/// replicas see the version key change through <see cref="ConversationWatcher"/>.
/// </summary>
public sealed partial class ConversationStore(
    DaprClient dapr, IOptions<TranscriptOptions> options, TimeProvider time, IMemoryCache cache, ConversationWatcher watcher,
    ILogger<ConversationStore> logger)
{
    private static readonly TimeSpan RecordCacheTtl = TimeSpan.FromMinutes(5);

    public static string VersionKey(TenantKey tenant, string conversationId) =>
        $"agent/versions/{tenant}/{Uri.EscapeDataString(conversationId)}";

    private string Store => options.Value.StateStore;

    /// <summary>The conversation record, or null when there is none; cached because it never changes.</summary>
    public async Task<ConversationRecord?> FindAsync(string conversationId, CancellationToken cancellationToken)
    {
        if (!ConversationIds.IsWellFormed(conversationId))
        {
            return null;
        }

        if (cache.TryGetValue(ConversationRecord.StateKey(conversationId), out ConversationRecord? cached))
        {
            return cached;
        }

        var record = await dapr.GetStateAsync<ConversationRecord?>(Store, ConversationRecord.StateKey(conversationId), cancellationToken: cancellationToken);
        if (record is not null)
        {
            cache.Set(ConversationRecord.StateKey(conversationId), record, new MemoryCacheEntryOptions { Size = 1, SlidingExpiration = RecordCacheTtl });
        }

        return record;
    }

    /// <summary>Saves a new conversation: the record (first write only) and its transcript with the opening events.</summary>
    public async Task CreateAsync(ConversationRecord record, Transcript transcript, CancellationToken cancellationToken)
    {
        var saved = await dapr.TrySaveStateAsync(
            Store, ConversationRecord.StateKey(record.Id), record, string.Empty,
            new StateOptions { Concurrency = ConcurrencyMode.FirstWrite }, cancellationToken: cancellationToken);
        if (!saved)
        {
            throw new InvalidOperationException("A conversation id was drawn twice.");
        }

        await dapr.SaveStateAsync(Store, Transcript.StateKey(record.Tenant, record.Id), transcript, cancellationToken: cancellationToken);
        await WriteVersionAsync(record.Tenant, record.Id, transcript.NextEventId, cancellationToken);
    }

    public Task<Transcript?> ReadAsync(TenantKey tenant, string conversationId, CancellationToken cancellationToken) =>
        dapr.GetStateAsync<Transcript?>(Store, Transcript.StateKey(tenant, conversationId), cancellationToken: cancellationToken);

    /// <summary>
    /// An optimistic read-modify-write of the conversation (<see cref="OptimisticState.UpdateAsync{T}"/>); when the
    /// saved value has new events, its version key is written and the streams are woken.
    /// </summary>
    /// <returns>The outcome and the value saved (null unless <see cref="StateUpdate.Saved"/>).</returns>
    public async Task<(StateUpdate Outcome, Transcript? Saved)> UpdateAsync(
        TenantKey tenant, string conversationId, Func<Transcript?, Transcript?> change, CancellationToken cancellationToken)
    {
        Transcript? before = null;
        Transcript? after = null;
        var outcome = await dapr.UpdateAsync<Transcript>(
            Store,
            Transcript.StateKey(tenant, conversationId),
            current =>
            {
                before = current;
                after = change(current);
                return after;
            },
            options.Value.MaxSaveAttempts,
            time,
            cancellationToken);

        if (outcome != StateUpdate.Saved)
        {
            return (outcome, null);
        }

        if (after!.NextEventId != (before?.NextEventId ?? 1))
        {
            await WriteVersionAsync(tenant, conversationId, after.NextEventId, cancellationToken);
        }

        return (outcome, after);
    }

    private async Task WriteVersionAsync(TenantKey tenant, string conversationId, long version, CancellationToken cancellationToken)
    {
        var key = VersionKey(tenant, conversationId);
        watcher.Notify(key);
        try
        {
            // Best effort: the transcript is saved already. Written after it, so a stream that wakes reads the new value;
            // concurrent writers may write versions out of order, which is fine because any change wakes a stream.
            await dapr.SaveStateAsync(Store, key, version.ToString(CultureInfo.InvariantCulture), cancellationToken: cancellationToken);
        }
        catch (DaprException e)
        {
            LogVersionKeyNotWritten(e);
        }
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Could not write the conversation's version key; streams on other replicas wake at its next change")]
    private partial void LogVersionKeyNotWritten(Exception exception);
}

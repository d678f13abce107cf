using System.Text.Json;
using Dapr.Client;
using Microsoft.Extensions.Options;
using PolyAi.Messaging.Agent.Conversations;
using PolyAi.Messaging.Agent.Transcripts;
using PolyAi.Messaging.Contracts;

namespace PolyAi.Messaging.Agent.Handoffs;

/// <summary>
/// A conversation with a human that had a customer message pending when it was last listed: <see cref="ListedAt"/> and
/// <see cref="Version"/> change with every listing, so the sweep neither reads a conversation still being talked in nor
/// drops one listed again while it looked.
/// </summary>
public sealed record PendingForward(TenantKey Tenant, string ConversationId, DateTimeOffset ListedAt, long Version)
{
    public bool Is(TenantKey tenant, string conversationId) => Tenant == tenant && ConversationId == conversationId;
}

/// <summary>
/// The conversations with a human whose customer messages may still need forwarding, in <see cref="Shards"/> records
/// (a stable hash of tenant and conversation): the state store cannot list transcripts, and a message for the human must
/// reach them even when the customer is gone and nothing else reads the transcript again.
/// </summary>
public sealed record PendingForwards(IReadOnlyList<PendingForward> Conversations)
{
    public const int Shards = 64;

    public static string ShardKey(int shard) => $"agent/pending-forwards/{shard}";

    public static string ShardKeyOf(TenantKey tenant, string conversationId) => ShardKey(StableShard.Of($"{tenant}/{conversationId}", Shards));

    public static IReadOnlyList<string> AllKeys { get; } = [.. Enumerable.Range(0, Shards).Select(ShardKey)];
}

/// <summary>
/// The pending-forward index: lists a conversation with a human when a customer message is accepted for it, or when a
/// handoff is requested (until it is started), and takes settled ones off. Etag-checked saves of one shard each.
/// </summary>
public sealed class PendingForwardIndex(DaprClient dapr, IOptions<TranscriptOptions> options, TimeProvider time)
{
    private string Store => options.Value.StateStore;

    /// <summary>Lists the conversation, or lists it again (newer time, next version): one etag-checked save.</summary>
    public async Task ListAsync(TenantKey tenant, string conversationId, CancellationToken cancellationToken)
    {
        var now = time.GetUtcNow();
        await UpdateAsync(PendingForwards.ShardKeyOf(tenant, conversationId), list =>
        {
            var listed = list.FirstOrDefault(e => e.Is(tenant, conversationId));
            return [.. list.Where(e => !e.Is(tenant, conversationId)), new PendingForward(tenant, conversationId, now, (listed?.Version ?? 0) + 1)];
        }, cancellationToken);
    }

    /// <summary>Every shard, as stored (empty ones skipped).</summary>
    public async Task<IReadOnlyList<(string Key, PendingForwards Shard)>> ShardsAsync(CancellationToken cancellationToken)
    {
        var shards = new List<(string, PendingForwards)>();
        foreach (var item in await dapr.GetBulkStateAsync(Store, PendingForwards.AllKeys, parallelism: 4, cancellationToken: cancellationToken))
        {
            if (!string.IsNullOrEmpty(item.Value)
                && JsonSerializer.Deserialize(item.Value, AgentStateJsonContext.Default.PendingForwards) is { Conversations.Count: > 0 } shard)
            {
                shards.Add((item.Key, shard));
            }
        }

        return shards;
    }

    /// <summary>Takes <paramref name="settled"/> off the shard; an entry listed again since (a new version) stays.</summary>
    public Task RemoveAsync(string shardKey, IReadOnlyCollection<PendingForward> settled, CancellationToken cancellationToken) =>
        UpdateAsync(shardKey, list => [.. list.Where(e => !settled.Contains(e))], cancellationToken);

    private async Task UpdateAsync(string key, Func<IReadOnlyList<PendingForward>, IReadOnlyList<PendingForward>?> change, CancellationToken cancellationToken)
    {
        var result = await dapr.UpdateAsync<PendingForwards>(
            Store, key, current => change(current?.Conversations ?? []) is { } list ? new PendingForwards(list) : null,
            options.Value.MaxSaveAttempts, time, cancellationToken);
        if (result == StateUpdate.Conflict)
        {
            throw new InvalidOperationException($"State {key} kept changing; try again.");
        }
    }
}

/// <summary>
/// Every <see cref="TranscriptOptions.PendingSweepInterval"/> looks at the conversations listed on the
/// <see cref="PendingForwardIndex"/> longer ago than <see cref="TranscriptOptions.RecoverTurnsAfter"/>: turns still
/// pending and handoffs still requested (their replica died) are taken up by this replica
/// (<see cref="ConversationTurns.Recover"/>; the handoff service drops a forward or a start it has seen), and
/// conversations with nothing left leave the list. The list holds the conversations with a human that had a message lately.
/// </summary>
public sealed partial class PendingForwardSweeper(
    PendingForwardIndex index, ConversationStore store, ConversationTurns turns, IOptions<TranscriptOptions> options, TimeProvider time,
    ILogger<PendingForwardSweeper> logger) : BackgroundService
{
    /// <summary>
    /// Looks at the conversations listed longer ago than <see cref="TranscriptOptions.RecoverTurnsAfter"/> (one still
    /// being talked in keeps being listed again, and is not read): pending turns and stalled starts are recovered,
    /// settled conversations leave the list unless they were listed again meanwhile.
    /// </summary>
    public async Task SweepAsync(CancellationToken cancellationToken)
    {
        var quietSince = time.GetUtcNow() - options.Value.RecoverTurnsAfter;
        foreach (var (key, shard) in await index.ShardsAsync(cancellationToken))
        {
            var settled = new List<PendingForward>();
            foreach (var entry in shard.Conversations.Where(e => e.ListedAt < quietSince))
            {
                var transcript = await store.ReadAsync(entry.Tenant, entry.ConversationId, cancellationToken);
                if (transcript is null || transcript.IsEnded
                    || (transcript.PendingTurns.Count == 0 && transcript.Handoff is not { Status: HandoffStatus.Requested }))
                {
                    settled.Add(entry);
                }
                else if (await store.FindAsync(entry.ConversationId, cancellationToken) is { } conversation)
                {
                    turns.Recover(conversation, transcript);
                }
            }

            if (settled.Count > 0)
            {
                await index.RemoveAsync(key, settled, cancellationToken);
            }
        }
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        using var timer = new PeriodicTimer(options.Value.PendingSweepInterval, time);
        try
        {
            while (await timer.WaitForNextTickAsync(stoppingToken))
            {
                try
                {
                    await SweepAsync(stoppingToken);
                }
                catch (Exception e) when (e is not OperationCanceledException)
                {
                    LogSweepFailed(e);
                }
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
        }
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Could not sweep the conversations with messages pending for a human; trying again at the next interval")]
    private partial void LogSweepFailed(Exception exception);
}

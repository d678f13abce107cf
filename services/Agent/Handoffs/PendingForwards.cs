using System.Text.Json;
using Dapr.Client;
using Microsoft.Extensions.Options;
using PolyAi.Messaging.Agent.Conversations;
using PolyAi.Messaging.Agent.Transcripts;
using PolyAi.Messaging.Contracts;

namespace PolyAi.Messaging.Agent.Handoffs;

/// <summary>A conversation with a human that had a customer message pending when it was listed.</summary>
public sealed record PendingForward(TenantKey Tenant, string ConversationId);

/// <summary>
/// The conversations with a human whose customer messages may still need forwarding, in <see cref="Shards"/> records
/// (a stable hash of tenant and conversation): the state store cannot list transcripts, and a message for the human must
/// reach them even when the customer is gone and nothing else reads the transcript again.
/// </summary>
public sealed record PendingForwards(IReadOnlyList<PendingForward> Conversations)
{
    public const int Shards = 16;

    public static string ShardKey(int shard) => $"agent/pending-forwards/{shard}";

    public static string ShardKeyOf(TenantKey tenant, string conversationId) => ShardKey(StableShard.Of($"{tenant}/{conversationId}", Shards));

    public static IReadOnlyList<string> AllKeys { get; } = [.. Enumerable.Range(0, Shards).Select(ShardKey)];
}

/// <summary>
/// Lists a conversation with a human when a customer message is accepted for it, and every
/// <see cref="TranscriptOptions.PendingSweepInterval"/> looks at the listed ones: turns pending for longer than
/// <see cref="TranscriptOptions.RecoverTurnsAfter"/> (their replica died) are forwarded by this replica
/// (<see cref="ConversationTurns.Recover"/>; the handoff service drops a forward it has seen), and conversations with
/// nothing pending leave the list.
/// </summary>
public sealed partial class PendingForwardSweeper(
    DaprClient dapr, ConversationStore store, ConversationTurns turns, IOptions<TranscriptOptions> options, TimeProvider time,
    ILogger<PendingForwardSweeper> logger) : BackgroundService
{
    private string Store => options.Value.StateStore;

    public async Task ListAsync(TenantKey tenant, string conversationId, CancellationToken cancellationToken)
    {
        var entry = new PendingForward(tenant, conversationId);
        await UpdateAsync(PendingForwards.ShardKeyOf(tenant, conversationId), list => list.Contains(entry) ? null : [.. list, entry], cancellationToken);
    }

    public async Task SweepAsync(CancellationToken cancellationToken)
    {
        foreach (var item in await dapr.GetBulkStateAsync(Store, PendingForwards.AllKeys, parallelism: 4, cancellationToken: cancellationToken))
        {
            if (string.IsNullOrEmpty(item.Value)
                || JsonSerializer.Deserialize(item.Value, AgentStateJsonContext.Default.PendingForwards) is not { Conversations.Count: > 0 } shard)
            {
                continue;
            }

            var settled = new List<PendingForward>();
            foreach (var entry in shard.Conversations)
            {
                var transcript = await store.ReadAsync(entry.Tenant, entry.ConversationId, cancellationToken);
                if (transcript is not { PendingTurns.Count: > 0 } || transcript.IsEnded)
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
                await UpdateAsync(item.Key, list => [.. list.Where(e => !settled.Contains(e))], cancellationToken);
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

    [LoggerMessage(Level = LogLevel.Warning, Message = "Could not sweep the conversations with messages pending for a human; trying again at the next interval")]
    private partial void LogSweepFailed(Exception exception);
}

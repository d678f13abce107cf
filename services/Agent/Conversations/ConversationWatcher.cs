using System.Collections.Concurrent;
using Dapr.Client;
using Microsoft.Extensions.Options;
using PolyAi.Messaging.Agent.Chat;
using PolyAi.Messaging.Agent.Transcripts;

namespace PolyAi.Messaging.Agent.Conversations;

/// <summary>
/// Wakes the SSE streams open on this replica when their conversation changes, wherever the change was made.
/// A change made here wakes them at once; a change made by another replica is seen by one bulk read of the
/// version keys of every watched conversation per <see cref="ChatOptions.StreamPollInterval"/> (in chunks), so the
/// cost is per replica and per interval, not per stream.
/// </summary>
public sealed class ConversationWatcher(
    DaprClient dapr, IOptions<TranscriptOptions> transcripts, IOptions<ChatOptions> chat, TimeProvider time,
    ILogger<ConversationWatcher> logger) : BackgroundService
{
    private const int ChunkSize = 200;
    private readonly ConcurrentDictionary<string, Watch> _watches = new();
    private readonly Lock _gate = new();

    /// <summary>Conversations watched now (each may have several streams).</summary>
    public int Count => _watches.Count;

    /// <summary>Starts watching <paramref name="versionKey"/>; dispose the subscription when the stream ends.</summary>
    public Subscription Subscribe(string versionKey)
    {
        lock (_gate)
        {
            var watch = _watches.GetOrAdd(versionKey, _ => new Watch());
            watch.Subscribers++;
            return new Subscription(this, versionKey, watch);
        }
    }

    /// <summary>Wakes this replica's streams of the conversation.</summary>
    public void Notify(string versionKey)
    {
        if (_watches.TryGetValue(versionKey, out var watch))
        {
            watch.Signal();
        }
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                await Task.Delay(chat.Value.StreamPollInterval, time, stoppingToken);
                await PollAsync(stoppingToken);
            }
            catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
            {
                return;
            }
            catch (Exception e)
            {
                logger.LogWarning(e, "Could not read the version keys of watched conversations; trying again");
            }
        }
    }

    private async Task PollAsync(CancellationToken cancellationToken)
    {
        foreach (var chunk in _watches.Keys.Chunk(ChunkSize))
        {
            var items = await dapr.GetBulkStateAsync(transcripts.Value.StateStore, chunk, parallelism: 1, cancellationToken: cancellationToken);
            foreach (var item in items)
            {
                // The first sight signals too: a change between a stream's first read and this poll is not lost.
                if (_watches.TryGetValue(item.Key, out var watch) && watch.LastSeen != item.Value)
                {
                    watch.LastSeen = item.Value;
                    watch.Signal();
                }
            }
        }
    }

    private void Release(string versionKey, Watch watch)
    {
        lock (_gate)
        {
            watch.Subscribers--;
            if (watch.Subscribers == 0)
            {
                _watches.TryRemove(versionKey, out _);
            }
        }
    }

    /// <summary>One watched conversation, shared by its streams.</summary>
    public sealed class Watch
    {
        internal int Subscribers { get; set; }

        internal string? LastSeen { get; set; }

        private TaskCompletionSource _changed = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public Task Changed => Volatile.Read(ref _changed).Task;

        public void Signal() =>
            Interlocked.Exchange(ref _changed, new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously)).TrySetResult();
    }

    /// <summary>One stream's interest in a conversation.</summary>
    public sealed class Subscription(ConversationWatcher watcher, string versionKey, Watch watch) : IDisposable
    {
        /// <summary>Completes at the next change after this property was read: read it before reading the conversation.</summary>
        public Task Changed => watch.Changed;

        public void Dispose() => watcher.Release(versionKey, watch);
    }
}

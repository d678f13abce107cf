using System.Collections.Concurrent;
using System.Diagnostics.CodeAnalysis;
using Dapr.Client;
using Microsoft.Extensions.Options;
using PolyAi.Messaging.Agent.Chat;
using PolyAi.Messaging.Agent.Transcripts;

namespace PolyAi.Messaging.Agent.Conversations;

/// <summary>
/// Wakes the SSE streams open on this replica when their conversation changes, wherever the change was made.
/// A change made here wakes them at once; a change made by another replica is seen by one bulk read of the
/// version keys of every watched conversation per <see cref="ChatOptions.StreamPollInterval"/> (in chunks), so the
/// cost is per replica and per interval, not per stream. A change is read once per replica too: the streams of a
/// conversation share one read per change (<see cref="Subscription.ReadAsync"/>). Streams are capped per conversation
/// (<see cref="ChatOptions.MaxStreamsPerConversation"/>) and per replica (<see cref="ChatOptions.MaxStreams"/>).
/// </summary>
public sealed partial class ConversationWatcher(
    DaprClient dapr, IOptions<TranscriptOptions> transcripts, IOptions<ChatOptions> chat, TimeProvider time,
    ILogger<ConversationWatcher> logger) : BackgroundService
{
    private const int ChunkSize = 200;
    private readonly ConcurrentDictionary<string, Watch> _watches = new();
    private readonly Lock _gate = new();
    private int _streams;
    private long _reads;

    /// <summary>Conversations watched now (each may have several streams).</summary>
    public int Count => _watches.Count;

    /// <summary>Streams subscribed now, all conversations together.</summary>
    public int Streams => Volatile.Read(ref _streams);

    /// <summary>Conversation reads made for streams since start (one per change, shared by a conversation's streams).</summary>
    public long Reads => Interlocked.Read(ref _reads);

    /// <summary>
    /// Starts watching <paramref name="versionKey"/>; dispose the subscription when the stream ends. Null when the
    /// conversation has its most streams already, or the replica does (<paramref name="replicaFull"/>).
    /// </summary>
    public Subscription? TrySubscribe(string versionKey, out bool replicaFull)
    {
        lock (_gate)
        {
            replicaFull = _streams >= chat.Value.MaxStreams;
            _watches.TryGetValue(versionKey, out var existing);
            if (replicaFull || existing?.Subscribers >= chat.Value.MaxStreamsPerConversation)
            {
                return null;
            }

            var watch = existing ?? _watches.GetOrAdd(versionKey, _ => new Watch());
            watch.Subscribers++;
            _streams++;
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

    [SuppressMessage("Design", "CA1031:Do not catch general exception types", Justification = "The poll loop outlives any failed read: logged, and the next tick tries again.")]
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
                LogVersionKeysNotRead(e);
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
            _streams--;
            if (watch.Subscribers == 0)
            {
                _watches.TryRemove(versionKey, out _);
            }
        }
    }

    private Task<T> SharedRead<T>(Func<CancellationToken, Task<T>> read)
    {
        Interlocked.Increment(ref _reads);
        ConversationMetrics.StreamReads.Inc();
        return ReadWithin(read, chat.Value.StreamReadTimeout, time);

        static async Task<T> ReadWithin(Func<CancellationToken, Task<T>> read, TimeSpan timeout, TimeProvider time)
        {
            // Not any one stream's token: a stream going away must not fail the read its neighbours wait for.
            using var deadline = new CancellationTokenSource(timeout, time);
            return await read(deadline.Token);
        }
    }

    /// <summary>One watched conversation, shared by its streams.</summary>
    public sealed class Watch
    {
        private readonly Lock _snapshotGate = new();
        private Task? _snapshotOf;
        private Task? _snapshot;

        internal int Subscribers { get; set; }

        internal string? LastSeen { get; set; }

        private TaskCompletionSource _changed = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public Task Changed => Volatile.Read(ref _changed).Task;

        /// <summary>
        /// The read made since <paramref name="changed"/> became the pending change, started now if there is none (or
        /// it failed): it saw every change signalled before, and any later change completes <paramref name="changed"/>.
        /// </summary>
        internal Task<T> Snapshot<T>(Task changed, Func<Task<T>> start)
        {
            lock (_snapshotGate)
            {
                if (ReferenceEquals(_snapshotOf, changed) && _snapshot is Task<T> shared && !shared.IsFaulted && !shared.IsCanceled)
                {
                    return shared;
                }

                var fresh = start();
                _snapshotOf = changed;
                _snapshot = fresh;
                return fresh;
            }
        }

        public void Signal() =>
            Interlocked.Exchange(ref _changed, new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously)).TrySetResult();
    }

    /// <summary>One stream's interest in a conversation.</summary>
    public sealed class Subscription(ConversationWatcher watcher, string versionKey, Watch watch) : IDisposable
    {
        /// <summary>Completes at the next change after this property was read: read it before reading the conversation.</summary>
        public Task Changed => watch.Changed;

        /// <summary>
        /// The conversation as read after <paramref name="changed"/> (a value of <see cref="Changed"/>) became
        /// pending: one read shared by every stream of the conversation on this replica, each waiting with its own token.
        /// </summary>
        public Task<T> ReadAsync<T>(Task changed, Func<CancellationToken, Task<T>> read, CancellationToken cancellationToken) =>
            watch.Snapshot(changed, () => watcher.SharedRead(read)).WaitAsync(cancellationToken);

        public void Dispose() => watcher.Release(versionKey, watch);
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Could not read the version keys of watched conversations; trying again")]
    private partial void LogVersionKeysNotRead(Exception exception);
}

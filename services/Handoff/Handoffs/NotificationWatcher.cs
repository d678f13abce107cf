using System.Threading.Channels;
using Microsoft.Extensions.Options;
using PolyAi.Messaging.Contracts;
using PolyAi.Messaging.ServiceDefaults;

namespace PolyAi.Messaging.Handoff.Handoffs;

/// <summary>
/// Watches open handoff conversations on Genesys notification channels (Corrections 4). Per Genesys environment and
/// OAuth client: channels of at most 1,000 topics each, no more than <see cref="HandoffOptions.NotificationsMaxChannels"/>
/// (Genesys allows 20 per client); each session's <c>v2.detail.events.conversation.{id}.user.end</c> and
/// <c>.customer.end</c>, and its queue's <c>v2.routing.queues.{queueId}.conversations.messages</c> while any watched
/// session uses that queue. When every channel is full the session is left to the poller (log + metric).
/// A queue event showing an agent connected publishes <c>connected</c> from its body; an event that may mean an end only
/// says "look now": the session is reconciled with GET conversation (a transfer also ends an agent's part).
/// A session's topics go when it ends, whoever noticed (<see cref="Unwatch"/>, called by
/// <see cref="HandoffLifecycle.EndedAsync"/>); every <see cref="HandoffOptions.NotificationsSweepInterval"/> the sessions
/// still watched are compared with the active list (ends seen by other replicas), and an OAuth client without sessions
/// for <see cref="HandoffOptions.NotificationsIdleTimeout"/> has its channels closed — so what is held here is bounded by
/// the open sessions. At start every session of the active list is watched again, so a restart loses nothing.
/// </summary>
public sealed partial class NotificationWatcher(
    HandoffLifecycle lifecycle,
    SessionEnds ends,
    HandoffSessionStore state,
    TenantGenesys genesys,
    IOptions<HandoffOptions> options,
    TimeProvider time,
    ILogger<NotificationWatcher> logger) : BackgroundService
{
    private const int MaxPendingEvents = 10_000;
    private const int Reconcilers = 4;
    private static readonly TimeSpan ReadyWait = TimeSpan.FromSeconds(5);
    private static readonly TimeSpan FullLogInterval = TimeSpan.FromMinutes(1);

    private readonly Lock _gate = new();
    private readonly Dictionary<string, ClientWatch> _clients = new(StringComparer.Ordinal);
    private readonly Dictionary<string, ConversationSignal> _pendingIds = new(StringComparer.Ordinal);

    // Conversations a reconciler is acting on now, and the strongest signal that arrived meanwhile (queued again after).
    private readonly Dictionary<string, ConversationSignal> _inFlight = new(StringComparer.Ordinal);
    private readonly Channel<(TenantKey Tenant, string ConversationId)> _pending = Channel.CreateUnbounded<(TenantKey, string)>();
    private CancellationToken _stopping;

    private HandoffOptions Options => options.Value;

    /// <summary>
    /// Subscribes to the session's conversation. Returns at once when its queue's topic is already subscribed (that
    /// topic tells of the agent taking it; the session's own end topics follow within
    /// <see cref="HandoffOptions.NotificationsSubscribeInterval"/>), otherwise once subscribed or after a short bounded wait.
    /// </summary>
    public async Task WatchAsync(TenantConnection connection, ActiveSession session, CancellationToken cancellationToken)
    {
        if (Watch(connection, session) is not { Wait: true } watched)
        {
            return;
        }

        var (channel, version, _) = watched;

        try
        {
            await channel.WaitSyncedAsync(version, ReadyWait, cancellationToken);
        }
        catch (TimeoutException)
        {
            // The channel subscribes it once it is (back) up; until then the poller covers the session.
            LogNotSubscribedYet(session.GenesysConversationId);
        }
    }

    /// <summary>Stops watching the session's conversation: its topics go, and its queue's when no other session uses it.</summary>
    public void Unwatch(TenantKey tenant, string genesysConversationId)
    {
        lock (_gate)
        {
            foreach (var client in _clients.Values)
            {
                if (!client.Sessions.TryGetValue(genesysConversationId, out var session) || session.Tenant != tenant)
                {
                    continue;
                }

                client.Sessions.Remove(genesysConversationId);
                client.LastActive = time.GetUtcNow();
                foreach (var topic in ConversationTopics(genesysConversationId))
                {
                    session.Channel.Desired.Remove(topic);
                }

                session.Channel.Changed();
                if (session.QueueId is { } queueId && client.Queues.TryGetValue(queueId, out var queue) && --queue.Sessions == 0)
                {
                    client.Queues.Remove(queueId);
                    queue.Channel.Desired.Remove(QueueTopic(queueId));
                    queue.Channel.Changed();
                }
            }

            UpdateGauges();
        }
    }

    /// <summary>Whether the session's conversation is watched on a channel.</summary>
    internal bool IsWatching(TenantKey tenant, string genesysConversationId)
    {
        lock (_gate)
        {
            return _clients.Values.Any(c => c.Sessions.TryGetValue(genesysConversationId, out var s) && s.Tenant == tenant);
        }
    }

    /// <summary>What the watcher holds now (for tests and diagnostics).</summary>
    public NotificationWatchCounts Counts()
    {
        lock (_gate)
        {
            return new NotificationWatchCounts(
                _clients.Count,
                _clients.Values.Sum(c => c.Channels.Count),
                _clients.Values.Sum(c => c.Sessions.Count),
                _clients.Values.Sum(c => c.Queues.Count),
                _clients.Values.Sum(c => c.Channels.Sum(ch => ch.Desired.Count)),
                _pendingIds.Count);
        }
    }

    public override async Task StopAsync(CancellationToken cancellationToken)
    {
        await base.StopAsync(cancellationToken);
        List<WatchedChannel> channels;
        lock (_gate)
        {
            channels = [.. _clients.Values.SelectMany(c => c.Channels)];
            _clients.Clear();
            UpdateGauges();
        }

        foreach (var channel in channels)
        {
            await channel.DisposeAsync();
        }
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        _stopping = stoppingToken;
        ends.Subscribe(Unwatch); // before this, nothing is watched: an end has nothing to remove
        if (!Options.NotificationsEnabled)
        {
            return;
        }

        var reconcilers = Enumerable.Range(0, Reconcilers).Select(_ => Task.Run(() => ReconcileEventsAsync(stoppingToken), CancellationToken.None)).ToList();

        // Watch again what was open before a restart (without waiting for each subscription).
        try
        {
            foreach (var session in await state.ActiveAsync(stoppingToken))
            {
                if ((await genesys.ConnectAsync(session.Tenant, stoppingToken)).Connection is { } connection)
                {
                    Watch(connection, session);
                }
            }
        }
        catch (Exception e) when (e is not OperationCanceledException || !stoppingToken.IsCancellationRequested)
        {
            LogRewatchFailed(e);
        }

        try
        {
            using var sweep = new PeriodicTimer(Options.NotificationsSweepInterval, time);
            while (await sweep.WaitForNextTickAsync(stoppingToken))
            {
                await SweepAsync(stoppingToken);
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
        }

        await Task.WhenAll(reconcilers).ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
    }

    internal static string[] ConversationTopics(string genesysConversationId) =>
    [
        $"v2.detail.events.conversation.{genesysConversationId}.user.end",
        $"v2.detail.events.conversation.{genesysConversationId}.customer.end",
    ];

    internal static string QueueTopic(string queueId) => $"v2.routing.queues.{queueId}.conversations.messages";

    /// <summary>Puts the session's topics on a channel with room (opening one if allowed); null when disabled or full.</summary>
    /// <returns>Where, and whether a caller should wait for the subscription (a new queue topic, or no queue).</returns>
    private (WatchedChannel Channel, long Version, bool Wait)? Watch(TenantConnection connection, ActiveSession session)
    {
        if (!Options.NotificationsEnabled || _stopping.IsCancellationRequested)
        {
            return null;
        }

        var id = session.GenesysConversationId;
        lock (_gate)
        {
            var key = $"{connection.Client.Environment}|{connection.Client.ClientId}";
            if (!_clients.TryGetValue(key, out var client))
            {
                client = new ClientWatch();
                _clients[key] = client;
            }

            var now = time.GetUtcNow();
            client.LastActive = now;
            if (client.Sessions.TryGetValue(id, out var watched))
            {
                return (watched.Channel, watched.Channel.Version, false);
            }

            var queueId = session.QueueId is { Length: > 0 } q ? q : null;
            var queueWatched = queueId is not null && client.Queues.ContainsKey(queueId);
            var own = ConversationTopics(id);
            var needed = own.Length + (queueId is not null && !queueWatched ? 1 : 0);
            var channel = client.Channels.FirstOrDefault(c => c.Desired.Count + needed <= WatchedChannel.MaxTopics);
            if (channel is null)
            {
                if (client.Channels.Count >= Options.NotificationsMaxChannels)
                {
                    HandoffMetrics.NotificationUnwatched.Inc();
                    if (now - client.FullLoggedAt >= FullLogInterval)
                    {
                        client.FullLoggedAt = now;
                        LogChannelsFull(client.Channels.Count, WatchedChannel.MaxTopics, id);
                    }

                    return null;
                }

                channel = new WatchedChannel(connection.Client, _gate, (conversationId, signal) => Enqueue(client, conversationId, signal), Options, time, logger);
                client.Channels.Add(channel);
                channel.Start(_stopping);
            }

            foreach (var topic in own)
            {
                channel.Desired.Add(topic);
            }

            if (queueId is not null)
            {
                if (queueWatched)
                {
                    client.Queues[queueId].Sessions++;
                }
                else
                {
                    channel.Desired.Add(QueueTopic(queueId));
                    client.Queues[queueId] = new QueueWatch(channel) { Sessions = 1 };
                }
            }

            client.Sessions[id] = new WatchedSession(session.Tenant, queueId, channel, now);
            var wait = queueId is null || !queueWatched;
            channel.Changed(urgent: wait);
            UpdateGauges();
            return (channel, channel.Version, wait);
        }
    }

    /// <summary>From a channel's receive loop: queue a watched conversation's event (once, however many events).</summary>
    /// <param name="signal">An agent connected is taken once per session (later events of a connected conversation
    /// change nothing, until someone leaves); a look supersedes it.</param>
    private void Enqueue(ClientWatch client, string conversationId, ConversationSignal signal)
    {
        lock (_gate)
        {
            if (!client.Sessions.TryGetValue(conversationId, out var session))
            {
                return;
            }

            if (signal == ConversationSignal.AgentConnected)
            {
                if (session.ConnectedSeen)
                {
                    return;
                }

                client.Sessions[conversationId] = session with { ConnectedSeen = true };
            }

            if (_inFlight.TryGetValue(conversationId, out var meanwhile))
            {
                // One of an end's several events is being acted on: the rest wait for its outcome (usually: ended).
                if (signal > meanwhile)
                {
                    _inFlight[conversationId] = signal;
                }
            }
            else if (_pendingIds.TryGetValue(conversationId, out var pending))
            {
                if (signal == ConversationSignal.Look && pending != ConversationSignal.Look)
                {
                    _pendingIds[conversationId] = ConversationSignal.Look;
                }
            }
            else if (_pendingIds.Count < MaxPendingEvents)
            {
                _pendingIds[conversationId] = signal;
                _pending.Writer.TryWrite((session.Tenant, conversationId));
            }
        }
    }

    private async Task ReconcileEventsAsync(CancellationToken stoppingToken)
    {
        // Acting on a conversation's events is the customer's business (who answers, that the agent left): customer
        // priority, so it is not held back behind channel upkeep and polling, which are housekeeping. An agent connected
        // is taken from the event itself (the queue topic's body is the conversation); only someone leaving costs a GET,
        // so at most one per session.
        try
        {
            await foreach (var (tenant, conversationId) in _pending.Reader.ReadAllAsync(stoppingToken))
            {
                ConversationSignal signal;
                lock (_gate)
                {
                    _pendingIds.Remove(conversationId, out signal);
                    _inFlight[conversationId] = ConversationSignal.None;
                }

                try
                {
                    await OnEventAsync(tenant, conversationId, signal, stoppingToken);
                }
                finally
                {
                    lock (_gate)
                    {
                        _inFlight.Remove(conversationId, out var meanwhile);
                        if (meanwhile != ConversationSignal.None && !_pendingIds.ContainsKey(conversationId) && _pendingIds.Count < MaxPendingEvents
                            && _clients.Values.Any(c => c.Sessions.ContainsKey(conversationId)))
                        {
                            _pendingIds[conversationId] = meanwhile;
                            _pending.Writer.TryWrite((tenant, conversationId));
                        }
                    }
                }
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
        }
    }

    private async Task OnEventAsync(TenantKey tenant, string conversationId, ConversationSignal signal, CancellationToken stoppingToken)
    {
        using var scope = logger.BeginScope(LogScope.Of(tenant: tenant.ToString(), genesysConversationId: conversationId));
        try
        {
            if (signal == ConversationSignal.AgentConnected)
            {
                await lifecycle.ConnectedAsync(tenant, conversationId, stoppingToken);
            }
            else if (!await lifecycle.ReconcileAsync(tenant, conversationId, DetectionSources.Notification, stoppingToken))
            {
                Unwatch(tenant, conversationId);
            }
        }
        catch (Exception e) when (e is not OperationCanceledException || !stoppingToken.IsCancellationRequested)
        {
            LogReconcileFailed(e);
        }
    }

    /// <summary>Drops sessions that left the active list without this replica noticing; closes idle clients' channels.</summary>
    internal async Task SweepAsync(CancellationToken cancellationToken)
    {
        var started = time.GetUtcNow();
        HashSet<(TenantKey, string)> open;
        try
        {
            open = [.. (await state.ActiveAsync(cancellationToken)).Select(s => (s.Tenant, s.GenesysConversationId))];
        }
        catch (Exception e) when (e is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
        {
            LogSweepFailed(e);
            return;
        }

        List<(TenantKey Tenant, string Id)> stale;
        lock (_gate)
        {
            stale = [.. _clients.Values.SelectMany(c => c.Sessions)
                .Where(s => s.Value.WatchedAt < started && !open.Contains((s.Value.Tenant, s.Key)))
                .Select(s => (s.Value.Tenant, s.Key))];
        }

        foreach (var (tenant, id) in stale)
        {
            Unwatch(tenant, id);
        }

        List<WatchedChannel> idle = [];
        lock (_gate)
        {
            var now = time.GetUtcNow();
            foreach (var (key, client) in _clients.Where(c => c.Value.Sessions.Count == 0 && now - c.Value.LastActive >= Options.NotificationsIdleTimeout).ToList())
            {
                _clients.Remove(key);
                idle.AddRange(client.Channels);
            }

            UpdateGauges();
        }

        foreach (var channel in idle)
        {
            await channel.CloseAsync();
        }
    }

    private void UpdateGauges()
    {
        HandoffMetrics.NotificationChannels.Set(_clients.Values.Sum(c => c.Channels.Count));
        HandoffMetrics.NotificationTopics.Set(_clients.Values.Sum(c => c.Channels.Sum(ch => ch.Desired.Count)));
    }

    [LoggerMessage(LogLevel.Warning, "Could not subscribe to Genesys conversation {GenesysConversationId} yet; the poller covers it until the channel does")]
    private partial void LogNotSubscribedYet(string genesysConversationId);

    [LoggerMessage(LogLevel.Warning, "All {Channels} Genesys notification channels of this OAuth client are full ({MaxTopics} topics each): conversation {GenesysConversationId} and later ones are left to the poller")]
    private partial void LogChannelsFull(int channels, int maxTopics, string genesysConversationId);

    [LoggerMessage(LogLevel.Warning, "Could not watch the sessions open before the restart; the poller covers them")]
    private partial void LogRewatchFailed(Exception e);

    [LoggerMessage(LogLevel.Warning, "Could not reconcile after a Genesys notification; the poller will")]
    private partial void LogReconcileFailed(Exception e);

    [LoggerMessage(LogLevel.Warning, "Could not read the active sessions to sweep the watched ones; next time")]
    private partial void LogSweepFailed(Exception e);

    /// <summary>One OAuth client's channels and what is watched on them (all under the watcher's lock).</summary>
    private sealed class ClientWatch
    {
        public List<WatchedChannel> Channels { get; } = [];
        public Dictionary<string, WatchedSession> Sessions { get; } = new(StringComparer.Ordinal);
        public Dictionary<string, QueueWatch> Queues { get; } = new(StringComparer.Ordinal);
        public DateTimeOffset LastActive { get; set; }
        public DateTimeOffset FullLoggedAt { get; set; } = DateTimeOffset.MinValue;
    }

    private sealed record WatchedSession(TenantKey Tenant, string? QueueId, WatchedChannel Channel, DateTimeOffset WatchedAt)
    {
        /// <summary>An event already showed an agent connected (and was looked at).</summary>
        public bool ConnectedSeen { get; init; }
    }

    private sealed class QueueWatch(WatchedChannel channel)
    {
        public WatchedChannel Channel => channel;
        public int Sessions { get; set; }
    }
}

/// <summary>What a <see cref="NotificationWatcher"/> holds: OAuth clients, channels, sessions, queues, topics, queued events.</summary>
public sealed record NotificationWatchCounts(int Clients, int Channels, int Sessions, int Queues, int Topics, int PendingEvents);

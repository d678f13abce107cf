using System.Diagnostics.CodeAnalysis;
using System.Net.WebSockets;
using System.Text;
using System.Text.Json;
using System.Threading.Channels;
using PolyAi.Messaging.Genesys;

namespace PolyAi.Messaging.Handoff.Handoffs;

/// <summary>
/// One Genesys notification channel the <see cref="NotificationWatcher"/> holds for an OAuth client, and its WebSocket.
/// The watcher decides which topics it should have (<see cref="Desired"/>, at most <see cref="MaxTopics"/>); this loop
/// makes Genesys agree — POST for additions (batched), PUT (replace) when topics go (lazily: see <see cref="SyncAsync"/>),
/// DELETE when none are left — and keeps the
/// socket alive: on <c>v2.system.socket_closing</c> it connects again to the same <c>connectUri</c>; after silence
/// (no event, heartbeat or pong for <see cref="HandoffOptions.NotificationsHeartbeatTimeout"/>, a ping sent half way)
/// or a lost socket it asks Genesys whether the channel still exists (HEAD) and only then opens a new one with every
/// topic. About an hour before the channel's 24 h are up it subscribes its topics again, which keeps it.
/// </summary>
internal sealed partial class WatchedChannel : IAsyncDisposable
{
    /// <summary>Genesys' limit per channel (Corrections 4).</summary>
    public const int MaxTopics = 1000;

    private const int MaxMessageBytes = 1024 * 1024;
    private static readonly TimeSpan AssumedLifetime = TimeSpan.FromHours(24);
    private static readonly TimeSpan RefreshBeforeExpiry = TimeSpan.FromHours(1);
    private static readonly byte[] Ping = """{"message":"ping"}"""u8.ToArray();

    private readonly GenesysClient _client;
    private readonly Lock _gate;
    private readonly Action<string, ConversationSignal> _onConversation;
    private readonly HandoffOptions _options;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;
    private readonly Channel<bool> _wake = Channel.CreateBounded<bool>(new BoundedChannelOptions(1) { FullMode = BoundedChannelFullMode.DropWrite });
    private readonly Channel<bool> _urgent = Channel.CreateBounded<bool>(new BoundedChannelOptions(1) { FullMode = BoundedChannelFullMode.DropWrite });
    private readonly CancellationTokenSource _stop = new();
    private CancellationTokenSource? _linked;
    private TaskCompletionSource _synced = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private long _syncedVersion;
    private long _lastHeard;
    private int _refreshDue;
    private ITimer? _refresh;
    private Task _loop = Task.CompletedTask;

    // Only the loop touches these.
    private HashSet<string> _subscribed = new(StringComparer.Ordinal);
    private DateTimeOffset? _removalsSince;
    private Uri? _connectUri;

    /// <param name="gate">The watcher's lock: it guards <see cref="Desired"/> and <see cref="Version"/>.</param>
    /// <param name="onConversation">Called with the conversation id of each event (from the receive loop; must not block).</param>
    public WatchedChannel(GenesysClient client, Lock gate, Action<string, ConversationSignal> onConversation, HandoffOptions options, TimeProvider time, ILogger logger)
    {
        _client = client;
        _gate = gate;
        _onConversation = onConversation;
        _options = options;
        _time = time;
        _logger = logger;
    }

    public enum Outcome
    {
        SocketClosing,
        Silent,
        Closed,
        Gone,
        Failed,
    }

    /// <summary>The topics Genesys should have on this channel (under the watcher's lock).</summary>
    public HashSet<string> Desired { get; } = new(StringComparer.Ordinal);

    /// <summary>Counts changes of <see cref="Desired"/> (under the watcher's lock).</summary>
    public long Version { get; private set; }

    /// <summary>The Genesys channel id, once created.</summary>
    public string? ChannelId { get; private set; }

    /// <summary>Call under the watcher's lock after changing <see cref="Desired"/>.</summary>
    /// <param name="urgent">Subscribe now, not after the pause between calls (a topic someone waits for).</param>
    public void Changed(bool urgent = false)
    {
        Version++;
        _wake.Writer.TryWrite(true);
        if (urgent)
        {
            _urgent.Writer.TryWrite(true);
        }
    }

    public void Start(CancellationToken stopping)
    {
        _linked = CancellationTokenSource.CreateLinkedTokenSource(stopping, _stop.Token);
        var token = _linked.Token;
        _loop = Task.Run(() => RunAsync(token), CancellationToken.None);
    }

    /// <summary>Returns once Genesys has every topic of <paramref name="version"/> (or later) on this channel.</summary>
    /// <exception cref="TimeoutException">Not within <paramref name="timeout"/>: the socket is down or Genesys refuses.</exception>
    public async Task WaitSyncedAsync(long version, TimeSpan timeout, CancellationToken cancellationToken)
    {
        var deadline = _time.GetUtcNow() + timeout;
        while (true)
        {
            var signal = Volatile.Read(ref _synced);
            if (Volatile.Read(ref _syncedVersion) >= version)
            {
                return;
            }

            var left = deadline - _time.GetUtcNow();
            if (left <= TimeSpan.Zero)
            {
                throw new TimeoutException($"Notification channel {ChannelId} has not subscribed the topics yet.");
            }

            await signal.Task.WaitAsync(left, _time, cancellationToken);
        }
    }

    /// <summary>Closes the channel for good (no session needs it): the topics still subscribed go first, in one request.</summary>
    public async Task CloseAsync()
    {
        await _stop.CancelAsync();
        await _loop.ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
        if (ChannelId is { } channelId && _subscribed.Count > 0)
        {
            using var housekeeping = GenesysCallPriority.Housekeeping();
            try
            {
                await _client.Notifications.DeleteSubscriptionsAsync(channelId, CancellationToken.None);
            }
            catch (Exception e) when (e is GenesysApiException or GenesysResponseException or GenesysBudgetExceededException or HttpRequestException or TimeoutException)
            {
                LogSyncFailed(e, channelId); // Genesys drops the channel within 24 h anyway
            }
        }

        await DisposeAsync();
    }

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        await _loop.ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
        _refresh?.Dispose();
        _linked?.Dispose();
        _stop.Dispose();
    }

    /// <summary>What a notification is: a heartbeat or pong, Genesys closing the socket, or an event about a conversation.</summary>
    /// <summary>
    /// What a message says: socket closing, or which conversation and whether a reconcile could act on it. A detail
    /// end event always could; a queue event (its body is the conversation) only when a customer or agent participant
    /// has left (a possible end) or an agent is connected (a possible <c>connected</c>) — not for being queued or
    /// offered, which the request budget (Corrections 3) should not pay a GET for.
    /// </summary>
    internal static (bool SocketClosing, string? ConversationId, ConversationSignal Signal) ReadEvent(ReadOnlySpan<byte> message)
    {
        try
        {
            var reader = new Utf8JsonReader(message);
            using var document = JsonDocument.ParseValue(ref reader);
            var root = document.RootElement;
            if (root.ValueKind != JsonValueKind.Object || !root.TryGetProperty("topicName", out var topicName) || topicName.GetString() is not { } topic)
            {
                return (false, null, ConversationSignal.None);
            }

            if (topic == "v2.system.socket_closing")
            {
                return (true, null, ConversationSignal.None);
            }

            const string detailPrefix = "v2.detail.events.conversation.";
            if (topic.StartsWith(detailPrefix, StringComparison.Ordinal))
            {
                var rest = topic[detailPrefix.Length..];
                var dot = rest.IndexOf('.', StringComparison.Ordinal);
                return (false, dot > 0 ? rest[..dot] : null, ConversationSignal.Look);
            }

            if (topic.StartsWith("v2.routing.queues.", StringComparison.Ordinal)
                && root.TryGetProperty("eventBody", out var body) && body.ValueKind == JsonValueKind.Object
                && body.TryGetProperty("id", out var id) && id.ValueKind == JsonValueKind.String)
            {
                return (false, id.GetString(), QueueSignal(body));
            }

            return (false, null, ConversationSignal.None);
        }
        catch (JsonException)
        {
            return (false, null, ConversationSignal.None);
        }
    }

    private static ConversationSignal QueueSignal(JsonElement conversation)
    {
        if (!conversation.TryGetProperty("participants", out var participants) || participants.ValueKind != JsonValueKind.Array)
        {
            return ConversationSignal.Look;
        }

        var agentConnected = false;
        foreach (var participant in participants.EnumerateArray())
        {
            var purpose = participant.TryGetProperty("purpose", out var p) ? p.GetString() : null;
            if (purpose is not ("customer" or "agent"))
            {
                continue; // the ACD leg leaves when an agent takes the conversation: not an end
            }

            var state = participant.TryGetProperty("state", out var st) ? st.GetString() : null;
            var ended = state is "disconnected" or "terminated" || (participant.TryGetProperty("endTime", out var end) && end.ValueKind == JsonValueKind.String);
            if (ended)
            {
                return ConversationSignal.Look;
            }

            agentConnected |= purpose == "agent" && state == "connected";
        }

        return agentConnected ? ConversationSignal.AgentConnected : ConversationSignal.None;
    }

    [SuppressMessage("Design", "CA1031:Do not catch general exception types", Justification = "Any channel failure is logged and the channel reconnects; the poller covers its conversations meanwhile.")]
    private async Task RunAsync(CancellationToken ct)
    {
        // Channel upkeep and reconciling after events are housekeeping: they yield the tenant's Genesys budget to customers.
        using var housekeeping = GenesysCallPriority.Housekeeping();
        var checkFirst = false;
        while (!ct.IsCancellationRequested)
        {
            Outcome outcome;
            try
            {
                var fresh = false;
                if (ChannelId is not null && checkFirst && !await _client.Notifications.ChannelExistsAsync(ChannelId, ct))
                {
                    LogGone(ChannelId);
                    Forget();
                }

                if (ChannelId is null)
                {
                    await CreateAsync(ct);
                    fresh = true;
                }

                using var socket = new ClientWebSocket();
                var refused = false;
                try
                {
                    await socket.ConnectAsync(_connectUri!, ct);
                }
                catch (WebSocketException) when (!fresh)
                {
                    refused = true;
                }

                if (refused)
                {
                    if (!await _client.Notifications.ChannelExistsAsync(ChannelId!, ct))
                    {
                        // Refused because the channel is gone (expired, or removed for a 21st): a new one, at once.
                        LogGone(ChannelId!);
                        Forget();
                        continue;
                    }

                    throw new WebSocketException($"Genesys refused a connection to notification channel {ChannelId}.");
                }

                LogConnected(ChannelId!, _subscribed.Count);
                outcome = await ServeAsync(socket, ct);
            }
            catch (OperationCanceledException) when (ct.IsCancellationRequested)
            {
                return;
            }
            catch (Exception e)
            {
                LogFailed(e, ChannelId);
                outcome = Outcome.Failed;
            }

            if (ct.IsCancellationRequested)
            {
                return;
            }

            HandoffMetrics.NotificationReconnects.WithLabels(Label(outcome)).Inc();
            LogLost(ChannelId, Label(outcome));
            if (outcome == Outcome.Gone)
            {
                Forget();
            }

            // After socket_closing Genesys expects the same connectUri at once; otherwise ask first whether it still exists.
            checkFirst = outcome != Outcome.SocketClosing;
            if (outcome is Outcome.Closed or Outcome.Failed)
            {
                try
                {
                    await Task.Delay(_options.NotificationsReconnectDelay, _time, ct);
                }
                catch (OperationCanceledException)
                {
                    return;
                }
            }
        }
    }

    private async Task CreateAsync(CancellationToken ct)
    {
        var channel = await _client.Notifications.CreateChannelAsync(ct);
        if (channel.Id is not { Length: > 0 } id || !Uri.TryCreate(channel.ConnectUri, UriKind.Absolute, out var connectUri))
        {
            throw new InvalidOperationException("Genesys created a notification channel without id or connectUri.");
        }

        ChannelId = id;
        _connectUri = connectUri;
        _subscribed = new HashSet<string>(StringComparer.Ordinal);
        _removalsSince = null;
        Volatile.Write(ref _syncedVersion, 0);
        var now = _time.GetUtcNow();
        ScheduleRefresh((channel.Expires ?? now + AssumedLifetime) - RefreshBeforeExpiry - now);
        LogCreated(id);
    }

    private void Forget()
    {
        ChannelId = null;
        _connectUri = null;
        Volatile.Write(ref _syncedVersion, 0);
    }

    private void ScheduleRefresh(TimeSpan due)
    {
        due = due < TimeSpan.Zero ? TimeSpan.Zero : due;
        Interlocked.Exchange(ref _refreshDue, 0);
        if (_refresh is null)
        {
            _refresh = _time.CreateTimer(_ => RefreshDue(), null, due, Timeout.InfiniteTimeSpan);
        }
        else
        {
            _refresh.Change(due, Timeout.InfiniteTimeSpan);
        }
    }

    private void RefreshDue()
    {
        Interlocked.Exchange(ref _refreshDue, 1);
        _wake.Writer.TryWrite(true);
    }

    private async Task<Outcome> ServeAsync(ClientWebSocket socket, CancellationToken ct)
    {
        using var serving = CancellationTokenSource.CreateLinkedTokenSource(ct);
        Volatile.Write(ref _lastHeard, _time.GetTimestamp());
        var receive = ReceiveAsync(socket, serving.Token);
        var watchdog = WatchdogAsync(socket, serving.Token);
        var sync = SyncAsync(serving.Token);
        _wake.Writer.TryWrite(true);
        var first = await Task.WhenAny(receive, watchdog, sync);
        if (socket.State == WebSocketState.Open)
        {
            using var closing = CancellationTokenSource.CreateLinkedTokenSource(ct);
            closing.CancelAfter(TimeSpan.FromSeconds(1));
            try
            {
                await socket.CloseOutputAsync(WebSocketCloseStatus.NormalClosure, "reconnecting", closing.Token);
            }
            catch (Exception e) when (e is WebSocketException or OperationCanceledException)
            {
            }
        }

        await serving.CancelAsync();
        socket.Abort();
        await ((Task)Task.WhenAll(receive, watchdog, sync)).ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
        return await first;
    }

    private async Task<Outcome> ReceiveAsync(ClientWebSocket socket, CancellationToken ct)
    {
        var buffer = new byte[16 * 1024];
        using var message = new MemoryStream();
        try
        {
            while (true)
            {
                var result = await socket.ReceiveAsync(buffer, ct);
                if (result.MessageType == WebSocketMessageType.Close)
                {
                    return Outcome.Closed;
                }

                Volatile.Write(ref _lastHeard, _time.GetTimestamp());
                if (message.Length + result.Count <= MaxMessageBytes)
                {
                    message.Write(buffer, 0, result.Count);
                }

                if (!result.EndOfMessage)
                {
                    continue;
                }

                var (socketClosing, conversationId, signal) = ReadEvent(message.GetBuffer().AsSpan(0, (int)message.Length));
                message.SetLength(0);
                if (socketClosing)
                {
                    return Outcome.SocketClosing;
                }

                if (conversationId is not null && signal != ConversationSignal.None)
                {
                    _onConversation(conversationId, signal);
                }
            }
        }
        catch (WebSocketException) when (!ct.IsCancellationRequested)
        {
            return Outcome.Closed;
        }
    }

    /// <summary>Genesys heartbeats about every 30 s; silence for the timeout means a dead socket (a ping at half of it).</summary>
    private async Task<Outcome> WatchdogAsync(ClientWebSocket socket, CancellationToken ct)
    {
        var timeout = _options.NotificationsHeartbeatTimeout;
        var pingAfter = timeout / 2;
        var pinged = false;
        while (true)
        {
            var silent = _time.GetElapsedTime(Volatile.Read(ref _lastHeard));
            if (silent >= timeout)
            {
                return Outcome.Silent;
            }

            TimeSpan wait;
            if (silent >= pingAfter)
            {
                if (!pinged)
                {
                    pinged = true;
                    try
                    {
                        await socket.SendAsync(Ping, WebSocketMessageType.Text, endOfMessage: true, ct);
                    }
                    catch (WebSocketException) when (!ct.IsCancellationRequested)
                    {
                        return Outcome.Closed;
                    }
                }

                wait = timeout - silent;
            }
            else
            {
                pinged = false;
                wait = pingAfter - silent;
            }

            await Task.Delay(wait, _time, ct);
        }
    }

    /// <summary>
    /// Makes Genesys' topics of the channel cover <see cref="Desired"/> whenever it changes, within the tenant's request
    /// budget (Corrections 3): additions wait up to <see cref="HandoffOptions.NotificationsSubscribeInterval"/> after the
    /// previous call, so the sessions started meanwhile share one <c>POST</c> (a new queue topic goes at once); topics of
    /// ended sessions stay subscribed (their events are ignored) for up to
    /// <see cref="HandoffOptions.NotificationsTopicRemovalDelay"/> and then go in one <c>PUT</c> — earlier when the room
    /// is needed, in the same <c>PUT</c> as the additions. A spent budget waits for the next minute and keeps the socket.
    /// </summary>
    private async Task<Outcome> SyncAsync(CancellationToken ct)
    {
        var notifications = _client.Notifications;
        while (true)
        {
            await WaitForWorkAsync(ct);
            while (_urgent.Reader.TryRead(out _))
            {
            }

            HashSet<string> desired;
            long version;
            lock (_gate)
            {
                desired = new HashSet<string>(Desired, StringComparer.Ordinal);
                version = Version;
            }

            var channelId = ChannelId!;
            var now = _time.GetUtcNow();
            var added = desired.Where(t => !_subscribed.Contains(t)).ToList();
            var removing = _subscribed.Any(t => !desired.Contains(t));
            _removalsSince = removing ? _removalsSince ?? now : null;
            var removalsDue = removing
                && (now - _removalsSince >= _options.NotificationsTopicRemovalDelay || _subscribed.Count + added.Count > MaxTopics);
            var called = false;
            try
            {
                if (Interlocked.Exchange(ref _refreshDue, 0) == 1 && desired.Count > 0)
                {
                    // "To maintain a channel for longer than 24 hours, resubscribe to topics."
                    await notifications.ReplaceSubscriptionsAsync(channelId, [.. desired], ct);
                    ScheduleRefresh(AssumedLifetime - RefreshBeforeExpiry);
                    (_subscribed, _removalsSince, called) = (desired, null, true);
                }
                else if (removalsDue)
                {
                    if (desired.Count == 0)
                    {
                        await notifications.DeleteSubscriptionsAsync(channelId, ct);
                    }
                    else
                    {
                        await notifications.ReplaceSubscriptionsAsync(channelId, [.. desired], ct);
                    }

                    (_subscribed, _removalsSince, called) = (desired, null, true);
                }
                else if (added.Count > 0)
                {
                    await notifications.SubscribeAsync(channelId, added, ct);
                    _subscribed.UnionWith(added);
                    called = true;
                }

                Volatile.Write(ref _syncedVersion, version);
                Interlocked.Exchange(ref _synced, new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously)).TrySetResult();
            }
            catch (GenesysApiException e) when (e.Status == System.Net.HttpStatusCode.NotFound)
            {
                return Outcome.Gone;
            }
            catch (GenesysBudgetExceededException)
            {
                // The tenant's housekeeping share of this minute is spent: the socket stays, the change waits a minute.
                LogBudgetSpent(channelId);
                await Task.Delay(UntilNextMinute(), _time, ct);
                _wake.Writer.TryWrite(true);
                continue;
            }
            catch (GenesysApiException e) when ((int)e.Status is >= 400 and < 500 && e.Status != System.Net.HttpStatusCode.TooManyRequests)
            {
                // Refused whole (a topic Genesys does not accept): believe what it has, and stop waiting for it. The
                // sessions whose topics are missing are left to the poller; the next change tries again.
                LogRefused(e, channelId, (int)e.Status);
                _subscribed = [.. (await notifications.GetSubscriptionsAsync(channelId, ct)).Entities.Select(t => t.Id)];
                _removalsSince = null;
                Volatile.Write(ref _syncedVersion, version);
                Interlocked.Exchange(ref _synced, new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously)).TrySetResult();
                called = true;
            }
            catch (Exception e) when (e is GenesysApiException or GenesysResponseException or HttpRequestException or TimeoutException)
            {
                LogSyncFailed(e, channelId);
                await Task.Delay(_options.NotificationsReconnectDelay, _time, ct);
                _wake.Writer.TryWrite(true);
                continue;
            }

            if (called)
            {
                await PauseAsync(ct);
            }
        }
    }

    /// <summary>Until a change, or until the pending removals are due.</summary>
    private Task WaitForWorkAsync(CancellationToken ct) =>
        _removalsSince is { } since
            ? WaitForSignalAsync(_wake, since + _options.NotificationsTopicRemovalDelay - _time.GetUtcNow(), ct)
            : _wake.Reader.ReadAsync(ct).AsTask();

    /// <summary>The pause between two calls, cut short by an urgent change (a new queue topic).</summary>
    private Task PauseAsync(CancellationToken ct) => WaitForSignalAsync(_urgent, _options.NotificationsSubscribeInterval, ct);

    /// <summary>Takes one signal, or returns when <paramref name="timeout"/> is up (at once when it is not positive).</summary>
    private async Task WaitForSignalAsync(Channel<bool> signal, TimeSpan timeout, CancellationToken ct)
    {
        if (timeout <= TimeSpan.Zero)
        {
            return;
        }

        using var timer = new CancellationTokenSource(timeout, _time);
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(ct, timer.Token);
        try
        {
            await signal.Reader.ReadAsync(linked.Token);
        }
        catch (OperationCanceledException) when (!ct.IsCancellationRequested)
        {
        }
    }

    [SuppressMessage("Security", "CA5394:Do not use insecure randomness", Justification = "Jitter that spreads replicas over the minute, not a secret.")]
    private TimeSpan UntilNextMinute()
    {
        var now = _time.GetUtcNow();
        var intoMinute = TimeSpan.FromTicks(now.UtcTicks % TimeSpan.TicksPerMinute);
        return TimeSpan.FromMinutes(1) - intoMinute + TimeSpan.FromMilliseconds(Random.Shared.Next(100, 1000));
    }

    private static string Label(Outcome outcome) => outcome switch
    {
        Outcome.SocketClosing => "socket_closing",
        Outcome.Silent => "silent",
        Outcome.Closed => "closed",
        Outcome.Gone => "gone",
        _ => "failed",
    };

    [LoggerMessage(LogLevel.Information, "Genesys notification channel {ChannelId} created")]
    private partial void LogCreated(string channelId);

    [LoggerMessage(LogLevel.Information, "Genesys notification channel {ChannelId} connected ({Topics} topics subscribed)")]
    private partial void LogConnected(string channelId, int topics);

    [LoggerMessage(LogLevel.Warning, "Genesys notification channel {ChannelId} lost its socket ({Reason}); connecting again")]
    private partial void LogLost(string? channelId, string reason);

    [LoggerMessage(LogLevel.Warning, "Genesys notification channel {ChannelId} is gone; opening a new one with every topic")]
    private partial void LogGone(string channelId);

    [LoggerMessage(LogLevel.Warning, "Genesys notification channel {ChannelId} failed; the poller covers open sessions until it is back")]
    private partial void LogFailed(Exception e, string? channelId);

    [LoggerMessage(LogLevel.Error, "Genesys refused the topics of notification channel {ChannelId} ({Status}); the poller covers the sessions left out")]
    private partial void LogRefused(Exception e, string channelId, int status);

    [LoggerMessage(LogLevel.Information, "The tenant's Genesys request budget for housekeeping is spent this minute: the topics of notification channel {ChannelId} are updated next minute")]
    private partial void LogBudgetSpent(string channelId);

    [LoggerMessage(LogLevel.Warning, "Could not update the topics of Genesys notification channel {ChannelId}; trying again")]
    private partial void LogSyncFailed(Exception e, string channelId);
}

/// <summary>What a notification may mean for a watched conversation's session.</summary>
public enum ConversationSignal
{
    /// <summary>Nothing a reconcile would act on (queued, offered).</summary>
    None,

    /// <summary>An agent is connected: the session may become <c>connected</c>.</summary>
    AgentConnected,

    /// <summary>Someone left, or an end event: look now.</summary>
    Look,
}

using System.Collections.Concurrent;
using System.Net.WebSockets;
using System.Text;
using System.Text.Json;
using Microsoft.Extensions.Options;
using PolyAi.Messaging.Genesys;
using PolyAi.Messaging.ServiceDefaults;

namespace PolyAi.Messaging.Handoff.Handoffs;

/// <summary>
/// Watches open handoff conversations on Genesys notification channels: one channel (and WebSocket) per Genesys org
/// and OAuth client — Genesys allows 20 per client — subscribed to each conversation's
/// <c>v2.detail.events.conversation.{id}.user.end</c> / <c>.customer.end</c> and its queue's
/// <c>v2.routing.queues.{queueId}.conversations.messages</c>. An event only says "look now": the session is reconciled
/// with GET conversation. A lost WebSocket is replaced by a new channel with every topic again; the poller covers the gap.
/// At start every session of the active list is watched again, so a restart loses nothing.
/// </summary>
public sealed class NotificationWatcher(
    IServiceProvider services, IOptions<HandoffOptions> options, TimeProvider time, ILogger<NotificationWatcher> logger) : BackgroundService
{
    private static readonly TimeSpan ReadyWait = TimeSpan.FromSeconds(5);
    private readonly ConcurrentDictionary<string, ChannelWatch> _channels = new(StringComparer.Ordinal);
    private CancellationToken _stopping;

    /// <summary>Subscribes to the session's conversation; returns once subscribed (or after a short bounded wait).</summary>
    public async Task WatchAsync(TenantConnection connection, ActiveSession session, CancellationToken cancellationToken)
    {
        if (!options.Value.NotificationsEnabled || _stopping.IsCancellationRequested)
        {
            return;
        }

        var key = $"{connection.Client.Environment}|{connection.Client.ClientId}";
        var watch = _channels.GetOrAdd(key, _ => Start(connection.Client));
        List<string> topics =
        [
            $"v2.detail.events.conversation.{session.GenesysConversationId}.user.end",
            $"v2.detail.events.conversation.{session.GenesysConversationId}.customer.end",
        ];
        if (session.QueueId is { Length: > 0 } queueId)
        {
            topics.Add($"v2.routing.queues.{queueId}.conversations.messages");
        }

        watch.Conversations[session.GenesysConversationId] = session.Tenant;
        string[] added;
        lock (watch.Topics)
        {
            added = [.. topics.Where(watch.Topics.Add)];
        }

        if (added.Length == 0)
        {
            return;
        }

        try
        {
            var channelId = await watch.Ready.Task.WaitAsync(ReadyWait, time, cancellationToken);
            await watch.Client.Notifications.SubscribeAsync(channelId, added, cancellationToken);
        }
        catch (Exception e) when (e is TimeoutException or GenesysApiException or HttpRequestException)
        {
            // The channel's (re)connection subscribes every topic it knows; until then the poller covers the session.
            logger.LogWarning(e, "Could not subscribe to Genesys conversation {GenesysConversationId} yet", session.GenesysConversationId);
        }
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        _stopping = stoppingToken;
        if (!options.Value.NotificationsEnabled)
        {
            return;
        }

        // Watch again what was open before a restart.
        try
        {
            var state = services.GetRequiredService<HandoffState>();
            var genesys = services.GetRequiredService<TenantGenesys>();
            foreach (var session in await state.ActiveAsync(stoppingToken))
            {
                if ((await genesys.ConnectAsync(session.Tenant, stoppingToken)).Connection is { } connection)
                {
                    await WatchAsync(connection, session, stoppingToken);
                }
            }
        }
        catch (Exception e) when (e is not OperationCanceledException || !stoppingToken.IsCancellationRequested)
        {
            logger.LogWarning(e, "Could not watch the sessions open before the restart; the poller covers them");
        }
    }

    private ChannelWatch Start(GenesysClient client)
    {
        var watch = new ChannelWatch(client);
        watch.Loop = Task.Run(() => RunAsync(watch, _stopping));
        return watch;
    }

    private async Task RunAsync(ChannelWatch watch, CancellationToken stoppingToken)
    {
        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                var channel = await watch.Client.Notifications.CreateChannelAsync(stoppingToken);
                if (channel.Id is null || channel.ConnectUri is null)
                {
                    throw new InvalidOperationException("Genesys created a notification channel without id or connectUri.");
                }

                using var socket = new ClientWebSocket();
                await socket.ConnectAsync(new Uri(channel.ConnectUri), stoppingToken);
                string[] topics;
                lock (watch.Topics)
                {
                    topics = [.. watch.Topics];
                }

                if (topics.Length > 0)
                {
                    await watch.Client.Notifications.SubscribeAsync(channel.Id, topics, stoppingToken);
                }

                watch.Connected(channel.Id);
                logger.LogInformation("Genesys notifications channel {ChannelId} open with {Topics} topics", channel.Id, topics.Length);
                await ReceiveAsync(watch, socket, stoppingToken);
                logger.LogWarning("Genesys notifications channel {ChannelId} closed; opening a new one", channel.Id);
            }
            catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
            {
                return;
            }
            catch (Exception e)
            {
                logger.LogWarning(e, "Genesys notifications channel failed; the poller covers open sessions until it is back");
            }

            watch.Disconnected();
            try
            {
                await Task.Delay(options.Value.NotificationsReconnectDelay, time, stoppingToken);
            }
            catch (OperationCanceledException)
            {
                return;
            }
        }
    }

    private async Task ReceiveAsync(ChannelWatch watch, ClientWebSocket socket, CancellationToken stoppingToken)
    {
        var buffer = new byte[16 * 1024];
        using var message = new MemoryStream();
        while (socket.State == WebSocketState.Open)
        {
            var result = await socket.ReceiveAsync(buffer, stoppingToken);
            if (result.MessageType == WebSocketMessageType.Close)
            {
                return;
            }

            message.Write(buffer, 0, result.Count);
            if (!result.EndOfMessage)
            {
                continue;
            }

            var text = Encoding.UTF8.GetString(message.GetBuffer(), 0, (int)message.Length);
            message.SetLength(0);
            if (ConversationOf(text) is { } conversationId && watch.Conversations.TryGetValue(conversationId, out var tenant))
            {
                await OnEventAsync(watch, tenant, conversationId, stoppingToken);
            }
        }
    }

    private async Task OnEventAsync(ChannelWatch watch, TenantKey tenant, string conversationId, CancellationToken stoppingToken)
    {
        using var scope = logger.BeginScope(new Dictionary<string, object?> { ["tenant"] = tenant.ToString(), ["genesysConversationId"] = conversationId });
        try
        {
            var lifecycle = services.GetRequiredService<HandoffLifecycle>();
            if (!await lifecycle.ReconcileAsync(tenant, conversationId, DetectionSources.Notification, stoppingToken))
            {
                watch.Conversations.TryRemove(conversationId, out _);
            }
        }
        catch (Exception e) when (e is not OperationCanceledException || !stoppingToken.IsCancellationRequested)
        {
            logger.LogWarning(e, "Could not reconcile after a Genesys notification; the poller will");
        }
    }

    /// <summary>The conversation a notification is about: from a detail-events topic name, else the queue event's body id.</summary>
    internal static string? ConversationOf(string message)
    {
        try
        {
            using var document = JsonDocument.Parse(message);
            var root = document.RootElement;
            if (root.ValueKind != JsonValueKind.Object || !root.TryGetProperty("topicName", out var topicName) || topicName.GetString() is not { } topic)
            {
                return null;
            }

            const string detailPrefix = "v2.detail.events.conversation.";
            if (topic.StartsWith(detailPrefix, StringComparison.Ordinal))
            {
                var rest = topic[detailPrefix.Length..];
                var dot = rest.IndexOf('.', StringComparison.Ordinal);
                return dot > 0 ? rest[..dot] : null;
            }

            if (topic.StartsWith("v2.routing.queues.", StringComparison.Ordinal)
                && root.TryGetProperty("eventBody", out var body) && body.ValueKind == JsonValueKind.Object
                && body.TryGetProperty("id", out var id) && id.ValueKind == JsonValueKind.String)
            {
                return id.GetString();
            }

            return null;
        }
        catch (JsonException)
        {
            return null;
        }
    }

    private sealed class ChannelWatch(GenesysClient client)
    {
        private TaskCompletionSource<string> _ready = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public GenesysClient Client => client;

        public HashSet<string> Topics { get; } = new(StringComparer.Ordinal);

        public ConcurrentDictionary<string, TenantKey> Conversations { get; } = new(StringComparer.Ordinal);

        public Task? Loop { get; set; }

        /// <summary>Completes with the channel id once the WebSocket is open and the known topics subscribed.</summary>
        public TaskCompletionSource<string> Ready => Volatile.Read(ref _ready);

        public void Connected(string channelId) => Ready.TrySetResult(channelId);

        public void Disconnected()
        {
            if (Ready.Task.IsCompleted)
            {
                Volatile.Write(ref _ready, new TaskCompletionSource<string>(TaskCreationOptions.RunContinuationsAsynchronously));
            }
        }
    }
}

using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using System.Threading.Channels;

namespace PolyAi.Messaging.GenesysSimulator.Notifications;

/// <summary>
/// Notification channels, their topic subscriptions and the WebSockets attached to them, with Genesys' limits
/// (Corrections 4): 20 channels per OAuth client (a 21st removes the one with the oldest last use, channels without a
/// connection first — NotificationsApi.md), 1,000 topics per channel, 24 h from creation or the last subscription
/// ("to maintain a channel for longer than 24 hours, resubscribe"), <c>v2.system.socket_closing</c> before a socket is
/// closed. Time comes from the <see cref="TimeProvider"/>, so a fake clock expires channels.
/// </summary>
internal sealed partial class NotificationHub(TimeProvider time) : IDisposable
{
    public const int MaxChannelsPerClient = 20;
    public const int MaxTopicsPerChannel = 1000;

    /// <summary>Messages one socket may have queued before it counts as a reader that stopped reading and is closed.</summary>
    public const int MaxQueuedPerSocket = 10_000;

    public static readonly TimeSpan ChannelLifetime = TimeSpan.FromHours(24);

    private readonly Lock _gate = new();
    private readonly Dictionary<string, NotificationChannel> _channels = new(StringComparer.Ordinal);
    private long _uses;

    public NotificationChannel Create(string clientId, string token)
    {
        lock (_gate)
        {
            var now = time.GetUtcNow();
            var live = _channels.Values.Where(c => c.ClientId == clientId).ToList();
            if (live.Count >= MaxChannelsPerClient)
            {
                Remove(live.OrderBy(c => c.Sockets.Count > 0).ThenBy(c => c.LastUse).First(), closing: false);
            }

            var channel = new NotificationChannel(Guid.NewGuid().ToString("D"), clientId, token) { Expires = now + ChannelLifetime, LastUse = ++_uses };
            channel.Timer = time.CreateTimer(_ => Expire(channel), null, ChannelLifetime, Timeout.InfiniteTimeSpan);
            _channels[channel.Id] = channel;
            return channel;
        }
    }

    /// <summary>The channel while it lives (an expired one is ended here if its timer has not yet fired).</summary>
    public NotificationChannel? Find(string channelId)
    {
        lock (_gate)
        {
            if (!_channels.TryGetValue(channelId, out var channel))
            {
                return null;
            }

            if (channel.Expires <= time.GetUtcNow())
            {
                Remove(channel, closing: true);
                return null;
            }

            return channel;
        }
    }

    public IReadOnlyList<NotificationChannel> ChannelsOf(string clientId)
    {
        lock (_gate)
        {
            var now = time.GetUtcNow();
            return [.. _channels.Values.Where(c => c.ClientId == clientId && c.Expires > now).OrderBy(c => c.LastUse)];
        }
    }

    /// <summary>Adds (or, with <paramref name="replace"/>, replaces with) the topics; null when that would exceed 1,000.</summary>
    public IReadOnlyList<string>? Subscribe(NotificationChannel channel, IReadOnlyCollection<string> topics, bool replace)
    {
        lock (_gate)
        {
            var next = replace ? new HashSet<string>(topics, StringComparer.Ordinal) : new HashSet<string>(channel.Topics.Concat(topics), StringComparer.Ordinal);
            if (next.Count > MaxTopicsPerChannel)
            {
                return null;
            }

            channel.Topics = next;
            channel.LastUse = ++_uses;
            if (topics.Count > 0)
            {
                channel.Expires = time.GetUtcNow() + ChannelLifetime;
                channel.Timer?.Change(ChannelLifetime, Timeout.InfiniteTimeSpan);
            }

            return [.. channel.Topics];
        }
    }

    public IReadOnlyList<string> Topics(NotificationChannel channel)
    {
        lock (_gate)
        {
            return [.. channel.Topics];
        }
    }

    public NotificationSocket Attach(NotificationChannel channel)
    {
        var socket = new NotificationSocket(Channel.CreateBounded<string>(new BoundedChannelOptions(MaxQueuedPerSocket) { SingleReader = true }));
        lock (_gate)
        {
            if (!_channels.ContainsKey(channel.Id))
            {
                socket.Outbox.Writer.TryComplete();
                return socket;
            }

            channel.Sockets.Add(socket);
            channel.Connections++;
            channel.LastUse = ++_uses;
        }

        return socket;
    }

    public void Detach(NotificationChannel channel, NotificationSocket socket)
    {
        lock (_gate)
        {
            channel.Sockets.Remove(socket);
        }

        socket.Outbox.Writer.TryComplete();
    }

    public void Publish(string topic, JsonNode body)
    {
        var message = new JsonObject
        {
            ["topicName"] = topic,
            ["version"] = "2",
            ["eventBody"] = Apis.Pages.Compact(body.DeepClone()),
            ["metadata"] = new JsonObject { ["CorrelationId"] = Guid.NewGuid().ToString("D") },
        }.ToJsonString();
        lock (_gate)
        {
            foreach (var channel in _channels.Values.Where(c => c.Topics.Contains(topic)))
            {
                foreach (var socket in channel.Sockets)
                {
                    Write(socket, message);
                }
            }
        }
    }

    /// <summary>One message to one socket (heartbeat, pong); nothing reaches a silenced socket.</summary>
    public void Send(NotificationSocket socket, string message)
    {
        lock (_gate)
        {
            Write(socket, message);
        }
    }

    /// <summary>Genesys' maintenance close: <c>socket_closing</c>, then every socket closes; the channels live on.</summary>
    public int CloseSockets()
    {
        lock (_gate)
        {
            var count = 0;
            foreach (var channel in _channels.Values)
            {
                foreach (var socket in channel.Sockets.ToList())
                {
                    Close(channel, socket, closing: true);
                    count++;
                }
            }

            return count;
        }
    }

    /// <summary>The open sockets stay open but get nothing more: no events, heartbeats or pongs (a half-dead connection).</summary>
    public int SilenceSockets()
    {
        lock (_gate)
        {
            var sockets = _channels.Values.SelectMany(c => c.Sockets).Where(s => !s.Silenced).ToList();
            sockets.ForEach(s => s.Silenced = true);
            return sockets.Count;
        }
    }

    /// <summary>Every channel ends now, as at the end of its 24 h.</summary>
    public int ExpireAll()
    {
        lock (_gate)
        {
            var all = _channels.Values.ToList();
            all.ForEach(c => Remove(c, closing: true));
            return all.Count;
        }
    }

    public IReadOnlyList<NotificationChannelInfo> Describe()
    {
        lock (_gate)
        {
            return [.. _channels.Values.OrderBy(c => c.LastUse).Select(c => new NotificationChannelInfo(
                c.Id, c.ClientId, c.Expires, [.. c.Topics], c.Sockets.Count, c.Sockets.Count(s => s.Silenced), c.Connections))];
        }
    }

    /// <summary>Whether Genesys knows the topic: one of the families below with non-empty ids (Corrections 4, §5).</summary>
    public static bool IsKnownTopic(string topic) => KnownTopic().IsMatch(topic);

    public static string Heartbeat() => Metadata("WebSocket Heartbeat");

    public static string Pong() => Metadata("pong");

    public void Dispose()
    {
        lock (_gate)
        {
            foreach (var channel in _channels.Values)
            {
                channel.Timer?.Dispose();
            }
        }
    }

    [GeneratedRegex(
        @"^v2\.(detail\.events\.conversation\.[0-9A-Za-z][0-9A-Za-z_-]*\.(acd|customer|user)\.(start|end)"
        + @"|routing\.queues\.[0-9A-Za-z][0-9A-Za-z_-]*\.conversations(\.(messages|calls|callbacks|chats|emails))?"
        + @"|users\.[0-9A-Za-z][0-9A-Za-z_-]*\.(presence|routingStatus|conversations(\.messages)?))$",
        RegexOptions.CultureInvariant)]
    private static partial Regex KnownTopic();

    private static string Metadata(string message) => new JsonObject
    {
        ["topicName"] = "channel.metadata",
        ["eventBody"] = new JsonObject { ["message"] = message },
    }.ToJsonString();

    private static string SocketClosing(NotificationChannel channel) => new JsonObject
    {
        // Body shape unconfirmed: SystemMessageSystemMessage has channelId, message, reason, ... [NET].
        ["topicName"] = "v2.system.socket_closing",
        ["version"] = "2",
        ["eventBody"] = new JsonObject { ["channelId"] = channel.Id, ["message"] = "Socket closing" },
        ["metadata"] = new JsonObject { ["CorrelationId"] = Guid.NewGuid().ToString("D") },
    }.ToJsonString();

    private void Expire(NotificationChannel channel)
    {
        lock (_gate)
        {
            if (!_channels.ContainsKey(channel.Id))
            {
                return;
            }

            var left = channel.Expires - time.GetUtcNow();
            if (left > TimeSpan.Zero)
            {
                channel.Timer?.Change(left, Timeout.InfiniteTimeSpan);
                return;
            }

            Remove(channel, closing: true);
        }
    }

    private void Remove(NotificationChannel channel, bool closing)
    {
        _channels.Remove(channel.Id);
        channel.Timer?.Dispose();
        foreach (var socket in channel.Sockets.ToList())
        {
            Close(channel, socket, closing);
        }
    }

    private static void Close(NotificationChannel channel, NotificationSocket socket, bool closing)
    {
        if (closing)
        {
            socket.Outbox.Writer.TryWrite(SocketClosing(channel));
        }

        channel.Sockets.Remove(socket);
        socket.Outbox.Writer.TryComplete();
    }

    private static void Write(NotificationSocket socket, string message)
    {
        if (!socket.Silenced && !socket.Outbox.Writer.TryWrite(message))
        {
            socket.Outbox.Writer.TryComplete(); // a reader that stopped reading: the stream loop closes the socket
        }
    }
}

internal sealed class NotificationChannel(string id, string clientId, string token)
{
    public string Id => id;
    public string ClientId => clientId;

    /// <summary>The access token that created it: <c>GET channels</c> shows other tokens' channels without their ids.</summary>
    public string Token => token;
    public DateTimeOffset Expires { get; set; }

    /// <summary>Order of last use (created, subscribed, connected): the 21st channel removes the smallest.</summary>
    public long LastUse { get; set; }
    public int Connections { get; set; }
    public HashSet<string> Topics { get; set; } = new(StringComparer.Ordinal);
    public List<NotificationSocket> Sockets { get; } = [];
    public ITimer? Timer { get; set; }
}

/// <summary>One WebSocket on a channel: what waits to be sent to it.</summary>
internal sealed class NotificationSocket(Channel<string> outbox)
{
    public Channel<string> Outbox => outbox;
    public bool Silenced { get; set; }
}

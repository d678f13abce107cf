using System.Text.Json.Nodes;
using System.Threading.Channels;

namespace PolyAi.Messaging.GenesysSimulator.Notifications;

/// <summary>Notification channels, their topic subscriptions and the WebSockets attached to them.</summary>
internal sealed class NotificationHub(TimeProvider time)
{
    public const int MaxChannelsPerClient = 20;

    private readonly Lock _gate = new();
    private readonly Dictionary<string, NotificationChannel> _channels = new(StringComparer.Ordinal);

    public NotificationChannel Create(string clientId)
    {
        lock (_gate)
        {
            var now = time.GetUtcNow();
            var live = _channels.Values.Where(c => c.ClientId == clientId && c.Expires > now).ToList();
            if (live.Count >= MaxChannelsPerClient)
            {
                // Genesys drops the oldest channel when a 21st is created.
                _channels.Remove(live.OrderBy(c => c.Expires).First().Id);
            }

            var channel = new NotificationChannel(Guid.NewGuid().ToString("D"), clientId, now.AddDays(1));
            _channels[channel.Id] = channel;
            return channel;
        }
    }

    public NotificationChannel? Find(string channelId)
    {
        lock (_gate)
        {
            return _channels.GetValueOrDefault(channelId);
        }
    }

    public IReadOnlyList<string> Subscribe(NotificationChannel channel, IEnumerable<string> topics, bool replace)
    {
        lock (_gate)
        {
            if (replace)
            {
                channel.Topics.Clear();
            }

            foreach (var topic in topics)
            {
                channel.Topics.Add(topic);
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

    public ChannelReader<string> Attach(NotificationChannel channel, out Action detach)
    {
        var outbox = Channel.CreateUnbounded<string>(new UnboundedChannelOptions { SingleReader = true });
        lock (_gate)
        {
            channel.Sockets.Add(outbox);
        }

        detach = () =>
        {
            lock (_gate)
            {
                channel.Sockets.Remove(outbox);
            }

            outbox.Writer.TryComplete();
        };
        return outbox.Reader;
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
                    socket.Writer.TryWrite(message);
                }
            }
        }
    }

    public void PublishTo(NotificationChannel channel, string message)
    {
        lock (_gate)
        {
            foreach (var socket in channel.Sockets)
            {
                socket.Writer.TryWrite(message);
            }
        }
    }

    public static string Heartbeat() => new JsonObject
    {
        ["topicName"] = "channel.metadata",
        ["eventBody"] = new JsonObject { ["message"] = "WebSocket Heartbeat" },
    }.ToJsonString();
}

internal sealed class NotificationChannel(string id, string clientId, DateTimeOffset expires)
{
    public string Id => id;
    public string ClientId => clientId;
    public DateTimeOffset Expires => expires;
    public HashSet<string> Topics { get; } = new(StringComparer.Ordinal);
    public List<Channel<string>> Sockets { get; } = [];
}

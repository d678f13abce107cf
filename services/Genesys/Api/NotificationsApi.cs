namespace PolyAi.Messaging.Genesys;

/// <summary>Notification channels (a WebSocket per channel) and their topic subscriptions.</summary>
public sealed class NotificationsApi
{
    private readonly GenesysTransport _transport;

    internal NotificationsApi(GenesysTransport transport) => _transport = transport;

    /// <summary>Creates a channel (at most 20 per user or app); connect to its <c>connectUri</c>.</summary>
    public Task<NotificationsChannel> CreateChannelAsync(CancellationToken cancellationToken = default)
    {
        var endpoint = GenesysEndpoints.CreateNotificationChannel;
        return _transport.SendAsync(endpoint, endpoint.Path(), GenesysJsonContext.Default.NotificationsChannel, cancellationToken);
    }

    /// <summary>Adds topics, e.g. <c>v2.routing.queues.{queueId}.conversations.messages</c>.</summary>
    public Task<EntityListing<ChannelTopic>> SubscribeAsync(string channelId, IReadOnlyList<string> topics, CancellationToken cancellationToken = default)
    {
        var endpoint = GenesysEndpoints.AddSubscriptions;
        IReadOnlyList<ChannelTopic> body = [.. topics.Select(t => new ChannelTopic { Id = t })];
        return _transport.SendAsync(endpoint, endpoint.Path(channelId), body, GenesysJsonContext.Default.IReadOnlyListChannelTopic, GenesysJsonContext.Default.EntityListingChannelTopic, cancellationToken);
    }

    public Task<EntityListing<ChannelTopic>> GetSubscriptionsAsync(string channelId, CancellationToken cancellationToken = default)
    {
        var endpoint = GenesysEndpoints.GetSubscriptions;
        return _transport.SendAsync(endpoint, endpoint.Path(channelId), GenesysJsonContext.Default.EntityListingChannelTopic, cancellationToken);
    }
}

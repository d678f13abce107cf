using System.Net;

namespace PolyAi.Messaging.Genesys;

/// <summary>Notification channels (a WebSocket per channel) and their topic subscriptions.</summary>
/// <remarks>
/// Genesys' limits (genesys-facts, Corrections 4): 20 channels per OAuth client (a 21st removes the one with the oldest
/// last use, unconnected ones first), 1,000 topics per channel, 24 h per channel unless topics are subscribed again.
/// </remarks>
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

    /// <summary>
    /// The channels of this access token, or with <paramref name="wholeOAuthClient"/> of every token of the OAuth client
    /// (Genesys then leaves out the ids of other tokens' channels: they only show that they exist).
    /// </summary>
    public Task<EntityListing<NotificationsChannel>> ListChannelsAsync(bool wholeOAuthClient = false, CancellationToken cancellationToken = default)
    {
        var endpoint = GenesysEndpoints.ListNotificationChannels;
        var query = Query.Empty.With("includechannels", wholeOAuthClient ? "oauthclient" : null);
        return _transport.SendAsync(endpoint, endpoint.Path() + query, GenesysJsonContext.Default.EntityListingNotificationsChannel, cancellationToken);
    }

    /// <summary>Whether the channel still exists and is valid (<c>HEAD</c>: 200, or 404 once expired or removed).</summary>
    public async Task<bool> ChannelExistsAsync(string channelId, CancellationToken cancellationToken = default)
    {
        var endpoint = GenesysEndpoints.HeadNotificationChannel;
        try
        {
            await _transport.SendAsync(endpoint, endpoint.Path(channelId), cancellationToken);
            return true;
        }
        catch (GenesysApiException e) when (e.Status == HttpStatusCode.NotFound)
        {
            return false;
        }
    }

    /// <summary>Adds topics, e.g. <c>v2.routing.queues.{queueId}.conversations.messages</c>.</summary>
    public Task<EntityListing<ChannelTopic>> SubscribeAsync(string channelId, IReadOnlyList<string> topics, CancellationToken cancellationToken = default)
    {
        var endpoint = GenesysEndpoints.AddSubscriptions;
        return SendTopicsAsync(endpoint, channelId, topics, cancellationToken);
    }

    public Task<EntityListing<ChannelTopic>> GetSubscriptionsAsync(string channelId, CancellationToken cancellationToken = default)
    {
        var endpoint = GenesysEndpoints.GetSubscriptions;
        return _transport.SendAsync(endpoint, endpoint.Path(channelId), GenesysJsonContext.Default.EntityListingChannelTopic, cancellationToken);
    }

    /// <summary>Replaces the channel's topics with exactly <paramref name="topics"/> (how a topic is removed).</summary>
    public Task<EntityListing<ChannelTopic>> ReplaceSubscriptionsAsync(string channelId, IReadOnlyList<string> topics, CancellationToken cancellationToken = default) =>
        SendTopicsAsync(GenesysEndpoints.ReplaceSubscriptions, channelId, topics, cancellationToken);

    /// <summary>Removes every topic of the channel.</summary>
    public Task DeleteSubscriptionsAsync(string channelId, CancellationToken cancellationToken = default)
    {
        var endpoint = GenesysEndpoints.DeleteSubscriptions;
        return _transport.SendAsync(endpoint, endpoint.Path(channelId), cancellationToken);
    }

    private Task<EntityListing<ChannelTopic>> SendTopicsAsync(GenesysEndpoint endpoint, string channelId, IReadOnlyList<string> topics, CancellationToken cancellationToken)
    {
        IReadOnlyList<ChannelTopic> body = [.. topics.Select(t => new ChannelTopic { Id = t })];
        return _transport.SendAsync(endpoint, endpoint.Path(channelId), body, GenesysJsonContext.Default.IReadOnlyListChannelTopic, GenesysJsonContext.Default.EntityListingChannelTopic, cancellationToken);
    }
}

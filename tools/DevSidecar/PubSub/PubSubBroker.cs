using System.Collections.Concurrent;
using System.Text.Json.Nodes;
using PolyAi.Messaging.DevSidecar.Components;

namespace PolyAi.Messaging.DevSidecar.PubSub;

/// <summary>A subscription together with its delivery counters.</summary>
internal sealed record ActiveSubscription(Subscription Subscription, DeliveryCounters Counters);

/// <summary>
/// The in-memory broker behind every <c>pubsub.in-memory</c> component of the process: one log per
/// (pubsub, topic), shared by all apps, plus the subscriptions the apps declared.
/// </summary>
internal sealed class PubSubBroker(ComponentCatalog catalog, TimeProvider time)
{
    private readonly ConcurrentDictionary<(string PubSub, string Topic), TopicLog> _topics = new();
    private readonly ConcurrentQueue<ActiveSubscription> _subscriptions = new();

    /// <summary>Wraps the event in its CloudEvent envelope (at publish time, like daprd) and appends it to the topic.</summary>
    public void Publish(string publisherAppId, Publication publication)
    {
        catalog.RequirePubSub(publisherAppId, publication.PubSub);
        if (string.IsNullOrEmpty(publication.Topic))
        {
            throw DaprApiException.NotFound("ERR_TOPIC_EMPTY", $"topic is empty in pubsub {publication.PubSub}");
        }

        Append(publication.PubSub, publication.Topic, CloudEventEnvelope.Create(publication, publisherAppId, time.GetUtcNow()));
    }

    public void Append(string pubSub, string topic, TopicMessage message) => Topic(pubSub, topic).Append(message);

    public TopicLog Topic(string pubSub, string topic) => _topics.GetOrAdd((pubSub, topic), _ => new TopicLog());

    /// <summary>The envelopes published to a topic so far, in publish order (raw payloads as a raw subscriber sees them).</summary>
    public IReadOnlyList<JsonObject> Envelopes(string pubSub, string topic) =>
        [.. Topic(pubSub, topic).Snapshot().Select(message => message.IsRawPayload
            ? CloudEventEnvelope.WrapRawPayload(message.Body, pubSub, topic)
            : JsonNode.Parse(message.Body)!.AsObject())];

    public DeliveryCounters Register(Subscription subscription)
    {
        var counters = new DeliveryCounters();
        _subscriptions.Enqueue(new ActiveSubscription(subscription, counters));
        return counters;
    }

    public IReadOnlyList<ActiveSubscription> Subscriptions => [.. _subscriptions];
}

using System.Text.Json.Serialization;
using PolyAi.Messaging.DevSidecar.Components;
using PolyAi.Messaging.DevSidecar.PubSub;

namespace PolyAi.Messaging.DevSidecar.Api;

/// <summary>daprd's HTTP error body.</summary>
internal sealed record ErrorDocument(string ErrorCode, string Message);

/// <summary>The parts of daprd's <c>GET /v1.0/metadata</c> answer the dev sidecar can fill in.</summary>
internal sealed record MetadataDocument(
    string Id,
    string RuntimeVersion,
    IReadOnlyList<ComponentDocument> Components,
    IReadOnlyList<SubscriptionDocument> Subscriptions)
{
    public const string DevRuntimeVersion = "dev";

    public static MetadataDocument For(string appId, ComponentCatalog catalog, PubSubBroker broker) => new(
        appId,
        DevRuntimeVersion,
        [.. catalog.VisibleTo(appId).Select(c => new ComponentDocument(c.Name, c.Type, c.Version, ComponentCatalog.CapabilitiesOf(c)))],
        [.. broker.Subscriptions.Where(s => s.Subscription.AppId == appId).Select(s => SubscriptionDocument.From(s.Subscription))]);
}

internal sealed record ComponentDocument(string Name, string Type, string Version, IReadOnlyList<string> Capabilities);

internal sealed record SubscriptionDocument(
    [property: JsonPropertyName("pubsubname")] string PubSubName,
    string Topic,
    IReadOnlyDictionary<string, string> Metadata,
    IReadOnlyList<SubscriptionRuleDocument> Rules,
    string? DeadLetterTopic,
    string Type)
{
    public static SubscriptionDocument From(Subscription subscription)
    {
        var rules = subscription.Rules.Select(r => new SubscriptionRuleDocument(r.Match.Text, r.Path)).ToList();
        if (subscription.DefaultRoute is { } defaultRoute)
        {
            rules.Add(new SubscriptionRuleDocument("", defaultRoute));
        }

        return new(subscription.PubSub, subscription.Topic, subscription.Metadata, rules, subscription.DeadLetterTopic, "PROGRAMMATIC");
    }
}

internal sealed record SubscriptionRuleDocument(string Match, string Path);

/// <summary>One line of <c>GET /dev/deliveries</c>.</summary>
internal sealed record DeliveryReport(
    string AppId,
    string PubSub,
    string Topic,
    long Delivered,
    long Retried,
    long Dropped,
    long DeadLettered,
    long Pending);

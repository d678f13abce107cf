using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Http.HttpResults;
using PolyAi.Messaging.DevSidecar.Components;
using PolyAi.Messaging.DevSidecar.PubSub;
using PolyAi.Messaging.DevSidecar.State;

namespace PolyAi.Messaging.DevSidecar.Api;

/// <summary>Dev-only endpoints for tests and humans to see what went through the broker. daprd has nothing like them.</summary>
internal static class DevInspectionApi
{
    public static IEndpointRouteBuilder MapDevInspectionApi(this IEndpointRouteBuilder endpoints)
    {
        var dev = endpoints.MapGroup("/dev");
        dev.MapGet("/pubsub/{pubsub}/{**topic}", (string pubsub, string topic, PubSubBroker broker) =>
            TypedResults.Json(new JsonArray([.. broker.Envelopes(pubsub, topic)]), SidecarJsonContext.Default.JsonArray));
        dev.MapGet("/deliveries", (PubSubBroker broker) =>
            TypedResults.Json(Deliveries(broker), SidecarJsonContext.Default.IReadOnlyListDeliveryReport));
        // Keys read and written per store and key namespace since start: what a benchmark divides by sessions and minutes.
        dev.MapGet("/state-ops/{store}", Results<JsonHttpResult<IReadOnlyList<StateOperationsReport>>, NotFound> (string store, ComponentCatalog catalog) =>
            catalog.StateStores.TryGetValue(store, out var found)
                ? TypedResults.Json(found.Operations.Report(), SidecarJsonContext.Default.IReadOnlyListStateOperationsReport)
                : TypedResults.NotFound());
        return endpoints;
    }

    private static IReadOnlyList<DeliveryReport> Deliveries(PubSubBroker broker) =>
    [
        .. broker.Subscriptions.Select(s => new DeliveryReport(
            s.Subscription.AppId,
            s.Subscription.PubSub,
            s.Subscription.Topic,
            s.Counters.Delivered,
            s.Counters.Retried,
            s.Counters.Dropped,
            s.Counters.DeadLettered,
            broker.Topic(s.Subscription.PubSub, s.Subscription.Topic).Count - s.Counters.Settled)),
    ];
}

using System.Text.Json;
using System.Text.Json.Nodes;
using Dapr;
using Dapr.Client;
using Grpc.Core;
using PolyAi.Messaging.DevSidecar.Tests.Support;

namespace PolyAi.Messaging.DevSidecar.Tests;

public sealed class PubSubTests : SidecarTestBase
{
    private SubscriberApp _subscriber = null!;

    public override async Task InitializeAsync()
    {
        _subscriber = await SubscriberApp.StartAsync();
        await StartSidecarAsync(_subscriber.Url);
    }

    public override async Task DisposeAsync()
    {
        await base.DisposeAsync();
        await _subscriber.DisposeAsync();
    }

    [Fact]
    public async Task Published_event_reaches_the_subscriber_as_a_CloudEvent_from_the_publisher()
    {
        await Verifier.PublishEventAsync("pubsub", "orders", new Order(7), new Dictionary<string, string> { ["cloudevent.id"] = "evt-7" });

        var received = await Eventually.UntilSeen(() => _subscriber.ReceivedOn("/orders"), r => r.Count > 0, "delivery to /orders");

        Assert.Equal(new Received("/orders", new Order(7), "evt-7", "verifier", "orders", "pubsub"), Assert.Single(received));
        var envelope = Assert.Single(Sidecar.Published("pubsub", "orders"));
        Assert.Equal("com.dapr.event.sent", envelope["type"]!.GetValue<string>());
        Assert.Equal("1.0", envelope["specversion"]!.GetValue<string>());
        Assert.Equal("application/json", envelope["datacontenttype"]!.GetValue<string>());
        Assert.Equal(7, envelope["data"]!["orderId"]!.GetValue<int>());
        Assert.StartsWith("00-", envelope["traceparent"]!.GetValue<string>(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Event_published_as_a_CloudEvent_keeps_the_callers_envelope()
    {
        await Verifier.PublishEventAsync("pubsub", "orders", new CloudEvent<Order>(new Order(3)) { Source = new Uri("urn:genesys"), Type = "order.created" });

        var received = await Eventually.UntilSeen(() => _subscriber.ReceivedOn("/orders"), r => r.Count > 0, "delivery to /orders");

        Assert.Equal(new Order(3), Assert.Single(received).Order);
        var envelope = Assert.Single(Sidecar.Published("pubsub", "orders"));
        Assert.Equal("urn:genesys", envelope["source"]!.GetValue<string>());
        Assert.Equal("order.created", envelope["type"]!.GetValue<string>());
        Assert.Equal("orders", envelope["topic"]!.GetValue<string>());
        Assert.False(string.IsNullOrEmpty(envelope["id"]!.GetValue<string>()));
    }

    [Fact]
    public async Task Event_whose_ttl_passed_before_delivery_is_dropped()
    {
        await Verifier.PublishEventAsync("pubsub", "orders", new Order(1), new Dictionary<string, string> { ["ttlInSeconds"] = "0" });
        await Verifier.PublishEventAsync("pubsub", "orders", new Order(2));

        var received = await Eventually.UntilSeen(() => _subscriber.ReceivedOn("/orders"), r => r.Count > 0, "the unexpired event");

        Assert.Equal(new Order(2), Assert.Single(received).Order);
        Assert.Equal(1, Count(await DeliveriesAsync(), "orders", "dropped"));
        Assert.NotNull(Sidecar.Published("pubsub", "orders")[0]["expiration"]);
    }

    [Fact]
    public async Task Event_answered_with_RETRY_is_redelivered_until_acknowledged()
    {
        await Verifier.PublishEventAsync("pubsub", "flaky", new Order(1));

        var report = await Eventually.Until(DeliveriesAsync, r => Count(r, "flaky", "delivered") == 1, "flaky acknowledged");

        Assert.Equal(3, _subscriber.ReceivedOn("/flaky").Count);
        Assert.Equal(2, Count(report, "flaky", "retried"));
        Assert.Equal(0, Count(report, "flaky", "pending"));
    }

    [Theory]
    [InlineData("dropped", "/dropped")]
    [InlineData("missing", "/missing")]
    public async Task Event_answered_with_DROP_or_404_goes_to_the_dead_letter_topic(string topic, string route)
    {
        await Verifier.PublishEventAsync("pubsub", topic, new Order(4), new Dictionary<string, string> { ["cloudevent.id"] = "doomed" });

        var deadLetter = await Eventually.UntilSeen(() => _subscriber.ReceivedOn("/dead-letters"), r => r.Count > 0, "dead letter");

        Assert.Single(_subscriber.ReceivedOn(route));
        Assert.Equal(new Order(4), Assert.Single(deadLetter).Order);
        Assert.Equal("doomed", Assert.Single(Sidecar.Published("pubsub", SubscriberApp.DeadLetterTopic))["id"]!.GetValue<string>());
        var report = await DeliveriesAsync();
        Assert.Equal(1, Count(report, topic, "deadLettered"));
        Assert.Equal(0, Count(report, topic, "retried"));
    }

    [Fact]
    public async Task Event_whose_retries_run_out_goes_to_the_dead_letter_topic()
    {
        await Verifier.PublishEventAsync("limited", "failing", new Order(8));

        await Eventually.Until(() => Sidecar.Published("limited", "failing-dead").Count == 1, "dead letter after retries");

        Assert.Equal(3, _subscriber.ReceivedOn("/always-failing").Count);
        Assert.Equal(2, Count(await DeliveriesAsync(), "failing", "retried"));
    }

    [Fact]
    public async Task Routing_rule_sends_matching_events_to_its_path_and_others_to_the_default()
    {
        await Verifier.PublishEventAsync("pubsub", "routed", new Order(1), new Dictionary<string, string> { ["cloudevent.type"] = "vip" });
        await Verifier.PublishEventAsync("pubsub", "routed", new Order(2));

        await Eventually.Until(() => _subscriber.Received.Count(r => r.Route is "/vip" or "/regular") == 2, "both routed events");

        Assert.Equal(new Order(1), Assert.Single(_subscriber.ReceivedOn("/vip")).Order);
        Assert.Equal(new Order(2), Assert.Single(_subscriber.ReceivedOn("/regular")).Order);
    }

    [Fact]
    public async Task Bulk_published_events_are_all_delivered_in_publish_order()
    {
        var orders = Enumerable.Range(1, 20).Select(i => new Order(i)).ToList();

        var result = await Verifier.BulkPublishEventAsync("pubsub", "orders", orders);

        Assert.Empty(result.FailedEntries);
        var received = await Eventually.UntilSeen(() => _subscriber.ReceivedOn("/orders"), r => r.Count == orders.Count, "all bulk events");
        Assert.Equal(orders, received.Select(r => r.Order));
    }

    [Fact]
    public async Task Publishing_to_an_unknown_pubsub_is_rejected_as_InvalidArgument()
    {
        var error = await Assert.ThrowsAsync<DaprException>(() => Verifier.PublishEventAsync("nope", "orders", new Order(1)));

        Assert.Equal(StatusCode.InvalidArgument, StateTests.StatusOf(error));
    }

    [Fact]
    public async Task Metadata_lists_the_subscriptions_loaded_from_the_app()
    {
        await Eventually.Until(DeliveriesAsync, r => r.Count > 0, "subscriptions loaded");

        var metadata = await Agent.GetMetadataAsync();
        var http = JsonNode.Parse(await HttpGetAsync(Sidecar.HttpEndpoint("agent"), "/v1.0/metadata"))!;

        Assert.Equal("agent", metadata.Id);
        var routed = http["subscriptions"]!.AsArray().Single(s => s!["topic"]!.GetValue<string>() == "routed")!;
        Assert.Equal("event.type == \"vip\"", routed["rules"]![0]!["match"]!.GetValue<string>());
        Assert.Equal("/vip", routed["rules"]![0]!["path"]!.GetValue<string>());
    }

    private async Task<JsonArray> DeliveriesAsync() =>
        JsonNode.Parse(await HttpGetAsync(Sidecar.HttpEndpoint("verifier"), "/dev/deliveries"))!.AsArray();

    /// <summary>A counter of the agent's subscription to the topic; -1 while its subscriptions are not loaded yet.</summary>
    private static long Count(JsonArray report, string topic, string counter) =>
        report.SingleOrDefault(r => r!["appId"]!.GetValue<string>() == SubscriberApp.AppId && r["topic"]!.GetValue<string>() == topic)
            ?[counter]!.GetValue<long>() ?? -1;

    private static async Task<string> HttpGetAsync(Uri endpoint, string path)
    {
        using var http = new HttpClient();
        return await http.GetStringAsync(new Uri(endpoint, path));
    }
}

using PolyAi.Messaging.DevSidecar.Tests.Support;

namespace PolyAi.Messaging.DevSidecar.Tests;

public sealed class SubscriberStartsLaterTests : SidecarTestBase
{
    private readonly int _subscriberPort = FreePort.Pick();
    private SubscriberApp? _subscriber;

    public override Task InitializeAsync() => StartSidecarAsync(new Uri($"http://127.0.0.1:{_subscriberPort}"));

    public override async Task DisposeAsync()
    {
        await base.DisposeAsync();
        if (_subscriber is not null)
        {
            await _subscriber.DisposeAsync();
        }
    }

    [Fact]
    public async Task Events_published_while_the_subscriber_is_down_are_delivered_once_it_is_up()
    {
        await Verifier.PublishEventAsync("pubsub", "orders", new Order(1));
        await Verifier.PublishEventAsync("pubsub", "orders", new Order(2));

        _subscriber = await SubscriberApp.StartAsync(_subscriberPort);

        var received = await Eventually.UntilSeen(() => _subscriber.ReceivedOn("/orders"), r => r.Count == 2, "both events after the app started");
        Assert.Equal([new Order(1), new Order(2)], received.Select(r => r.Order));
    }

    [Fact]
    public async Task Delivery_keeps_retrying_while_the_subscriber_restarts()
    {
        _subscriber = await SubscriberApp.StartAsync(_subscriberPort);
        await Verifier.PublishEventAsync("pubsub", "orders", new Order(1));
        await Eventually.Until(() => _subscriber.ReceivedOn("/orders").Count == 1, "first event");

        await _subscriber.DisposeAsync();
        await Verifier.PublishEventAsync("pubsub", "orders", new Order(2));
        _subscriber = await SubscriberApp.StartAsync(_subscriberPort);

        var received = await Eventually.UntilSeen(() => _subscriber.ReceivedOn("/orders"), r => r.Count == 1, "second event after restart");
        Assert.Equal(new Order(2), received.Single().Order);
    }
}

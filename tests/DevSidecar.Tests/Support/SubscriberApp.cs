using System.Collections.Concurrent;
using System.Net;
using System.Text.Json;
using Dapr;
using Dapr.AspNetCore;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace PolyAi.Messaging.DevSidecar.Tests.Support;

/// <summary>An order as the tests publish it.</summary>
public sealed record Order(int OrderId, string? Kind = null);

/// <summary>One event as the subscriber's handler saw it, after Dapr.AspNetCore's CloudEvents middleware.</summary>
public sealed record Received(string Route, Order Order, string? CloudEventId, string? CloudEventSource, string? CloudEventTopic, string? PubSubHeader);

/// <summary>
/// A real Dapr.AspNetCore subscriber (UseCloudEvents, MapSubscribeHandler, WithTopic) on 127.0.0.1 with a
/// route per behaviour the tests need: acknowledge, RETRY twice, DROP, 404, a routing rule, a dead-letter topic.
/// </summary>
public sealed class SubscriberApp : IAsyncDisposable
{
    public const string AppId = "agent";
    public const string DeadLetterTopic = "dead-letters";

    private readonly WebApplication _app;
    private readonly ConcurrentQueue<Received> _received = new();
    private readonly ConcurrentDictionary<int, int> _attempts = new();

    private SubscriberApp(WebApplication app, Uri url)
    {
        _app = app;
        Url = url;
    }

    public Uri Url { get; }

    public IReadOnlyList<Received> Received => [.. _received];

    public IReadOnlyList<Received> ReceivedOn(string route) => [.. _received.Where(r => r.Route == route)];

    public static async Task<SubscriberApp> StartAsync(int port = 0)
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.ConfigureKestrel(k => k.Listen(IPAddress.Loopback, port));
        builder.Logging.ClearProviders();
        builder.Services.AddDaprClient();
        var app = builder.Build();
        app.UseCloudEvents(new CloudEventsMiddlewareOptions { ForwardCloudEventPropertiesAsHeaders = true });
        app.MapSubscribeHandler();

        SubscriberApp? subscriber = null;
        IResult Record(string route, Order order, HttpRequest request, IResult answer)
        {
            subscriber!._received.Enqueue(new Received(
                route,
                order,
                request.Headers["Cloudevent.id"].FirstOrDefault(),
                request.Headers["Cloudevent.source"].FirstOrDefault(),
                request.Headers["Cloudevent.topic"].FirstOrDefault(),
                request.Headers["pubsubName"].FirstOrDefault()));
            return answer;
        }

        app.MapPost("/orders", (Order order, HttpRequest request) => Record("/orders", order, request, Results.Ok()))
            .WithTopic("pubsub", "orders");
        app.MapPost("/flaky", (Order order, HttpRequest request) =>
                Record("/flaky", order, request, subscriber!._attempts.AddOrUpdate(order.OrderId, 1, (_, n) => n + 1) <= 2
                    ? Results.Json(new { status = "RETRY" })
                    : Results.Json(new { status = "SUCCESS" })))
            .WithTopic("pubsub", "flaky");
        app.MapPost("/dropped", (Order order, HttpRequest request) => Record("/dropped", order, request, Results.Json(new { status = "DROP" })))
            .WithTopic(new TopicOptions { PubsubName = "pubsub", Name = "dropped", DeadLetterTopic = DeadLetterTopic });
        app.MapPost("/missing", (Order order, HttpRequest request) => Record("/missing", order, request, Results.NotFound()))
            .WithTopic(new TopicOptions { PubsubName = "pubsub", Name = "missing", DeadLetterTopic = DeadLetterTopic });
        app.MapPost("/dead-letters", (Order order, HttpRequest request) => Record("/dead-letters", order, request, Results.Ok()))
            .WithTopic("pubsub", DeadLetterTopic);
        app.MapPost("/vip", (Order order, HttpRequest request) => Record("/vip", order, request, Results.Ok()))
            .WithTopic(new TopicOptions { PubsubName = "pubsub", Name = "routed", Match = "event.type == \"vip\"", Priority = 1 });
        app.MapPost("/regular", (Order order, HttpRequest request) => Record("/regular", order, request, Results.Ok()))
            .WithTopic("pubsub", "routed");
        app.MapPost("/always-failing", (Order order, HttpRequest request) => Record("/always-failing", order, request, Results.StatusCode(500)))
            .WithTopic(new TopicOptions { PubsubName = "limited", Name = "failing", DeadLetterTopic = "failing-dead" });

        await app.StartAsync();
        subscriber = new SubscriberApp(app, new Uri(app.Urls.Single()));
        return subscriber;
    }

    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync();
        await _app.DisposeAsync();
    }
}

using Microsoft.Extensions.Logging;
using PolyAi.Messaging.DevSidecar.Components;

namespace PolyAi.Messaging.DevSidecar.PubSub;

/// <summary>The pub/sub side of one app: discover its subscriptions, then run one worker per subscription until shutdown.</summary>
internal sealed partial class AppSubscriber(
    ComponentCatalog catalog,
    PubSubBroker broker,
    SubscriptionDiscovery discovery,
    HttpPostman postman,
    TimeProvider time,
    ILoggerFactory loggerFactory)
{
    public async Task RunAsync(DevSidecarApp app, Uri appUrl, CancellationToken cancellationToken)
    {
        var logger = loggerFactory.CreateLogger<SubscriptionWorker>();
        var workers = new List<Task>();
        foreach (var subscription in await discovery.DiscoverAsync(app.AppId, appUrl, cancellationToken))
        {
            try
            {
                catalog.RequirePubSub(app.AppId, subscription.PubSub);
            }
            catch (DaprApiException e)
            {
                LogSubscriptionIgnored(logger, app.AppId, subscription.Topic, e.Message);
                continue;
            }

            var counters = broker.Register(subscription);
            var worker = new SubscriptionWorker(
                subscription, appUrl, counters, catalog.InboundRetry(app.AppId, subscription.PubSub), broker, postman, time, logger);
            workers.Add(worker.RunAsync(cancellationToken));
        }

        await Task.WhenAll(workers);
    }

    [LoggerMessage(Level = LogLevel.Error, Message = "App {AppId}: subscription to {Topic} ignored: {Reason}")]
    private static partial void LogSubscriptionIgnored(ILogger logger, string appId, string topic, string reason);
}

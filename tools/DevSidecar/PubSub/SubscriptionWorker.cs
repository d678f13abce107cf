using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.Extensions.Logging;
using PolyAi.Messaging.DevSidecar.Components;

namespace PolyAi.Messaging.DevSidecar.PubSub;

/// <summary>
/// Delivers one subscription's topic to its app, in order, one message in flight: a message is settled
/// (acknowledged, dropped or dead-lettered) before the next is tried, and is retried for as long as the policy
/// allows — so an app that is down or restarting loses nothing it has not acknowledged.
/// </summary>
internal sealed partial class SubscriptionWorker(
    Subscription subscription,
    Uri appUrl,
    DeliveryCounters counters,
    RetryPolicy retryPolicy,
    PubSubBroker broker,
    HttpPostman postman,
    TimeProvider time,
    ILogger logger)
{
    public async Task RunAsync(CancellationToken cancellationToken)
    {
        var log = broker.Topic(subscription.PubSub, subscription.Topic);
        for (var position = 0; ; position++)
        {
            var message = await log.ReadAsync(position, cancellationToken);
            await SettleAsync(message, cancellationToken);
            counters.CountSettled();
        }
    }

    private async Task SettleAsync(TopicMessage message, CancellationToken cancellationToken)
    {
        if (message.ExpiresAt <= time.GetUtcNow())
        {
            LogExpired(subscription.AppId, subscription.Topic, message.ExpiresAt);
            counters.CountDropped();
            return;
        }

        var (body, envelope) = Prepare(message);
        if (envelope is null)
        {
            LogNotCloudEvent(subscription.AppId, subscription.Topic);
            DropOrDeadLetter(message);
            return;
        }

        if (subscription.RouteFor(envelope) is not { } route)
        {
            LogNoRoute(subscription.AppId, subscription.Topic);
            return;
        }

        var traceParent = envelope["traceparent"] is JsonValue value && value.TryGetValue<string>(out var text) ? text : null;
        for (var retry = 1; ; retry++)
        {
            var result = await postman.DeliverAsync(appUrl, route, subscription.PubSub, body, traceParent, cancellationToken);
            switch (result.Outcome)
            {
                case DeliveryOutcome.Success:
                    counters.CountDelivered();
                    return;
                case DeliveryOutcome.Drop:
                    LogDropping(subscription.AppId, subscription.Topic, route, result.Reason);
                    DropOrDeadLetter(message);
                    return;
            }

            if (retryPolicy.DelayBefore(retry) is not { } delay)
            {
                LogRetriesExhausted(subscription.AppId, subscription.Topic, route, result.Reason);
                DropOrDeadLetter(message);
                return;
            }

            LogRetrying(subscription.AppId, subscription.Topic, route, result.Reason, retry, delay.TotalMilliseconds);
            counters.CountRetried();
            await Task.Delay(delay, time, cancellationToken);
        }
    }

    private (byte[] Body, JsonObject? Envelope) Prepare(TopicMessage message)
    {
        if (subscription.IsRawPayload)
        {
            var wrapped = CloudEventEnvelope.WrapRawPayload(message.Body, subscription.PubSub, subscription.Topic);
            return (JsonSerializer.SerializeToUtf8Bytes(wrapped, SidecarJsonContext.Default.JsonObject), wrapped);
        }

        try
        {
            return (message.Body, JsonNode.Parse(message.Body) as JsonObject);
        }
        catch (JsonException)
        {
            return (message.Body, null);
        }
    }

    // daprd republishes the original bytes to the dead-letter topic of the same pubsub, then acknowledges.
    private void DropOrDeadLetter(TopicMessage message)
    {
        if (subscription.DeadLetterTopic is { } deadLetterTopic)
        {
            broker.Append(subscription.PubSub, deadLetterTopic, message);
            counters.CountDeadLettered();
            LogDeadLettered(subscription.AppId, subscription.Topic, deadLetterTopic);
        }
        else
        {
            counters.CountDropped();
        }
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "{AppId} {Topic}: message expired at {Expiration}; dropped")]
    private partial void LogExpired(string appId, string topic, DateTimeOffset? expiration);

    [LoggerMessage(Level = LogLevel.Error, Message = "{AppId} {Topic}: message is not a CloudEvent and the subscription is not rawPayload")]
    private partial void LogNotCloudEvent(string appId, string topic);

    [LoggerMessage(Level = LogLevel.Debug, Message = "{AppId} {Topic}: no rule matched and no default route; acknowledged")]
    private partial void LogNoRoute(string appId, string topic);

    [LoggerMessage(Level = LogLevel.Warning, Message = "{AppId} {Topic} → {Route}: {Reason}; dropping")]
    private partial void LogDropping(string appId, string topic, string route, string reason);

    [LoggerMessage(Level = LogLevel.Warning, Message = "{AppId} {Topic} → {Route}: {Reason}; retries exhausted, dropping")]
    private partial void LogRetriesExhausted(string appId, string topic, string route, string reason);

    [LoggerMessage(Level = LogLevel.Warning, Message = "{AppId} {Topic} → {Route}: {Reason}; retry {Retry} in {Delay} ms")]
    private partial void LogRetrying(string appId, string topic, string route, string reason, int retry, double delay);

    [LoggerMessage(Level = LogLevel.Warning, Message = "{AppId} {Topic}: sent to dead-letter topic {DeadLetterTopic}")]
    private partial void LogDeadLettered(string appId, string topic, string deadLetterTopic);
}

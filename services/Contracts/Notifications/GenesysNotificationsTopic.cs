using Dapr;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.Logging;

namespace PolyAi.Messaging.Contracts;

/// <summary>How every consumer subscribes to <see cref="Topics.GenesysNotifications"/> and reads what it delivers.</summary>
public static partial class GenesysNotificationsTopic
{
    public const string Route = "/events/genesys-notifications";

    /// <summary>Maps the delivery route with its Dapr subscription and dead-letter topic.</summary>
    public static RouteHandlerBuilder MapGenesysNotifications(this IEndpointRouteBuilder app, Delegate handler) =>
        app.MapPost(Route, handler)
            .WithTopic(new TopicOptions
            {
                PubsubName = Topics.PubSub,
                Name = Topics.GenesysNotifications,
                DeadLetterTopic = Topics.GenesysNotificationsDeadLetter,
            });

    /// <summary>
    /// The delivered envelope, or <c>null</c> when it can never be processed: then it is logged and counted, and the
    /// caller answers <see cref="TopicAck.Drop"/> so it goes to the dead-letter topic instead of being retried forever.
    /// </summary>
    public static async Task<NotificationEnvelope?> ReadOrDropAsync(HttpRequest request, string service, ILogger logger)
    {
        var (envelope, error) = await NotificationEnvelope.ReadAsync(request.Body, request.HttpContext.RequestAborted);
        if (envelope is null)
        {
            LogDroppingUnprocessable(logger, error);
            NotificationMetrics.Count(service, "Invalid", Outcomes.Dropped);
        }

        return envelope;
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Dropping an unprocessable notification to the dead-letter topic: {Error}")]
    private static partial void LogDroppingUnprocessable(ILogger logger, string? error);
}

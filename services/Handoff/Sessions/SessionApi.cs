using Dapr;
using Dapr.Client;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.Extensions.Options;
using PolyAi.Messaging.Genesys.OpenMessaging;
using PolyAi.Messaging.Handoff.Notifications;
using PolyAi.Messaging.ServiceDefaults;

namespace PolyAi.Messaging.Handoff.Sessions;

/// <summary>
/// Consumes <c>genesys-notifications</c>: every notification is recorded on its handoff session (activity, message
/// and typing counts, receipts). Acks only after the session is saved; at-least-once delivery is safe because a
/// Genesys id already recorded on the session changes nothing.
/// </summary>
public static class SessionApi
{
    public const string NotificationsRoute = "/events/genesys-notifications";

    public static IEndpointRouteBuilder MapSessionApi(this IEndpointRouteBuilder app)
    {
        app.MapPost(NotificationsRoute, ConsumeNotificationAsync)
            .WithTopic(new TopicOptions
            {
                PubsubName = Topics.PubSub,
                Name = Topics.GenesysNotifications,
                DeadLetterTopic = Topics.GenesysNotificationsDeadLetter,
            });
        return app;
    }

    public static async Task<Results<Ok<TopicAck>, ProblemHttpResult>> ConsumeNotificationAsync(
        HttpRequest request, [AsParameters] SessionServices services)
    {
        var cancellationToken = request.HttpContext.RequestAborted;
        var (envelope, error) = await NotificationEnvelope.ReadAsync(request.Body, cancellationToken);
        if (envelope is null)
        {
            services.Logger.LogWarning("Dropping an unprocessable notification to the dead-letter topic: {Error}", error);
            NotificationMetrics.Count("Invalid", Outcomes.Dropped);
            return TypedResults.Ok(TopicAck.Drop);
        }

        var notification = envelope.Notification;
        var sessionId = HandoffSession.SessionIdOf(notification);
        using var scope = services.Logger.BeginScope(new Dictionary<string, object?>
        {
            ["tenant"] = envelope.Tenant.ToString(),
            ["conversationId"] = notification.ConversationId,
            ["customerId"] = notification.Channel.To?.Id,
            ["notificationId"] = notification.Id,
        });

        if (sessionId is null)
        {
            services.Logger.LogWarning("Dropping a {Type} notification with neither conversationId nor channel.to.id to the dead-letter topic", notification.Type);
            NotificationMetrics.Count(envelope.TypeLabel, Outcomes.Dropped);
            return TypedResults.Ok(TopicAck.Drop);
        }

        RecordResult result;
        try
        {
            result = await RecordAsync(services, envelope, sessionId, cancellationToken);
        }
        catch (DaprException e)
        {
            services.Logger.LogError(e, "Could not save the handoff session; Dapr will redeliver");
            NotificationMetrics.Count(envelope.TypeLabel, Outcomes.Failed);
            return TypedResults.Problem("The handoff session could not be saved.", statusCode: StatusCodes.Status500InternalServerError);
        }

        switch (result)
        {
            case RecordResult.Saved:
                services.Logger.LogInformation("Recorded a {Type} notification on handoff session {SessionId}", notification.Type, sessionId);
                NotificationMetrics.Count(envelope.TypeLabel, Outcomes.Saved);
                if (notification.Type == NotificationValues.TypeReceipt)
                {
                    NotificationMetrics.CountReceipt(notification.Status ?? "Unknown");
                }

                return TypedResults.Ok(TopicAck.Success);
            case RecordResult.Duplicate:
                services.Logger.LogInformation("Notification already recorded; acking the redelivery");
                NotificationMetrics.Count(envelope.TypeLabel, Outcomes.Duplicate);
                return TypedResults.Ok(TopicAck.Success);
            default:
                services.Logger.LogWarning("Handoff session kept changing under us; asking Dapr to redeliver");
                NotificationMetrics.Count(envelope.TypeLabel, Outcomes.Conflict);
                return TypedResults.Ok(TopicAck.Retry);
        }
    }

    /// <summary>Optimistic read-modify-write: read with the etag, save only if nobody saved in between, else again.</summary>
    private static async Task<RecordResult> RecordAsync(
        SessionServices services, NotificationEnvelope envelope, string sessionId, CancellationToken cancellationToken)
    {
        var options = services.Options.Value;
        var key = HandoffSession.StateKey(envelope.Tenant, sessionId);
        for (var attempt = 1; attempt <= options.MaxSaveAttempts; attempt++)
        {
            var (session, etag) = await services.Dapr.GetStateAndETagAsync<HandoffSession?>(options.StateStore, key, cancellationToken: cancellationToken);
            var now = services.Time.GetUtcNow();
            session ??= HandoffSession.Create(envelope.Tenant, sessionId, now, envelope.Time);
            if (session.HasProcessed(envelope.Notification.Id))
            {
                return RecordResult.Duplicate;
            }

            // FirstWrite: with an empty etag (no session yet) the save succeeds only if the key still does not exist,
            // so two first notifications cannot overwrite each other.
            var saved = await services.Dapr.TrySaveStateAsync(
                options.StateStore,
                key,
                session.Record(envelope.Notification, envelope.Time, now, options.Limits),
                etag ?? string.Empty,
                new StateOptions { Concurrency = ConcurrencyMode.FirstWrite },
                cancellationToken: cancellationToken);
            if (saved)
            {
                return RecordResult.Saved;
            }

            services.Logger.LogDebug("Etag conflict on attempt {Attempt}", attempt);

            // Jittered back-off so writers racing for the same key do not collide again in lock step.
            if (attempt < options.MaxSaveAttempts)
            {
                await Task.Delay(TimeSpan.FromMilliseconds(Random.Shared.Next(5, 25) * attempt), services.Time, cancellationToken);
            }
        }

        return RecordResult.Conflict;
    }

    private enum RecordResult
    {
        Saved,
        Duplicate,
        Conflict,
    }
}

public sealed record SessionServices(DaprClient Dapr, IOptions<HandoffSessionOptions> Options, TimeProvider Time, ILogger<SessionServices> Logger);

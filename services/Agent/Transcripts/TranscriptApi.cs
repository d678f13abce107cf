using Dapr;
using Dapr.Client;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.Extensions.Options;
using PolyAi.Messaging.Agent.Notifications;
using PolyAi.Messaging.Genesys.OpenMessaging;
using PolyAi.Messaging.ServiceDefaults;

namespace PolyAi.Messaging.Agent.Transcripts;

/// <summary>
/// Consumes <c>genesys-notifications</c>: an agent's or bot's message becomes a line of the customer's transcript.
/// Acks only after the transcript is saved; at-least-once delivery is safe because a message id already in the
/// transcript is not added again.
/// </summary>
public static class TranscriptApi
{
    public const string NotificationsRoute = "/events/genesys-notifications";

    public static IEndpointRouteBuilder MapTranscriptApi(this IEndpointRouteBuilder app)
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
        HttpRequest request, [AsParameters] TranscriptServices services)
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
        var conversationId = notification.Channel.To?.Id;
        using var scope = services.Logger.BeginScope(new Dictionary<string, object?>
        {
            ["tenant"] = envelope.Tenant.ToString(),
            ["conversationId"] = conversationId,
            ["genesysConversationId"] = notification.ConversationId,
            ["notificationId"] = notification.Id,
        });

        if (notification.Type is not (NotificationValues.TypeText or NotificationValues.TypeStructured))
        {
            // Typing and receipts matter to the conversation issue; for now they are seen and acked.
            services.Logger.LogDebug("Ignoring a {Type} notification", notification.Type);
            NotificationMetrics.Count(envelope.TypeLabel, Outcomes.Ignored);
            return TypedResults.Ok(TopicAck.Success);
        }

        if (string.IsNullOrEmpty(conversationId))
        {
            services.Logger.LogWarning("Dropping a {Type} notification without channel.to.id to the dead-letter topic", notification.Type);
            NotificationMetrics.Count(envelope.TypeLabel, Outcomes.Dropped);
            return TypedResults.Ok(TopicAck.Drop);
        }

        if (string.IsNullOrEmpty(notification.Text))
        {
            // Attachment-only messages are not transcribed yet.
            services.Logger.LogInformation("Ignoring a {Type} notification without text", notification.Type);
            NotificationMetrics.Count(envelope.TypeLabel, Outcomes.Ignored);
            return TypedResults.Ok(TopicAck.Success);
        }

        var message = new TranscriptMessage(
            notification.Id,
            notification.OriginatingEntity == NotificationValues.EntityBot ? TranscriptRoles.Bot : TranscriptRoles.Agent,
            notification.Text,
            envelope.Time,
            notification.ConversationId);

        AppendResult result;
        try
        {
            result = await AppendAsync(services, Transcript.StateKey(envelope.Tenant, conversationId), envelope.Tenant, conversationId, message, cancellationToken);
        }
        catch (DaprException e)
        {
            services.Logger.LogError(e, "Could not save the transcript; Dapr will redeliver");
            NotificationMetrics.Count(envelope.TypeLabel, Outcomes.Failed);
            return TypedResults.Problem("The transcript could not be saved.", statusCode: StatusCodes.Status500InternalServerError);
        }

        switch (result)
        {
            case AppendResult.Saved:
                services.Logger.LogInformation("Added a {Role} message to the transcript", message.Role);
                NotificationMetrics.Count(envelope.TypeLabel, Outcomes.Saved);
                NotificationMetrics.TranscriptMessages.WithLabels(message.Role).Inc();
                return TypedResults.Ok(TopicAck.Success);
            case AppendResult.Duplicate:
                services.Logger.LogInformation("Message already in the transcript; acking the redelivery");
                NotificationMetrics.Count(envelope.TypeLabel, Outcomes.Duplicate);
                return TypedResults.Ok(TopicAck.Success);
            default:
                services.Logger.LogWarning("Transcript kept changing under us; asking Dapr to redeliver");
                NotificationMetrics.Count(envelope.TypeLabel, Outcomes.Conflict);
                return TypedResults.Ok(TopicAck.Retry);
        }
    }

    /// <summary>Optimistic read-modify-write: read with the etag, save only if nobody saved in between, else again.</summary>
    private static async Task<AppendResult> AppendAsync(
        TranscriptServices services, string key, TenantKey tenant, string conversationId, TranscriptMessage message, CancellationToken cancellationToken)
    {
        var options = services.Options.Value;
        for (var attempt = 1; attempt <= options.MaxSaveAttempts; attempt++)
        {
            var (transcript, etag) = await services.Dapr.GetStateAndETagAsync<Transcript?>(options.StateStore, key, cancellationToken: cancellationToken);
            transcript ??= new Transcript(tenant, conversationId, []);
            if (transcript.Contains(message.Id))
            {
                return AppendResult.Duplicate;
            }

            // FirstWrite: with an empty etag (no transcript yet) the save succeeds only if the key still does not
            // exist, so two first messages cannot overwrite each other.
            var saved = await services.Dapr.TrySaveStateAsync(
                options.StateStore,
                key,
                transcript.With(message, options.MaxMessages),
                etag ?? string.Empty,
                new StateOptions { Concurrency = ConcurrencyMode.FirstWrite },
                cancellationToken: cancellationToken);
            if (saved)
            {
                return AppendResult.Saved;
            }

            services.Logger.LogDebug("Etag conflict on attempt {Attempt}", attempt);

            // Jittered back-off so writers racing for the same key do not collide again in lock step.
            if (attempt < options.MaxSaveAttempts)
            {
                await Task.Delay(TimeSpan.FromMilliseconds(Random.Shared.Next(5, 25) * attempt), services.Time, cancellationToken);
            }
        }

        return AppendResult.Conflict;
    }

    private enum AppendResult
    {
        Saved,
        Duplicate,
        Conflict,
    }
}

public sealed record TranscriptServices(DaprClient Dapr, IOptions<TranscriptOptions> Options, TimeProvider Time, ILogger<TranscriptServices> Logger);

using Dapr;
using Dapr.Client;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.Extensions.Options;
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
            NotificationMetrics.Count(TranscriptMetrics.Service, "Invalid", Outcomes.Dropped);
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
            NotificationMetrics.Count(TranscriptMetrics.Service, envelope.TypeLabel, Outcomes.Ignored);
            return TypedResults.Ok(TopicAck.Success);
        }

        if (string.IsNullOrEmpty(conversationId))
        {
            services.Logger.LogWarning("Dropping a {Type} notification without channel.to.id to the dead-letter topic", notification.Type);
            NotificationMetrics.Count(TranscriptMetrics.Service, envelope.TypeLabel, Outcomes.Dropped);
            return TypedResults.Ok(TopicAck.Drop);
        }

        if (string.IsNullOrEmpty(notification.Text))
        {
            // Attachment-only messages are not transcribed yet.
            services.Logger.LogInformation("Ignoring a {Type} notification without text", notification.Type);
            NotificationMetrics.Count(TranscriptMetrics.Service, envelope.TypeLabel, Outcomes.Ignored);
            return TypedResults.Ok(TopicAck.Success);
        }

        var message = new TranscriptMessage(
            notification.Id,
            notification.OriginatingEntity == NotificationValues.EntityBot ? TranscriptRoles.Bot : TranscriptRoles.Agent,
            notification.Text,
            envelope.Time,
            notification.ConversationId);

        var options = services.Options.Value;
        StateUpdate result;
        try
        {
            result = await services.Dapr.UpdateAsync<Transcript>(
                options.StateStore,
                Transcript.StateKey(envelope.Tenant, conversationId),
                current =>
                {
                    var transcript = current ?? new Transcript(envelope.Tenant, conversationId, []);
                    return transcript.Contains(message.Id) ? null : transcript.With(message, options.MaxMessages);
                },
                options.MaxSaveAttempts,
                services.Time,
                cancellationToken);
        }
        catch (DaprException e)
        {
            services.Logger.LogError(e, "Could not save the transcript; Dapr will redeliver");
            NotificationMetrics.Count(TranscriptMetrics.Service, envelope.TypeLabel, Outcomes.Failed);
            return TypedResults.Problem("The transcript could not be saved.", statusCode: StatusCodes.Status500InternalServerError);
        }

        switch (result)
        {
            case StateUpdate.Saved:
                services.Logger.LogInformation("Added a {Role} message to the transcript", message.Role);
                NotificationMetrics.Count(TranscriptMetrics.Service, envelope.TypeLabel, Outcomes.Saved);
                TranscriptMetrics.Messages.WithLabels(message.Role).Inc();
                return TypedResults.Ok(TopicAck.Success);
            case StateUpdate.Unchanged:
                services.Logger.LogInformation("Message already in the transcript; acking the redelivery");
                NotificationMetrics.Count(TranscriptMetrics.Service, envelope.TypeLabel, Outcomes.Duplicate);
                return TypedResults.Ok(TopicAck.Success);
            default:
                services.Logger.LogWarning("Transcript kept changing under us; asking Dapr to redeliver");
                NotificationMetrics.Count(TranscriptMetrics.Service, envelope.TypeLabel, Outcomes.Conflict);
                return TypedResults.Ok(TopicAck.Retry);
        }
    }
}

public sealed record TranscriptServices(DaprClient Dapr, IOptions<TranscriptOptions> Options, TimeProvider Time, ILogger<TranscriptServices> Logger);

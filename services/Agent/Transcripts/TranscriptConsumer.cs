using Dapr;
using Grpc.Core;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.Extensions.Options;
using PolyAi.Messaging.Agent.Chat;
using PolyAi.Messaging.Agent.Conversations;
using PolyAi.Messaging.Agent.Handoffs;
using PolyAi.Messaging.Contracts;
using PolyAi.Messaging.ServiceDefaults;

namespace PolyAi.Messaging.Agent.Transcripts;

/// <summary>
/// Consumes <c>genesys-notifications</c>: an agent's or bot's message becomes a line of the customer's transcript
/// and, for a chat conversation, an SSE <c>message</c> (then a Delivered receipt through the handoff service, or
/// Failed when the customer has ended the conversation); the agent's typing becomes an SSE <c>typing</c>.
/// Acks only after the transcript is saved; at-least-once delivery is safe because a message id already in the
/// transcript is not added again.
/// </summary>
public static partial class TranscriptConsumer
{
    public static IEndpointRouteBuilder MapTranscriptConsumer(this IEndpointRouteBuilder app)
    {
        app.MapGenesysNotifications(ConsumeNotificationAsync);
        return app;
    }

    public static async Task<Results<Ok<TopicAck>, ProblemHttpResult>> ConsumeNotificationAsync(
        HttpRequest request, [AsParameters] TranscriptServices services)
    {
        var cancellationToken = request.HttpContext.RequestAborted;
        var envelope = await GenesysNotificationsTopic.ReadOrDropAsync(request, TranscriptMetrics.Service, services.Logger);
        if (envelope is null)
        {
            return TypedResults.Ok(TopicAck.Drop);
        }

        var notification = envelope.Notification;
        var conversationId = notification.Channel.To?.Id;
        using var scope = services.Logger.BeginScope(LogScope.Of(tenant: envelope.Tenant.ToString(), conversationId: conversationId, genesysConversationId: notification.ConversationId, notificationId: notification.Id));

        if (notification.Type == NotificationValues.TypeEvent && !string.IsNullOrEmpty(conversationId)
            && notification.Events?.Any(e => e.EventType == NotificationValues.EventTyping) == true)
        {
            return await ShowTypingAsync(envelope, conversationId, services, cancellationToken);
        }

        if (notification.Type is not (NotificationValues.TypeText or NotificationValues.TypeStructured))
        {
            LogIgnoringType(services.Logger, notification.Type);
            NotificationMetrics.Count(TranscriptMetrics.Service, envelope.TypeLabel, Outcomes.Ignored);
            return TypedResults.Ok(TopicAck.Success);
        }

        if (string.IsNullOrEmpty(conversationId))
        {
            LogDroppingWithoutRecipient(services.Logger, notification.Type);
            NotificationMetrics.Count(TranscriptMetrics.Service, envelope.TypeLabel, Outcomes.Dropped);
            return TypedResults.Ok(TopicAck.Drop);
        }

        if (string.IsNullOrEmpty(notification.Text))
        {
            // Attachment-only messages are not transcribed yet.
            LogIgnoringWithoutText(services.Logger, notification.Type);
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
        var isChat = false;
        var customerGone = false;
        try
        {
            (result, _) = await services.Store.UpdateAsync(
                envelope.Tenant,
                conversationId,
                current =>
                {
                    var transcript = current ?? new Transcript(envelope.Tenant, conversationId, []);
                    isChat = transcript.IsChat;
                    customerGone = transcript.IsEnded;
                    if (transcript.Contains(message.Id) || customerGone)
                    {
                        return null;
                    }

                    // Plain transcripts (no chat conversation) keep no event log: nobody streams them.
                    return isChat ? transcript.Say(message, options) : transcript.With(message, options.MaxMessages);
                },
                cancellationToken);
        }
        catch (DaprException e)
        {
            LogSaveFailed(services.Logger, e);
            NotificationMetrics.Count(TranscriptMetrics.Service, envelope.TypeLabel, Outcomes.Failed);
            return TypedResults.Problem("The transcript could not be saved.", statusCode: StatusCodes.Status500InternalServerError);
        }

        if (result == StateUpdate.Saved)
        {
            CrashPoints.Reach(CrashPoints.AgentNotificationAfterSave);
        }

        if (isChat && result != StateUpdate.Conflict)
        {
            await ReportDeliveryAsync(envelope, conversationId, delivered: !customerGone, services, cancellationToken);
        }

        switch (result)
        {
            case StateUpdate.Saved:
                LogAdded(services.Logger, message.Role);
                NotificationMetrics.Count(TranscriptMetrics.Service, envelope.TypeLabel, Outcomes.Saved);
                TranscriptMetrics.Messages.WithLabels(message.Role).Inc();
                return TypedResults.Ok(TopicAck.Success);
            case StateUpdate.Unchanged:
                LogAlreadyThere(services.Logger);
                NotificationMetrics.Count(TranscriptMetrics.Service, envelope.TypeLabel, Outcomes.Duplicate);
                return TypedResults.Ok(TopicAck.Success);
            default:
                LogConflict(services.Logger);
                NotificationMetrics.Count(TranscriptMetrics.Service, envelope.TypeLabel, Outcomes.Conflict);
                return TypedResults.Ok(TopicAck.Retry);
        }
    }

    private static async Task<Results<Ok<TopicAck>, ProblemHttpResult>> ShowTypingAsync(
        NotificationEnvelope envelope, string conversationId, TranscriptServices services, CancellationToken cancellationToken)
    {
        var outcome = StateUpdate.Unchanged;
        try
        {
            (outcome, _) = await services.Store.UpdateAsync(envelope.Tenant, conversationId, current =>
                current is { IsChat: true, IsEnded: false, Handoff: not null }
                    ? current.ShowTyping(TranscriptRoles.Agent, envelope.Time, services.Options.Value)
                    : null,
                cancellationToken);
        }
        catch (DaprException e)
        {
            // Typing is a hint: not worth a redelivery.
            LogTypingNotShown(services.Logger, e);
        }

        // Typing outside a handoff (or for a customer we do not chat with) is seen and ignored.
        NotificationMetrics.Count(TranscriptMetrics.Service, envelope.TypeLabel, outcome == StateUpdate.Saved ? Outcomes.Saved : Outcomes.Ignored);
        return TypedResults.Ok(TopicAck.Success);
    }

    /// <summary>Tells Genesys (through the handoff service) whether the customer got the human's message. Receipts are
    /// optional in Open Messaging, so a failure is logged and counted, and the notification still acked.</summary>
    private static async Task ReportDeliveryAsync(
        NotificationEnvelope envelope, string conversationId, bool delivered, TranscriptServices services, CancellationToken cancellationToken)
    {
        try
        {
            await services.Handoff.ReportDeliveryAsync(
                envelope.Tenant, conversationId, envelope.Notification.Id, delivered, delivered ? null : "customer-gone", cancellationToken);
        }
        catch (RpcException e)
        {
            LogReceiptNotReported(services.Logger, e.StatusCode);
        }
    }

    [LoggerMessage(Level = LogLevel.Debug, Message = "Ignoring a {Type} notification")]
    private static partial void LogIgnoringType(ILogger logger, string? type);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Dropping a {Type} notification without channel.to.id to the dead-letter topic")]
    private static partial void LogDroppingWithoutRecipient(ILogger logger, string? type);

    [LoggerMessage(Level = LogLevel.Information, Message = "Ignoring a {Type} notification without text")]
    private static partial void LogIgnoringWithoutText(ILogger logger, string? type);

    [LoggerMessage(Level = LogLevel.Error, Message = "Could not save the transcript; Dapr will redeliver")]
    private static partial void LogSaveFailed(ILogger logger, Exception exception);

    [LoggerMessage(Level = LogLevel.Information, Message = "Added a {Role} message to the transcript")]
    private static partial void LogAdded(ILogger logger, string role);

    [LoggerMessage(Level = LogLevel.Information, Message = "Message already in the transcript (or the customer has left); acking")]
    private static partial void LogAlreadyThere(ILogger logger);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Transcript kept changing under us; asking Dapr to redeliver")]
    private static partial void LogConflict(ILogger logger);

    [LoggerMessage(Level = LogLevel.Information, Message = "Could not show the agent typing")]
    private static partial void LogTypingNotShown(ILogger logger, Exception exception);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Could not report the delivery of the agent's message ({Status})")]
    private static partial void LogReceiptNotReported(ILogger logger, Grpc.Core.StatusCode status);
}

public sealed record TranscriptServices(
    ConversationStore Store, HandoffGateway Handoff, IOptions<TranscriptOptions> Options, ILogger<TranscriptServices> Logger);

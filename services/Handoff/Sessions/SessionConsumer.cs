using Dapr;
using Dapr.Client;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.Extensions.Options;
using PolyAi.Messaging.Contracts;
using PolyAi.Messaging.Handoff.Handoffs;
using PolyAi.Messaging.ServiceDefaults;

namespace PolyAi.Messaging.Handoff.Sessions;

/// <summary>
/// Consumes <c>genesys-notifications</c>: every notification is recorded on its handoff session (activity, message
/// and typing counts, receipts). Acks only after the session is saved; at-least-once delivery is safe because a
/// Genesys id already recorded on the session changes nothing.
/// </summary>
public static partial class SessionConsumer
{
    public static IEndpointRouteBuilder MapSessionConsumer(this IEndpointRouteBuilder app)
    {
        app.MapGenesysNotifications(ConsumeNotificationAsync);
        return app;
    }

    public static async Task<Results<Ok<TopicAck>, ProblemHttpResult>> ConsumeNotificationAsync(
        HttpRequest request, [AsParameters] SessionServices services)
    {
        var cancellationToken = request.HttpContext.RequestAborted;
        var envelope = await GenesysNotificationsTopic.ReadOrDropAsync(request, SessionMetrics.Service, services.Logger);
        if (envelope is null)
        {
            return TypedResults.Ok(TopicAck.Drop);
        }

        var notification = envelope.Notification;
        var sessionId = HandoffSession.SessionIdOf(notification);
        if (string.IsNullOrEmpty(notification.ConversationId) && notification.Channel.To?.Id is { Length: > 0 } customerId)
        {
            // No conversationId (e.g. typing): channel.to.id is our conversation id, whose link names the Genesys
            // conversation our handoff opened. Without a link the session stays keyed by the customer id.
            try
            {
                if (await services.State.LinkAsync(envelope.Tenant, customerId, cancellationToken) is { GenesysConversationId: { } linked })
                {
                    sessionId = linked;
                }
            }
            catch (DaprException e)
            {
                LogReadLinkFailed(services.Logger, e);
                NotificationMetrics.Count(SessionMetrics.Service, envelope.TypeLabel, Outcomes.Failed);
                return TypedResults.Problem("The handoff session could not be found.", statusCode: StatusCodes.Status500InternalServerError);
            }
        }

        using var scope = services.Logger.BeginScope(LogScope.Of(tenant: envelope.Tenant.ToString(), genesysConversationId: notification.ConversationId, customerId: notification.Channel.To?.Id, notificationId: notification.Id));

        if (sessionId is null)
        {
            LogDroppingWithoutSession(services.Logger, notification.Type);
            NotificationMetrics.Count(SessionMetrics.Service, envelope.TypeLabel, Outcomes.Dropped);
            return TypedResults.Ok(TopicAck.Drop);
        }

        var options = services.Options.Value;
        StateUpdate result;
        try
        {
            result = await services.Dapr.UpdateAsync<HandoffSession>(
                options.StateStore,
                HandoffSession.StateKey(envelope.Tenant, sessionId),
                current =>
                {
                    var now = services.Time.GetUtcNow();
                    var session = current ?? HandoffSession.Create(envelope.Tenant, sessionId, now, envelope.Time);
                    return session.HasProcessed(notification.Id) ? null : session.Record(notification, envelope.Time, now, options.Limits);
                },
                options.MaxSaveAttempts,
                services.Time,
                cancellationToken);
        }
        catch (DaprException e)
        {
            LogSaveFailed(services.Logger, e);
            NotificationMetrics.Count(SessionMetrics.Service, envelope.TypeLabel, Outcomes.Failed);
            return TypedResults.Problem("The handoff session could not be saved.", statusCode: StatusCodes.Status500InternalServerError);
        }

        switch (result)
        {
            case StateUpdate.Saved:
                LogRecorded(services.Logger, notification.Type, sessionId);
                NotificationMetrics.Count(SessionMetrics.Service, envelope.TypeLabel, Outcomes.Saved);
                if (notification.Type == NotificationValues.TypeReceipt)
                {
                    SessionMetrics.CountReceipt(notification.Status ?? "Unknown");
                }

                if (IsHumanMessage(notification))
                {
                    await AgentSpokeAsync(services, envelope.Tenant, sessionId, cancellationToken);
                }

                return TypedResults.Ok(TopicAck.Success);
            case StateUpdate.Unchanged:
                LogAlreadyRecorded(services.Logger);
                NotificationMetrics.Count(SessionMetrics.Service, envelope.TypeLabel, Outcomes.Duplicate);
                return TypedResults.Ok(TopicAck.Success);
            default:
                LogConflict(services.Logger);
                NotificationMetrics.Count(SessionMetrics.Service, envelope.TypeLabel, Outcomes.Conflict);
                return TypedResults.Ok(TopicAck.Retry);
        }
    }

    private static bool IsHumanMessage(OutboundNotification notification) =>
        notification.Type is NotificationValues.TypeText or NotificationValues.TypeStructured
        && notification.OriginatingEntity != NotificationValues.EntityBot
        && notification.Direction != "Inbound";

    /// <summary>
    /// The first human message of a queued handoff means an agent has it: <c>connected</c> now rather than at the next
    /// poll. Best effort: the ack does not wait on it (the poller and the notifications channel see it too).
    /// </summary>
    private static async Task AgentSpokeAsync(SessionServices services, TenantKey tenant, string sessionId, CancellationToken cancellationToken)
    {
        try
        {
            await services.Lifecycle.ConnectedAsync(tenant, sessionId, cancellationToken);
        }
        catch (Exception e) when (e is DaprException or HandoffStateConflictException)
        {
            LogConnectedPublishFailed(services.Logger, e);
        }
    }

    [LoggerMessage(Level = LogLevel.Error, Message = "Could not read the conversation link; Dapr will redeliver")]
    private static partial void LogReadLinkFailed(ILogger logger, Exception exception);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Dropping a {Type} notification with neither conversationId nor channel.to.id to the dead-letter topic")]
    private static partial void LogDroppingWithoutSession(ILogger logger, string? type);

    [LoggerMessage(Level = LogLevel.Error, Message = "Could not save the handoff session; Dapr will redeliver")]
    private static partial void LogSaveFailed(ILogger logger, Exception exception);

    [LoggerMessage(Level = LogLevel.Information, Message = "Recorded a {Type} notification on handoff session {SessionId}")]
    private static partial void LogRecorded(ILogger logger, string? type, string sessionId);

    [LoggerMessage(Level = LogLevel.Information, Message = "Notification already recorded; acking the redelivery")]
    private static partial void LogAlreadyRecorded(ILogger logger);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Handoff session kept changing under us; asking Dapr to redeliver")]
    private static partial void LogConflict(ILogger logger);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Could not publish connected for the first agent message; the poller will")]
    private static partial void LogConnectedPublishFailed(ILogger logger, Exception exception);
}

public sealed record SessionServices(
    DaprClient Dapr,
    IOptions<HandoffSessionOptions> Options,
    TimeProvider Time,
    ILogger<SessionServices> Logger,
    HandoffSessionStore State,
    HandoffLifecycle Lifecycle);

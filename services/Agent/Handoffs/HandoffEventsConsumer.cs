using System.Text.Json;
using Dapr;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.Extensions.Options;
using PolyAi.Messaging.Agent.Brains;
using PolyAi.Messaging.Agent.Chat;
using PolyAi.Messaging.Agent.Conversations;
using PolyAi.Messaging.Agent.Transcripts;
using PolyAi.Messaging.Contracts;
using PolyAi.Messaging.ServiceDefaults;

namespace PolyAi.Messaging.Agent.Handoffs;

/// <summary>
/// Consumes <c>handoff-events</c> from the handoff service: the customer sees the handoff status, "agent joined" /
/// "agent left", and after the end the AI says it is back. Idempotent: an event already applied (by status and
/// Genesys conversation id) changes nothing; a status behind the current one is ignored.
/// </summary>
public static partial class HandoffEventsConsumer
{
    public const string Route = "/events/handoff-events";
    public const string DeadLetterTopic = "handoff-events-dead";

    public static IEndpointRouteBuilder MapHandoffEventsConsumer(this IEndpointRouteBuilder app)
    {
        app.MapPost(Route, ConsumeAsync)
            .WithTopic(new TopicOptions { PubsubName = Topics.PubSub, Name = Topics.HandoffEvents, DeadLetterTopic = DeadLetterTopic });
        return app;
    }

    public static async Task<Results<Ok<TopicAck>, ProblemHttpResult>> ConsumeAsync(HttpRequest request, [AsParameters] HandoffEventServices services)
    {
        var cancellationToken = request.HttpContext.RequestAborted;
        HandoffEvent? received;
        try
        {
            received = await JsonSerializer.DeserializeAsync(request.Body, AgentJsonContext.Default.HandoffEvent, cancellationToken);
        }
        catch (JsonException e)
        {
            LogUnreadable(services.Logger, e.Message);
            return TypedResults.Ok(TopicAck.Drop);
        }

        if (received is null || !TenantKey.TryCreate(received.Tenant.AccountId, received.Tenant.ProjectId, received.Tenant.ClientEnv, out var tenant)
            || string.IsNullOrEmpty(received.ConversationId) || string.IsNullOrEmpty(received.Status))
        {
            LogIncomplete(services.Logger);
            return TypedResults.Ok(TopicAck.Drop);
        }

        using var scope = services.Logger.BeginScope(LogScope.Of(tenant: tenant.Value.ToString(), conversationId: received.ConversationId, handoffStatus: received.Status));

        AgentTenant? agentTenant;
        try
        {
            agentTenant = await services.Tenants.FindAsync(tenant.Value, cancellationToken);
        }
        catch (DaprException e)
        {
            LogReadTenantFailed(services.Logger, e);
            return TypedResults.Problem("The tenant could not be read.", statusCode: StatusCodes.Status500InternalServerError);
        }

        var texts = (agentTenant?.Definition ?? AgentDefinition.Default).Texts;
        var options = services.Transcripts.Value;
        var key = $"{received.Status}:{received.GenesysConversationId}";
        var now = services.Time.GetUtcNow();
        HandoffState? before = null;
        StateUpdate outcome;
        try
        {
            (outcome, _) = await services.Store.UpdateAsync(tenant.Value, received.ConversationId, current =>
            {
                before = current?.Handoff;
                if (current is not { IsChat: true } || current.AppliedHandoffEvents.Contains(key))
                {
                    return null;
                }

                var applied = Apply(current, received, texts, now, options);
                return applied?.WithAppliedHandoffEvent(key);
            }, cancellationToken);
        }
        catch (DaprException e)
        {
            LogSaveFailed(services.Logger, e);
            return TypedResults.Problem("The conversation could not be saved.", statusCode: StatusCodes.Status500InternalServerError);
        }

        if (outcome == StateUpdate.Conflict)
        {
            return TypedResults.Ok(TopicAck.Retry);
        }

        if (outcome == StateUpdate.Saved)
        {
            LogShown(services.Logger, received.Status);
            ConversationMetrics.Handoffs.WithLabels(received.Status).Inc();
            if (received.Status == HandoffStatus.Connected && before is not null)
            {
                ConversationMetrics.TimeToAgent.Observe(Math.Max(0, (received.Time - before.RequestedAt).TotalSeconds));
                ConversationTurns.CountMessage(TranscriptRoles.System);
            }
        }

        return TypedResults.Ok(TopicAck.Success);
    }

    private static readonly string[] Order = [HandoffStatus.Requested, HandoffStatus.Queued, HandoffStatus.Connected];

    /// <summary>The conversation after the event, or null when the event changes nothing.</summary>
    private static Transcript? Apply(Transcript current, HandoffEvent received, AgentTexts texts, DateTimeOffset now, TranscriptOptions options)
    {
        var handoff = current.Handoff;
        switch (received.Status)
        {
            case HandoffStatus.Queued or HandoffStatus.Connected:
                if (handoff is null || Array.IndexOf(Order, handoff.Status) >= Array.IndexOf(Order, received.Status))
                {
                    return null;
                }

                var moved = (current with
                {
                    Handoff = handoff with { Status = received.Status, GenesysConversationId = received.GenesysConversationId ?? handoff.GenesysConversationId },
                }).ShowHandoff(received.Status, now, options);
                return received.Status == HandoffStatus.Connected ? moved.Say(System(texts.AgentJoined, now), options) : moved;

            case HandoffStatus.Ended:
                if (handoff is null)
                {
                    return null;
                }

                var ended = (current with { Handoff = null, UnansweredTurns = 0 }).ShowHandoff(HandoffStatus.Ended, now, options);
                if (handoff.Status == HandoffStatus.Connected)
                {
                    ended = ended.Say(System(texts.AgentLeft, now), options);
                }

                return current.IsEnded ? ended : ended.Say(new TranscriptMessage(ConversationIds.NewMessageId(), TranscriptRoles.Ai, texts.AiResumes, now), options);

            case HandoffStatus.Unavailable or HandoffStatus.Failed:
                if (handoff is null)
                {
                    return null;
                }

                return (current with { Handoff = null })
                    .ShowHandoff(received.Status, now, options)
                    .Say(new TranscriptMessage(
                        ConversationIds.NewMessageId(), TranscriptRoles.Ai,
                        received.Status == HandoffStatus.Unavailable ? texts.NoAgentsAvailable : texts.HandoffFailed, now), options);

            default:
                // "requested" is the agent's own doing, already shown; unknown statuses are ignored.
                return null;
        }
    }

    private static TranscriptMessage System(string text, DateTimeOffset now) => new(ConversationIds.NewMessageId(), TranscriptRoles.System, text, now);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Dropping a handoff event that cannot be read: {Error}")]
    private static partial void LogUnreadable(ILogger logger, string error);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Dropping a handoff event without tenant, conversation or status")]
    private static partial void LogIncomplete(ILogger logger);

    [LoggerMessage(Level = LogLevel.Error, Message = "Could not read the tenant; Dapr will redeliver")]
    private static partial void LogReadTenantFailed(ILogger logger, Exception exception);

    [LoggerMessage(Level = LogLevel.Error, Message = "Could not save the handoff event; Dapr will redeliver")]
    private static partial void LogSaveFailed(ILogger logger, Exception exception);

    [LoggerMessage(Level = LogLevel.Information, Message = "Handoff {Status} shown to the customer")]
    private static partial void LogShown(ILogger logger, string status);
}

public sealed record HandoffEventServices(
    ConversationStore Store, AgentTenants Tenants, IOptions<TranscriptOptions> Transcripts, TimeProvider Time, ILogger<HandoffEventServices> Logger);

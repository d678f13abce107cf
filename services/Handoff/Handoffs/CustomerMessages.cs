using System.Net;
using Microsoft.Extensions.Options;
using PolyAi.Messaging.Contracts;
using PolyAi.Messaging.Genesys;
using PolyAi.Messaging.Genesys.OpenMessaging;
using PolyAi.Messaging.Handoff.Sessions;
using PolyAi.Messaging.ServiceDefaults;

namespace PolyAi.Messaging.Handoff.Handoffs;

/// <summary>
/// Sends a customer's message into an open Genesys conversation exactly once without relying on Genesys to drop a
/// resent copy (Corrections 6): the message id is marked pending in the session before the send; a send that timed
/// out or got a 5xx may have arrived, so before any resend the conversation is read and the customer's newest
/// messages are looked up (<c>GET …/messages/{id}/details</c>) for our <c>channel.messageId</c>.
/// </summary>
public sealed partial class CustomerMessages(HandoffSessionStore state, IOptions<HandoffOptions> options, TimeProvider time, ILogger<CustomerMessages> logger)
{
    /// <summary>How far back (before the first attempt) a Genesys message may be ours; and how many are looked at.</summary>
    private static readonly TimeSpan ClockSkew = TimeSpan.FromMinutes(2);
    private const int MaxLookedUp = 10;

    /// <summary>The customer as Genesys knows them: our conversation id, opaque.</summary>
    public static InboundParty Customer(string conversationId) => new() { Id = conversationId, IdType = IdTypes.Opaque };

    /// <summary>
    /// Forwards a customer's message to the human of an open session (once: <see cref="SendAsync"/>), counted; a failure
    /// or an unclear answer is the caller's to retry (<see cref="HandoffRetryableException"/>).
    /// </summary>
    public async Task ForwardAsync(TenantConnection connection, HandoffSession session, string messageId, string text, DateTimeOffset sentAt, CancellationToken ct)
    {
        var conversationId = session.ConversationId ?? session.CustomerId ?? session.SessionId;
        var message = new InboundOpenMessage
        {
            Channel = new InboundChannel { MessageId = messageId, Time = sentAt, From = Customer(conversationId) },
            Text = text,
        };
        try
        {
            await HandoffCalls.Store(() => HandoffCalls.GenesysCall(async () =>
            {
                await SendAsync(connection, session, message, ct);
                return true;
            }, "send the message", "message"));
        }
        catch (UncertainSendException e)
        {
            HandoffMetrics.Forwarded.WithLabels("message", "failed").Inc();
            throw new HandoffRetryableException($"{e.Message} Retry: the retry checks Genesys before it sends again.", e);
        }

        HandoffMetrics.Forwarded.WithLabels("message", "sent").Inc();
    }

    /// <summary>Sends <paramref name="message"/> unless Genesys already has it; the session records it as forwarded.</summary>
    /// <exception cref="UncertainSendException">Still unknown whether it arrived (the caller retries; the next try reconciles).</exception>
    public async Task SendAsync(TenantConnection connection, HandoffSession session, InboundOpenMessage message, CancellationToken ct)
    {
        var tenant = connection.Tenant.Key;
        var messageId = message.Channel.MessageId ?? throw new ArgumentException("a customer message needs channel.messageId", nameof(message));
        var since = time.GetUtcNow() - ClockSkew;
        if (session.PendingMessageIds.Contains(messageId))
        {
            // An earlier try's outcome is unknown.
            if (await ArrivedAsync(connection, session.SessionId, messageId, since, ct))
            {
                HandoffMetrics.Resends.WithLabels("present").Inc();
                await MarkForwardedAsync(tenant, session.SessionId, messageId, ct);
                return;
            }

            HandoffMetrics.Resends.WithLabels("absent").Inc();
        }
        else
        {
            await MarkPendingAsync(tenant, session.SessionId, messageId, ct);
        }

        for (var attempt = 1; ; attempt++)
        {
            try
            {
                await connection.Client.OpenMessaging.SendMessageAsync(connection.IntegrationId, message, prefetchConversationId: false, ct);
                CrashPoints.Reach(CrashPoints.HandoffForwardAfterSend);
                await MarkForwardedAsync(tenant, session.SessionId, messageId, ct);
                return;
            }
            catch (Exception e) when (IsUncertain(e) && !ct.IsCancellationRequested)
            {
                LogSendUncertain(messageId, e.GetType().Name);
                bool arrived;
                try
                {
                    arrived = await ArrivedAsync(connection, session.SessionId, messageId, since, ct);
                }
                catch (Exception check) when (IsUncertain(check) || check is GenesysApiException)
                {
                    throw new UncertainSendException(messageId, check);
                }

                if (arrived)
                {
                    HandoffMetrics.Resends.WithLabels("present").Inc();
                    await MarkForwardedAsync(tenant, session.SessionId, messageId, ct);
                    return;
                }

                HandoffMetrics.Resends.WithLabels("absent").Inc();
                if (attempt >= options.Value.MaxSendAttempts)
                {
                    throw new UncertainSendException(messageId, e);
                }
            }
        }
    }

    /// <summary>
    /// For a session that has ended: whether a message whose send had no known outcome (a replica died after
    /// sending it, before recording it) did reach Genesys — then it is recorded as forwarded. False when it was never
    /// sent, or did not arrive.
    /// </summary>
    public async Task<bool> ArrivedBeforeTheEndAsync(TenantConnection connection, HandoffSession session, string messageId, CancellationToken ct)
    {
        if (!session.PendingMessageIds.Contains(messageId))
        {
            return false;
        }

        var since = (session.StartedAt ?? session.UpdatedAt) - ClockSkew;
        if (!await HandoffCalls.GenesysCall(() => ArrivedAsync(connection, session.SessionId, messageId, since, ct), "look up the conversation"))
        {
            return false;
        }

        HandoffMetrics.Resends.WithLabels("present").Inc();
        await HandoffCalls.Store(() => MarkForwardedAsync(connection.Tenant.Key, session.SessionId, messageId, ct));
        return true;
    }

    /// <summary>Is a message with our <paramref name="messageId"/> among the customer's messages Genesys has?</summary>
    private static async Task<bool> ArrivedAsync(TenantConnection connection, string genesysConversationId, string messageId, DateTimeOffset since, CancellationToken ct)
    {
        var conversation = await connection.Client.Conversations.GetMessageConversationAsync(genesysConversationId, ct);
        var candidates = conversation.Participants
            .Where(p => p.Purpose == ParticipantPurposes.Customer)
            .SelectMany(p => p.Messages ?? [])
            .Where(m => m.MessageId is not null && (m.MessageTime is not { } at || at >= since))
            .OrderByDescending(m => m.MessageTime)
            .Take(MaxLookedUp);
        foreach (var candidate in candidates)
        {
            try
            {
                var details = await connection.Client.Conversations.GetMessageDetailsAsync(candidate.MessageId!, ct);
                if (details.NormalizedMessage?.Channel?.MessageId == messageId)
                {
                    return true;
                }
            }
            catch (GenesysApiException e) when (e.Status == HttpStatusCode.NotFound)
            {
            }
        }

        return false;
    }

    /// <summary>
    /// The Genesys conversation a first message whose send had no clear answer may have started: queue observations
    /// with detail metrics list the conversations waiting, alerting or interacting on the queue, with the customer's
    /// address (<c>addressFrom</c>, our <c>channel.from.id</c> — probable) — the only documented lookup by customer
    /// before a conversation id is known. Null when none is there (yet).
    /// </summary>
    public static async Task<string?> StartedConversationAsync(TenantConnection connection, string queueId, string customerId, CancellationToken ct)
    {
        var query = QueueObservationQuery.ForQueue(queueId, ObservationMetrics.Waiting) with
        {
            DetailMetrics = [ObservationMetrics.Waiting, ObservationMetrics.Alerting, ObservationMetrics.Interacting],
        };
        var observations = await connection.Client.Analytics.QueryQueueObservationsAsync(query, ct);
        return observations.Results
            .SelectMany(r => r.Data ?? [])
            .SelectMany(d => d.Observations ?? [])
            .Where(o => o.AddressFrom == customerId && o.ConversationId is not null)
            .OrderByDescending(o => o.ObservationDate)
            .Select(o => o.ConversationId)
            .FirstOrDefault();
    }

    private Task<StateUpdate> MarkPendingAsync(TenantKey tenant, string sessionId, string messageId, CancellationToken ct) =>
        state.UpdateSessionAsync(tenant, sessionId, current => current is null || current.PendingMessageIds.Contains(messageId)
            ? null
            : current with { PendingMessageIds = HandoffSession.Bounded([.. current.PendingMessageIds, messageId], options.Value.MaxRememberedIds), UpdatedAt = time.GetUtcNow() }, ct);

    private Task<StateUpdate> MarkForwardedAsync(TenantKey tenant, string sessionId, string messageId, CancellationToken ct) =>
        state.UpdateSessionAsync(tenant, sessionId, current => current is null || (current.ForwardedMessageIds.Contains(messageId) && !current.PendingMessageIds.Contains(messageId))
            ? null
            : current with
            {
                ForwardedMessageIds = current.ForwardedMessageIds.Contains(messageId) ? current.ForwardedMessageIds : HandoffSession.Bounded([.. current.ForwardedMessageIds, messageId], options.Value.MaxRememberedIds),
                PendingMessageIds = [.. current.PendingMessageIds.Where(id => id != messageId)],
                UpdatedAt = time.GetUtcNow(),
            }, ct);

    /// <summary>No answer that says whether Genesys did it: a timeout, a dropped connection, a 5xx.</summary>
    internal static bool IsUncertain(Exception e) =>
        e is TimeoutException or HttpRequestException or TaskCanceledException
        || e is GenesysApiException { Status: >= HttpStatusCode.InternalServerError };

    [LoggerMessage(Level = LogLevel.Warning, Message = "Sending message {MessageId} to Genesys had no clear answer ({Outcome}); checking whether it arrived")]
    private partial void LogSendUncertain(string messageId, string outcome);
}

/// <summary>Whether a customer message reached Genesys is still unknown; retrying the call reconciles first.</summary>
public sealed class UncertainSendException(string messageId, Exception inner)
    : Exception($"Whether message {messageId} reached Genesys is not known yet.", inner);

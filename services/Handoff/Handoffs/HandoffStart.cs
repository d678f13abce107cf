using Microsoft.Extensions.Options;
using PolyAi.Messaging.Contracts;
using PolyAi.Messaging.Genesys;
using PolyAi.Messaging.Genesys.OpenMessaging;
using PolyAi.Messaging.Handoff.Sessions;
using PolyAi.Messaging.ServiceDefaults;
using static PolyAi.Messaging.Handoff.Handoffs.HandoffCalls;

namespace PolyAi.Messaging.Handoff.Handoffs;

/// <summary>Who the customer is, as the AI knows them (shown to the agent).</summary>
public sealed record HandoffCustomer(string? FirstName = null, string? LastName = null, string? Email = null, string? ExternalId = null);

/// <summary>A request to hand a conversation to a human, with the message that asked for one.</summary>
/// <param name="QueueId">The queue to use; null for the tenant's default.</param>
public sealed record HandoffRequest(
    TenantKey Tenant, string ConversationId, string MessageId, string Text, DateTimeOffset SentAt, string? QueueId, HandoffCustomer Customer)
{
    public string? Summary { get; init; }

    public string? Intent { get; init; }

    public string? TranscriptUrl { get; init; }

    public string? Locale { get; init; }
}

public enum HandoffStartOutcome
{
    Started,
    Unavailable,
    Failed,
}

public sealed record HandoffStartResult(HandoffStartOutcome Outcome, string? GenesysConversationId = null, string? Detail = null)
{
    public const string NobodyOnQueue = "No agent is on queue.";

    public static HandoffStartResult Started(string genesysConversationId) => new(HandoffStartOutcome.Started, genesysConversationId);

    public static HandoffStartResult Unavailable() => new(HandoffStartOutcome.Unavailable, Detail: NobodyOnQueue);

    public static HandoffStartResult Failed(string detail) => new(HandoffStartOutcome.Failed, Detail: detail);
}

/// <summary>
/// Starting a handoff: idempotent for the same conversation and message (a repeat answers what the first call
/// answered and sends nothing twice), nothing created in Genesys when nobody is on queue, the link written before the
/// send so a retry after an unclear send looks before it sends again, then the session, the link, the open-session
/// index, the <c>queued</c> event and the notification subscription. State or Genesys trouble that the caller should
/// retry is a <see cref="HandoffRetryableException"/>; a tenant not set up, a <see cref="HandoffPreconditionException"/>.
/// </summary>
public sealed partial class HandoffStart(
    HandoffSessionStore state,
    TenantGenesys genesys,
    Availability availability,
    NotificationWatcher watcher,
    CustomerMessages customerMessages,
    ConversationLocks locks,
    IOptions<HandoffOptions> options,
    TimeProvider time,
    ILogger<HandoffStart> logger)
{
    public async Task<HandoffStartResult> StartAsync(HandoffRequest request, CancellationToken ct)
    {
        var (tenant, conversationId, messageId) = (request.Tenant, request.ConversationId, request.MessageId);
        using var _ = await locks.EnterAsync(tenant, conversationId, ct);

        var link = await Store(() => state.LinkAsync(tenant, conversationId, ct));
        var resumingSend = link is { Outcome: ConversationLink.Sending } && link.StartMessageId == messageId;
        if (link is not null && link.StartMessageId == messageId && !resumingSend)
        {
            LogRepeated(messageId);
            if (link.Outcome == HandoffStatus.Unavailable)
            {
                return HandoffStartResult.Unavailable();
            }

            if (link.GenesysConversationId is { } startedId)
            {
                await FinishRecordingAsync(tenant, conversationId, startedId, ct);
            }

            return HandoffStartResult.Started(link.GenesysConversationId ?? string.Empty);
        }

        var connection = await ConnectAsync(genesys, tenant, ct);
        if (link?.GenesysConversationId is { } openId && await Store(() => state.SessionAsync(tenant, openId, ct)) is { IsActive: true } open)
        {
            // Already with a human: the message joins the open conversation instead of starting another one.
            LogForwardingToOpen(openId);
            await customerMessages.ForwardAsync(connection, open, messageId, request.Text, request.SentAt, ct);
            return HandoffStartResult.Started(openId);
        }

        var queueId = QueueOf(request.QueueId, connection);
        long onQueue;
        try
        {
            onQueue = await availability.OnQueueAgentsAsync(connection, queueId, ct);
        }
        catch (Exception e) when (IsGenesysFailure(e))
        {
            return await FailedAsync(tenant, conversationId, "Genesys queue observations failed: " + Describe(e), e, ct);
        }

        if (onQueue <= 0)
        {
            await Store(() => state.PublishAsync(new HandoffEvent(tenant, conversationId, HandoffStatus.Unavailable, time.GetUtcNow()), ct));
            await Store(() => state.SaveLinkAsync(new ConversationLink(tenant, conversationId, HandoffStatus.Unavailable, messageId, null, time.GetUtcNow()), ct));
            HandoffMetrics.Handoffs.WithLabels(HandoffStatus.Unavailable).Inc();
            HandoffMetrics.Lifecycle.WithLabels(HandoffStatus.Unavailable).Inc();
            LogNoAgent(queueId);
            return HandoffStartResult.Unavailable();
        }

        // The link is written before the send (Corrections 6): a retry after a send with no clear answer finds it and
        // looks for the conversation the first try may have started instead of sending the message again.
        if (!resumingSend)
        {
            await Store(() => state.SaveLinkAsync(new ConversationLink(tenant, conversationId, ConversationLink.Sending, messageId, null, time.GetUtcNow()), ct));
            CrashPoints.Reach(CrashPoints.HandoffStartAfterLink);
        }

        string genesysId;
        try
        {
            genesysId = (resumingSend ? await CustomerMessages.StartedConversationAsync(connection, queueId, conversationId, ct) : null)
                ?? await SendFirstMessageAsync(connection, request, queueId, ct);
        }
        catch (UncertainSendException e)
        {
            HandoffMetrics.Forwarded.WithLabels("message", "failed").Inc();
            throw new HandoffRetryableException($"{e.Message} Retry: the retry checks Genesys before it sends again.", e);
        }
        catch (Exception e) when (IsGenesysFailure(e))
        {
            return await FailedAsync(tenant, conversationId, "Genesys refused the message: " + Describe(e), e, ct);
        }

        CrashPoints.Reach(CrashPoints.HandoffStartAfterSend);
        var active = await RecordStartAsync(request, connection, queueId, genesysId, ct);
        HandoffMetrics.Handoffs.WithLabels("started").Inc();
        LogStarted(genesysId, queueId);
        // No look at the conversation now: an agent who took it before the subscription existed shows in the poller's
        // next queue sweep (interacting → connected, no GET), within Handoff:PollInterval. A GET per start was a
        // quarter of the starts' Genesys requests (docs/performance.md, handoffs).
        try
        {
            await watcher.WatchAsync(connection, active, ct);
        }
        catch (GenesysBudgetExceededException e)
        {
            // The handoff is started and saved; answering an error would make the agent retry for nothing. The
            // channel's next (re)subscription and the poller cover the conversation meanwhile.
            LogNotSubscribedBudgetSpent(e, genesysId);
        }

        return HandoffStartResult.Started(genesysId);
    }

    /// <summary>
    /// The session (keeping what a webhook recorded first), the link, the open-session index entry and <c>queued</c>:
    /// one state transaction, then the outbox published (<see cref="HandoffSessionStore.RecordStartAsync"/>).
    /// </summary>
    private async Task<ActiveSession> RecordStartAsync(HandoffRequest request, TenantConnection connection, string queueId, string genesysId, CancellationToken ct)
    {
        var (tenant, conversationId, messageId) = (request.Tenant, request.ConversationId, request.MessageId);
        var now = time.GetUtcNow();
        var limit = options.Value.MaxRememberedIds;
        var active = new ActiveSession(tenant, genesysId, conversationId, queueId);
        HandoffSession Started(HandoffSession? current)
        {
            // A webhook may have created the session first (it knows the Genesys id too): keep what it recorded.
            var session = current ?? HandoffSession.Create(tenant, genesysId, now, now);
            return session with
            {
                CustomerId = conversationId,
                GenesysConversationId = genesysId,
                ConversationId = conversationId,
                IntegrationId = connection.IntegrationId,
                QueueId = queueId,
                Status = session.Status ?? HandoffStatus.Queued,
                StartedAt = session.StartedAt ?? now,
                UpdatedAt = now,
                ForwardedMessageIds = HandoffSession.Bounded([.. session.ForwardedMessageIds.Where(id => id != messageId), messageId], limit),
            };
        }

        var link = new ConversationLink(tenant, conversationId, HandoffStatus.Queued, messageId, genesysId, now);
        if (await Store(() => state.RecordStartAsync(tenant, genesysId, Started, link, active, ct)))
        {
            HandoffMetrics.Lifecycle.WithLabels(HandoffStatus.Queued).Inc();
        }

        return active;
    }

    /// <summary>
    /// A repeated start whose link says it was queued: the writes after the link (the open-session index, the
    /// <c>queued</c> claim and event) are done again, each a no-op when already done, so a start that died between
    /// its link and its index entry is not left unwatched (the agent's retry finishes it).
    /// </summary>
    private async Task FinishRecordingAsync(TenantKey tenant, string conversationId, string genesysId, CancellationToken ct)
    {
        if (await Store(() => state.SessionAsync(tenant, genesysId, ct)) is not { IsActive: true } session)
        {
            return;
        }

        if (session.Outbox.Count > 0)
        {
            // The first try died after its transaction, before publishing: queued (and whatever followed) goes out now.
            await Store(() => state.PublishOutboxAsync(tenant, genesysId, ct));
        }

        await Store(() => state.AddActiveAsync(new ActiveSession(tenant, genesysId, conversationId, session.QueueId), ct));
        // Only while still queued: a queued after connected would tell the customer the wrong thing.
        if (await Store(() => state.PublishOnceAsync(tenant, genesysId, HandoffStatus.Queued, s => s.Status == HandoffStatus.Queued ? s : null, null, ct)) is not null)
        {
            HandoffMetrics.Lifecycle.WithLabels(HandoffStatus.Queued).Inc();
        }
    }

    /// <summary>Sends the first message and answers the conversation it joined or started, sending it again only when
    /// Genesys' answer was unclear and the queue shows no conversation of the customer.</summary>
    private async Task<string> SendFirstMessageAsync(TenantConnection connection, HandoffRequest request, string queueId, CancellationToken ct)
    {
        var message = FirstMessage(request);
        for (var attempt = 1; ; attempt++)
        {
            try
            {
                var sent = await connection.Client.OpenMessaging.SendMessageAsync(connection.IntegrationId, message, prefetchConversationId: true, ct);
                return sent.ConversationId is { Length: > 0 } prefetched
                    ? prefetched
                    : (await connection.Client.Conversations.GetMessageDetailsAsync(sent.Id ?? string.Empty, ct)).ConversationId
                      ?? throw new GenesysResponseException("GetMessageDetails", System.Net.HttpStatusCode.OK, "no conversationId", null);
            }
            catch (Exception e) when (CustomerMessages.IsUncertain(e) && !ct.IsCancellationRequested)
            {
                LogFirstSendUncertain(e.GetType().Name);
                if (await CustomerMessages.StartedConversationAsync(connection, queueId, request.ConversationId, ct) is { } started)
                {
                    HandoffMetrics.Resends.WithLabels("present").Inc();
                    return started;
                }

                HandoffMetrics.Resends.WithLabels("absent").Inc();
                if (attempt >= options.Value.MaxSendAttempts)
                {
                    throw new UncertainSendException(request.MessageId, e);
                }
            }
        }
    }

    /// <summary>The customer's message with who they are and the AI's context as custom attributes.</summary>
    private static InboundOpenMessage FirstMessage(HandoffRequest request)
    {
        var attributes = new Dictionary<string, string>();
        void Add(string name, string? value)
        {
            if (!string.IsNullOrWhiteSpace(value))
            {
                attributes[name] = value;
            }
        }

        Add("aiSummary", request.Summary);
        Add("aiIntent", request.Intent);
        Add("transcriptUrl", request.TranscriptUrl);
        Add("locale", request.Locale);
        Add("conversationId", request.ConversationId);
        var customer = request.Customer;
        Add("customerExternalId", customer.ExternalId);
        var nickname = string.Join(' ', new[] { customer.FirstName, customer.LastName }.Where(s => !string.IsNullOrWhiteSpace(s)));
        return new InboundOpenMessage
        {
            Channel = new InboundChannel
            {
                MessageId = request.MessageId,
                Time = request.SentAt,
                From = CustomerMessages.Customer(request.ConversationId) with
                {
                    FirstName = NullIfEmpty(customer.FirstName),
                    LastName = NullIfEmpty(customer.LastName),
                    Nickname = NullIfEmpty(nickname),
                    Email = NullIfEmpty(customer.Email),
                },
                Metadata = InboundChannelMetadata.FromAttributes(attributes),
            },
            Text = request.Text,
        };
    }

    private static string? NullIfEmpty(string? value) => string.IsNullOrWhiteSpace(value) ? null : value;

    private async Task<HandoffStartResult> FailedAsync(TenantKey tenant, string conversationId, string detail, Exception e, CancellationToken ct)
    {
        LogFailed(e, detail);
        HandoffMetrics.Handoffs.WithLabels(HandoffStatus.Failed).Inc();
        HandoffMetrics.Lifecycle.WithLabels(HandoffStatus.Failed).Inc();
        await Store(() => state.PublishAsync(new HandoffEvent(tenant, conversationId, HandoffStatus.Failed, time.GetUtcNow(), Reason: detail), ct));
        return HandoffStartResult.Failed(detail);
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "StartHandoff repeated for message {MessageId}; answering as before")]
    private partial void LogRepeated(string messageId);

    [LoggerMessage(Level = LogLevel.Information, Message = "StartHandoff while Genesys conversation {GenesysConversationId} is open; forwarding the message")]
    private partial void LogForwardingToOpen(string genesysConversationId);

    [LoggerMessage(Level = LogLevel.Information, Message = "No agent on queue {QueueId}: nothing created in Genesys")]
    private partial void LogNoAgent(string queueId);

    [LoggerMessage(Level = LogLevel.Information, Message = "Handoff started: Genesys conversation {GenesysConversationId} queued on {QueueId}")]
    private partial void LogStarted(string genesysConversationId, string queueId);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Not subscribed to Genesys conversation {GenesysConversationId} yet: the request budget is spent")]
    private partial void LogNotSubscribedBudgetSpent(Exception exception, string genesysConversationId);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Sending the first message to Genesys had no clear answer ({Outcome}); looking for the conversation it may have started")]
    private partial void LogFirstSendUncertain(string outcome);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Handoff failed: {Detail}")]
    private partial void LogFailed(Exception exception, string detail);
}

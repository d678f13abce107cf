using System.Collections.Concurrent;
using Dapr;
using Grpc.Core;
using Microsoft.Extensions.Options;
using PolyAi.Messaging.Contracts;
using PolyAi.Messaging.Genesys;
using PolyAi.Messaging.Genesys.OpenMessaging;
using PolyAi.Messaging.Handoff.Sessions;
using PolyAi.Messaging.Handoff.V1;
using PolyAi.Messaging.ServiceDefaults;

namespace PolyAi.Messaging.Handoff.Handoffs;

/// <summary>
/// The agent → handoff gRPC API (<c>protos/handoff.proto</c>). Every call is idempotent for the same conversation and
/// message: a repeat answers what the first call answered and sends nothing to Genesys twice. Bad input is
/// <c>InvalidArgument</c>, an unknown or half-configured tenant <c>FailedPrecondition</c>, a state store that cannot be
/// reached <c>Unavailable</c> (the caller retries).
/// </summary>
public sealed partial class HandoffRpc(
    HandoffSessionStore state,
    HandoffLifecycle lifecycle,
    TenantGenesys genesys,
    Availability availability,
    NotificationWatcher watcher,
    CustomerMessages customerMessages,
    IOptions<HandoffOptions> options,
    TimeProvider time,
    ILogger<HandoffRpc> logger) : V1.Handoff.HandoffBase
{
    // One StartHandoff/ForwardMessage at a time per conversation in this replica: a retry racing its original waits
    // and then sees what the original did (the agent calls one replica per conversation at a time). An entry lives
    // only while a call holds or waits for it, so the map holds the conversations being called now.
    private static readonly ConcurrentDictionary<string, ConversationLock> Locks = new(StringComparer.Ordinal);

    /// <summary>Conversations with a call holding or waiting for their lock (for tests).</summary>
    internal static int LockedConversations => Locks.Count;

    public override async Task<CheckAvailabilityResponse> CheckAvailability(CheckAvailabilityRequest request, ServerCallContext context)
    {
        var tenant = TenantOf(request.Tenant);
        using var scope = Scope(tenant, null);
        var connection = await ConnectAsync(tenant, context.CancellationToken);
        var queueId = QueueOf(request.QueueId, connection);
        var onQueue = await GenesysCall(() => availability.OnQueueAgentsAsync(connection, queueId, context.CancellationToken), "query queue observations");
        return new CheckAvailabilityResponse { Available = onQueue > 0, AgentsOnQueue = (int)Math.Min(onQueue, int.MaxValue) };
    }

    public override async Task<StartHandoffResponse> StartHandoff(StartHandoffRequest request, ServerCallContext context)
    {
        var tenant = TenantOf(request.Tenant);
        var conversationId = Required(request.ConversationId, "conversation_id");
        var messageId = Required(request.MessageId, "message_id");
        Required(request.Text, "text");
        var ct = context.CancellationToken;
        using var scope = Scope(tenant, conversationId);
        using var _ = await LockAsync(tenant, conversationId, ct);

        var link = await Store(() => state.LinkAsync(tenant, conversationId, ct));
        var resumingSend = link is { Outcome: ConversationLink.Sending } && link.StartMessageId == messageId;
        if (link is not null && link.StartMessageId == messageId && !resumingSend)
        {
            LogRepeated(messageId);
            return link.Outcome == HandoffStatus.Unavailable
                ? new StartHandoffResponse { Outcome = StartHandoffResponse.Types.Outcome.Unavailable, Detail = "No agent is on queue." }
                : new StartHandoffResponse { Outcome = StartHandoffResponse.Types.Outcome.Started, GenesysConversationId = link.GenesysConversationId ?? string.Empty };
        }

        var connection = await ConnectAsync(tenant, ct);
        if (link?.GenesysConversationId is { } openId && await Store(() => state.SessionAsync(tenant, openId, ct)) is { IsActive: true } open)
        {
            // Already with a human: the message joins the open conversation instead of starting another one.
            LogForwardingToOpen(openId);
            await ForwardAsync(connection, open, messageId, request.Text, request.Time, ct);
            return new StartHandoffResponse { Outcome = StartHandoffResponse.Types.Outcome.Started, GenesysConversationId = openId };
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
            return new StartHandoffResponse { Outcome = StartHandoffResponse.Types.Outcome.Unavailable, Detail = "No agent is on queue." };
        }

        // The link is written before the send (Corrections 6): a retry after a send with no clear answer finds it and
        // looks for the conversation the first try may have started instead of sending the message again.
        if (!resumingSend)
        {
            await Store(() => state.SaveLinkAsync(new ConversationLink(tenant, conversationId, ConversationLink.Sending, messageId, null, time.GetUtcNow()), ct));
        }

        string genesysId;
        try
        {
            genesysId = (resumingSend ? await CustomerMessages.StartedConversationAsync(connection, queueId, conversationId, ct) : null)
                ?? await SendFirstMessageAsync(connection, request, conversationId, messageId, queueId, ct);
        }
        catch (UncertainSendException e)
        {
            HandoffMetrics.Forwarded.WithLabels("message", "failed").Inc();
            throw new RpcException(new Status(StatusCode.Unavailable, $"{e.Message} Retry: the retry checks Genesys before it sends again."));
        }
        catch (Exception e) when (IsGenesysFailure(e))
        {
            return await FailedAsync(tenant, conversationId, "Genesys refused the message: " + Describe(e), e, ct);
        }

        var now = time.GetUtcNow();
        var limit = options.Value.MaxRememberedIds;
        await Store(() => state.UpdateSessionAsync(tenant, genesysId, current =>
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
        }, ct));
        await Store(() => state.SaveLinkAsync(new ConversationLink(tenant, conversationId, HandoffStatus.Queued, messageId, genesysId, now), ct));
        var active = new ActiveSession(tenant, genesysId, conversationId, queueId);
        await Store(() => state.AddActiveAsync(active, ct));
        if (await Store(() => state.PublishOnceAsync(tenant, genesysId, HandoffStatus.Queued, s => s, null, ct)) is not null)
        {
            HandoffMetrics.Lifecycle.WithLabels(HandoffStatus.Queued).Inc();
        }

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
        return new StartHandoffResponse { Outcome = StartHandoffResponse.Types.Outcome.Started, GenesysConversationId = genesysId };
    }

    public override async Task<ForwardMessageResponse> ForwardMessage(ForwardMessageRequest request, ServerCallContext context)
    {
        var tenant = TenantOf(request.Tenant);
        var conversationId = Required(request.ConversationId, "conversation_id");
        var messageId = Required(request.MessageId, "message_id");
        Required(request.Text, "text");
        var ct = context.CancellationToken;
        using var scope = Scope(tenant, conversationId);
        using var _ = await LockAsync(tenant, conversationId, ct);

        if (await Store(() => state.SessionOfConversationAsync(tenant, conversationId, ct)) is not { IsActive: true } session)
        {
            HandoffMetrics.Forwarded.WithLabels("message", "inactive").Inc();
            return new ForwardMessageResponse { Forwarded = false };
        }

        if (session.ForwardedMessageIds.Contains(messageId))
        {
            HandoffMetrics.Forwarded.WithLabels("message", "duplicate").Inc();
            return new ForwardMessageResponse { Forwarded = true };
        }

        var connection = await ConnectAsync(tenant, ct);

        // A message to an ended Genesys conversation would open a new one: make sure it is still open first.
        if (!await Store(() => GenesysCall(() => lifecycle.ReconcileAsync(tenant, session.SessionId, DetectionSources.Poll, ct), "look up the conversation")))
        {
            HandoffMetrics.Forwarded.WithLabels("message", "inactive").Inc();
            return new ForwardMessageResponse { Forwarded = false };
        }

        await ForwardAsync(connection, session, messageId, request.Text, request.Time, ct);
        return new ForwardMessageResponse { Forwarded = true };
    }

    public override async Task<ForwardTypingResponse> ForwardTyping(ForwardTypingRequest request, ServerCallContext context)
    {
        var tenant = TenantOf(request.Tenant);
        var conversationId = Required(request.ConversationId, "conversation_id");
        var ct = context.CancellationToken;
        using var scope = Scope(tenant, conversationId);
        if (await Store(() => state.SessionOfConversationAsync(tenant, conversationId, ct)) is not { IsActive: true })
        {
            HandoffMetrics.Forwarded.WithLabels("typing", "inactive").Inc();
            return new ForwardTypingResponse { Forwarded = false };
        }

        var connection = await ConnectAsync(tenant, ct);
        await GenesysCall(
            () => connection.Client.OpenMessaging.SendEventAsync(connection.IntegrationId, InboundOpenEvent.Typing(Customer(conversationId), time.GetUtcNow()), ct),
            "send typing", "typing");
        HandoffMetrics.Forwarded.WithLabels("typing", "sent").Inc();
        return new ForwardTypingResponse { Forwarded = true };
    }

    public override async Task<EndHandoffResponse> EndHandoff(EndHandoffRequest request, ServerCallContext context)
    {
        var tenant = TenantOf(request.Tenant);
        var conversationId = Required(request.ConversationId, "conversation_id");
        var reason = string.IsNullOrWhiteSpace(request.Reason) ? "customer-ended" : request.Reason;
        var ct = context.CancellationToken;
        using var scope = Scope(tenant, conversationId);
        if (await Store(() => state.SessionOfConversationAsync(tenant, conversationId, ct)) is not { } session)
        {
            return new EndHandoffResponse { Ended = false };
        }

        if (!session.IsActive)
        {
            return new EndHandoffResponse { Ended = true };
        }

        var connection = await ConnectAsync(tenant, ct);
        try
        {
            await connection.Client.Conversations.DisconnectConversationAsync(session.SessionId, ct);
        }
        catch (GenesysApiException e) when (e.Status is System.Net.HttpStatusCode.NotFound or System.Net.HttpStatusCode.Conflict)
        {
            LogAlreadyGone(session.SessionId, (int)e.Status);
        }
        catch (Exception e) when (IsGenesysFailure(e))
        {
            throw new RpcException(new Status(StatusCode.Unavailable, "Genesys could not disconnect the conversation: " + Describe(e)));
        }

        await Store(() => lifecycle.EndedAsync(tenant, session.SessionId, reason, source: null, ct));
        return new EndHandoffResponse { Ended = true };
    }

    public override async Task<ReportDeliveryResponse> ReportDelivery(ReportDeliveryRequest request, ServerCallContext context)
    {
        var tenant = TenantOf(request.Tenant);
        var conversationId = Required(request.ConversationId, "conversation_id");
        var genesysMessageId = Required(request.GenesysMessageId, "genesys_message_id");
        var ct = context.CancellationToken;
        using var scope = Scope(tenant, conversationId);
        if (await Store(() => state.SessionOfConversationAsync(tenant, conversationId, ct)) is not { } session)
        {
            HandoffMetrics.Forwarded.WithLabels("receipt", "inactive").Inc();
            return new ReportDeliveryResponse { Reported = false };
        }

        var status = request.Delivered ? ReceiptStatuses.Delivered : ReceiptStatuses.Failed;
        var reported = $"{genesysMessageId}:{status}";
        if (session.ReportedReceipts.Contains(reported))
        {
            HandoffMetrics.Forwarded.WithLabels("receipt", "duplicate").Inc();
            return new ReportDeliveryResponse { Reported = true };
        }

        var connection = await ConnectAsync(tenant, ct);
        var receipt = new InboundReceipt
        {
            Id = genesysMessageId,
            Channel = new InboundReceiptChannel { To = Customer(conversationId), Time = time.GetUtcNow() },
            Status = status,
            IsFinalReceipt = true,
            Direction = "Outbound",
            Reasons = request.Delivered
                ? null
                : [new ReceiptReason { Code = "GeneralError", Message = string.IsNullOrWhiteSpace(request.Reason) ? "customer-gone" : request.Reason }],
        };
        await GenesysCall(() => connection.Client.OpenMessaging.SendReceiptAsync(connection.IntegrationId, receipt, ct), "send the receipt", "receipt");
        var limit = options.Value.MaxRememberedIds;
        await Store(() => state.UpdateSessionAsync(tenant, session.SessionId, current => current is null || current.ReportedReceipts.Contains(reported)
            ? null
            : current with { ReportedReceipts = HandoffSession.Bounded([.. current.ReportedReceipts, reported], limit), UpdatedAt = time.GetUtcNow() }, ct));
        HandoffMetrics.Forwarded.WithLabels("receipt", "sent").Inc();
        return new ReportDeliveryResponse { Reported = true };
    }

    private async Task ForwardAsync(TenantConnection connection, HandoffSession session, string messageId, string text, Google.Protobuf.WellKnownTypes.Timestamp? sentAt, CancellationToken ct)
    {
        var conversationId = session.ConversationId ?? session.CustomerId ?? session.SessionId;
        var message = new InboundOpenMessage
        {
            Channel = new InboundChannel { MessageId = messageId, Time = TimeOf(sentAt), From = Customer(conversationId) },
            Text = text,
        };
        try
        {
            await Store(() => GenesysCall(async () =>
            {
                await customerMessages.SendAsync(connection, session, message, ct);
                return true;
            }, "send the message", "message"));
        }
        catch (UncertainSendException e)
        {
            HandoffMetrics.Forwarded.WithLabels("message", "failed").Inc();
            throw new RpcException(new Status(StatusCode.Unavailable, $"{e.Message} Retry: the retry checks Genesys before it sends again."));
        }

        HandoffMetrics.Forwarded.WithLabels("message", "sent").Inc();
    }

    /// <summary>Sends the first message and answers the conversation it joined or started, sending it again only when
    /// Genesys' answer was unclear and the queue shows no conversation of the customer.</summary>
    private async Task<string> SendFirstMessageAsync(TenantConnection connection, StartHandoffRequest request, string conversationId, string messageId, string queueId, CancellationToken ct)
    {
        var message = FirstMessage(request, conversationId, messageId);
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
                if (await CustomerMessages.StartedConversationAsync(connection, queueId, conversationId, ct) is { } started)
                {
                    HandoffMetrics.Resends.WithLabels("present").Inc();
                    return started;
                }

                HandoffMetrics.Resends.WithLabels("absent").Inc();
                if (attempt >= options.Value.MaxSendAttempts)
                {
                    throw new UncertainSendException(messageId, e);
                }
            }
        }
    }

    private InboundOpenMessage FirstMessage(StartHandoffRequest request, string conversationId, string messageId)
    {
        var attributes = new Dictionary<string, string>();
        void Add(string name, string value)
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
        Add("conversationId", conversationId);
        var customer = request.Customer ?? new V1.Customer();
        Add("customerExternalId", customer.ExternalId);
        var nickname = string.Join(' ', new[] { customer.FirstName, customer.LastName }.Where(s => !string.IsNullOrWhiteSpace(s)));
        return new InboundOpenMessage
        {
            Channel = new InboundChannel
            {
                MessageId = messageId,
                Time = TimeOf(request.Time),
                From = Customer(conversationId) with
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

    private DateTimeOffset TimeOf(Google.Protobuf.WellKnownTypes.Timestamp? timestamp) =>
        timestamp is null || (timestamp.Seconds == 0 && timestamp.Nanos == 0) ? time.GetUtcNow() : timestamp.ToDateTimeOffset();

    private static InboundParty Customer(string conversationId) => new() { Id = conversationId, IdType = IdTypes.Opaque };

    private static string? NullIfEmpty(string? value) => string.IsNullOrWhiteSpace(value) ? null : value;

    private async Task<StartHandoffResponse> FailedAsync(TenantKey tenant, string conversationId, string detail, Exception e, CancellationToken ct)
    {
        LogFailed(e, detail);
        HandoffMetrics.Handoffs.WithLabels(HandoffStatus.Failed).Inc();
        HandoffMetrics.Lifecycle.WithLabels(HandoffStatus.Failed).Inc();
        await Store(() => state.PublishAsync(new HandoffEvent(tenant, conversationId, HandoffStatus.Failed, time.GetUtcNow(), Reason: detail), ct));
        return new StartHandoffResponse { Outcome = StartHandoffResponse.Types.Outcome.Failed, Detail = detail };
    }

    private async Task<TenantConnection> ConnectAsync(TenantKey tenant, CancellationToken ct)
    {
        var (connection, problem) = await Store(() => genesys.ConnectAsync(tenant, ct));
        return connection ?? throw new RpcException(new Status(StatusCode.FailedPrecondition, $"Tenant {tenant}: {problem}."));
    }

    private static string QueueOf(string requested, TenantConnection connection) =>
        !string.IsNullOrWhiteSpace(requested) ? requested
        : connection.QueueId ?? throw new RpcException(new Status(StatusCode.FailedPrecondition, "The tenant has no default queue; pass queue_id."));

    private static TenantKey TenantOf(V1.Tenant? tenant) =>
        TenantKey.TryCreate(tenant?.AccountId, tenant?.ProjectId, tenant?.ClientEnv, out var key)
            ? key.Value
            : throw new RpcException(new Status(StatusCode.InvalidArgument, "tenant must have account_id, project_id and client_env (letters, digits, '-', '_', '.')."));

    private static string Required(string value, string name) =>
        !string.IsNullOrWhiteSpace(value) ? value : throw new RpcException(new Status(StatusCode.InvalidArgument, $"{name} is required."));

    private IDisposable? Scope(TenantKey tenant, string? conversationId) =>
        logger.BeginScope(LogScope.Of(tenant: tenant.ToString(), conversationId: conversationId));

    private static async Task<IDisposable> LockAsync(TenantKey tenant, string conversationId, CancellationToken ct)
    {
        var key = $"{tenant}/{conversationId}";
        while (true)
        {
            var entry = Locks.GetOrAdd(key, _ => new ConversationLock());
            if (!entry.TryJoin())
            {
                continue; // its last user just removed it: take (or make) the next one
            }

            try
            {
                await entry.Gate.WaitAsync(ct);
            }
            catch
            {
                entry.Leave(key, entered: false);
                throw;
            }

            return new Release(key, entry);
        }
    }

    /// <summary>State store trouble is the caller's to retry: <c>Unavailable</c>.</summary>
    private static async Task<T> Store<T>(Func<Task<T>> call)
    {
        try
        {
            return await call();
        }
        catch (Exception e) when (e is DaprException or HandoffStateConflictException)
        {
            throw new RpcException(new Status(StatusCode.Unavailable, "The handoff state could not be read or saved; retry."));
        }
    }

    private static async Task Store(Func<Task> call) => await Store(async () =>
    {
        await call();
        return true;
    });

    private static async Task<T> GenesysCall<T>(Func<Task<T>> call, string what, string? kind = null)
    {
        try
        {
            return await call();
        }
        catch (Exception e) when (IsGenesysFailure(e))
        {
            if (kind is not null)
            {
                HandoffMetrics.Forwarded.WithLabels(kind, "failed").Inc();
            }

            throw new RpcException(new Status(StatusCode.Unavailable, $"Genesys could not {what}: {Describe(e)}"));
        }
    }

    private static bool IsGenesysFailure(Exception e) =>
        e is GenesysApiException or GenesysResponseException or TimeoutException or HttpRequestException or GenesysBudgetExceededException;

    /// <summary>What went wrong, without anything secret: status, Genesys code and correlation id.</summary>
    private static string Describe(Exception e) => e switch
    {
        GenesysApiException api => $"{(int)api.Status} {api.Code} (correlation {api.CorrelationId})",
        GenesysResponseException => "malformed Genesys response",
        GenesysBudgetExceededException => "the tenant's Genesys request budget for this minute is spent",
        TimeoutException => "timed out",
        _ => "network error",
    };

    private sealed class Release(string key, ConversationLock entry) : IDisposable
    {
        public void Dispose() => entry.Leave(key, entered: true);
    }

    /// <summary>A conversation's lock and how many calls hold or wait for it; the last one out removes it.</summary>
    private sealed class ConversationLock
    {
        private readonly Lock _count = new();
        private int _users;

        public SemaphoreSlim Gate { get; } = new(1, 1);

        public bool TryJoin()
        {
            lock (_count)
            {
                if (_users < 0)
                {
                    return false;
                }

                _users++;
                return true;
            }
        }

        public void Leave(string key, bool entered)
        {
            if (entered)
            {
                Gate.Release();
            }

            lock (_count)
            {
                if (--_users == 0)
                {
                    _users = -1;
                    Locks.TryRemove(new KeyValuePair<string, ConversationLock>(key, this));
                    Gate.Dispose();
                }
            }
        }
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

    [LoggerMessage(Level = LogLevel.Information, Message = "Genesys conversation {GenesysConversationId} was already gone ({Status})")]
    private partial void LogAlreadyGone(string genesysConversationId, int status);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Sending the first message to Genesys had no clear answer ({Outcome}); looking for the conversation it may have started")]
    private partial void LogFirstSendUncertain(string outcome);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Handoff failed: {Detail}")]
    private partial void LogFailed(Exception exception, string detail);
}

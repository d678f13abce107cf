using Grpc.Core;
using Microsoft.Extensions.Options;
using PolyAi.Messaging.Contracts;
using PolyAi.Messaging.Genesys;
using PolyAi.Messaging.Genesys.OpenMessaging;
using PolyAi.Messaging.Handoff.Sessions;
using PolyAi.Messaging.Handoff.V1;
using PolyAi.Messaging.ServiceDefaults;
using static PolyAi.Messaging.Handoff.Handoffs.HandoffCalls;

namespace PolyAi.Messaging.Handoff.Handoffs;

/// <summary>
/// The agent → handoff gRPC API (<c>protos/handoff.proto</c>): each method reads its request, calls the operation and
/// answers its result (the start is <see cref="HandoffStart"/>). Every call is idempotent for the same conversation
/// and message: a repeat answers what the first call answered and sends nothing to Genesys twice. Bad input is
/// <c>InvalidArgument</c>, an unknown or half-configured tenant <c>FailedPrecondition</c>, a state store or Genesys that
/// cannot be reached <c>Unavailable</c> (the caller retries): <see cref="HandoffErrors"/>.
/// </summary>
public sealed partial class HandoffRpc(
    HandoffStart start,
    HandoffSessionStore state,
    HandoffLifecycle lifecycle,
    TenantGenesys genesys,
    Availability availability,
    CustomerMessages customerMessages,
    ConversationLocks locks,
    IOptions<HandoffOptions> options,
    TimeProvider time,
    ILogger<HandoffRpc> logger) : V1.Handoff.HandoffBase
{
    public override async Task<CheckAvailabilityResponse> CheckAvailability(CheckAvailabilityRequest request, ServerCallContext context)
    {
        var tenant = TenantOf(request.Tenant);
        using var scope = Scope(tenant, null);
        var connection = await ConnectAsync(genesys, tenant, context.CancellationToken);
        var queueId = QueueOf(request.QueueId, connection);
        var onQueue = await GenesysCall(() => availability.OnQueueAgentsAsync(connection, queueId, context.CancellationToken), "query queue observations");
        return new CheckAvailabilityResponse { Available = onQueue > 0, AgentsOnQueue = (int)Math.Min(onQueue, int.MaxValue) };
    }

    public override async Task<StartHandoffResponse> StartHandoff(StartHandoffRequest request, ServerCallContext context)
    {
        var tenant = TenantOf(request.Tenant);
        var conversationId = Required(request.ConversationId, "conversation_id");
        using var scope = Scope(tenant, conversationId);
        var customer = request.Customer ?? new V1.Customer();
        var result = await start.StartAsync(
            new HandoffRequest(
                tenant, conversationId, Required(request.MessageId, "message_id"), Required(request.Text, "text"), TimeOf(request.Time),
                NullIfEmpty(request.QueueId), new HandoffCustomer(customer.FirstName, customer.LastName, customer.Email, customer.ExternalId))
            {
                Summary = request.Summary,
                Intent = request.Intent,
                TranscriptUrl = request.TranscriptUrl,
                Locale = request.Locale,
            },
            context.CancellationToken);
        return new StartHandoffResponse
        {
            Outcome = result.Outcome switch
            {
                HandoffStartOutcome.Started => StartHandoffResponse.Types.Outcome.Started,
                HandoffStartOutcome.Unavailable => StartHandoffResponse.Types.Outcome.Unavailable,
                _ => StartHandoffResponse.Types.Outcome.Failed,
            },
            GenesysConversationId = result.GenesysConversationId ?? string.Empty,
            Detail = result.Detail ?? string.Empty,
        };
    }

    public override async Task<ForwardMessageResponse> ForwardMessage(ForwardMessageRequest request, ServerCallContext context)
    {
        var tenant = TenantOf(request.Tenant);
        var conversationId = Required(request.ConversationId, "conversation_id");
        var messageId = Required(request.MessageId, "message_id");
        Required(request.Text, "text");
        var ct = context.CancellationToken;
        using var scope = Scope(tenant, conversationId);
        using var _ = await locks.EnterAsync(tenant, conversationId, ct);

        var session = await Store(() => state.SessionOfConversationAsync(tenant, conversationId, ct));
        if (session is not null && session.ForwardedMessageIds.Contains(messageId))
        {
            // Seen, even if the handoff has ended since: an agent that died after our answer asks again on recovery.
            HandoffMetrics.Forwarded.WithLabels("message", "duplicate").Inc();
            return new ForwardMessageResponse { Forwarded = true };
        }

        if (session is not { IsActive: true })
        {
            return await InactiveAsync(session);
        }

        var connection = await ConnectAsync(genesys, tenant, ct);

        // A message to an ended Genesys conversation would open a new one: make sure it is still open first.
        if (!await Store(() => GenesysCall(() => lifecycle.ReconcileAsync(tenant, session.SessionId, DetectionSources.Poll, ct), "look up the conversation")))
        {
            return await InactiveAsync(session);
        }

        await customerMessages.ForwardAsync(connection, session, messageId, request.Text, TimeOf(request.Time), ct);
        return new ForwardMessageResponse { Forwarded = true };

        // Not forwarded now: the handoff has ended. Unless a replica that died had sent it before recording it, and
        // the human got it before ending (the id is pending on the session and Genesys has it).
        async Task<ForwardMessageResponse> InactiveAsync(HandoffSession? ended)
        {
            if (ended is not null && ended.PendingMessageIds.Contains(messageId)
                && await customerMessages.ArrivedBeforeTheEndAsync(await ConnectAsync(genesys, tenant, ct), ended, messageId, ct))
            {
                HandoffMetrics.Forwarded.WithLabels("message", "duplicate").Inc();
                return new ForwardMessageResponse { Forwarded = true };
            }

            HandoffMetrics.Forwarded.WithLabels("message", "inactive").Inc();
            return new ForwardMessageResponse { Forwarded = false };
        }
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

        var connection = await ConnectAsync(genesys, tenant, ct);
        await GenesysCall(
            () => connection.Client.OpenMessaging.SendEventAsync(connection.IntegrationId, InboundOpenEvent.Typing(CustomerMessages.Customer(conversationId), time.GetUtcNow()), ct),
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

        var connection = await ConnectAsync(genesys, tenant, ct);
        try
        {
            await connection.Client.Conversations.DisconnectConversationAsync(session.SessionId, ct);
        }
        catch (GenesysApiException e) when (IsGone(e))
        {
            LogAlreadyGone(session.SessionId, (int)e.Status);
        }
        catch (Exception e) when (IsGenesysFailure(e))
        {
            throw new HandoffRetryableException("Genesys could not disconnect the conversation: " + Describe(e), e);
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

        var connection = await ConnectAsync(genesys, tenant, ct);
        var receipt = new InboundReceipt
        {
            Id = genesysMessageId,
            Channel = new InboundReceiptChannel { To = CustomerMessages.Customer(conversationId), Time = time.GetUtcNow() },
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

    private DateTimeOffset TimeOf(Google.Protobuf.WellKnownTypes.Timestamp? timestamp) =>
        timestamp is null || (timestamp.Seconds == 0 && timestamp.Nanos == 0) ? time.GetUtcNow() : timestamp.ToDateTimeOffset();

    private static string? NullIfEmpty(string? value) => string.IsNullOrWhiteSpace(value) ? null : value;

    private static TenantKey TenantOf(V1.Tenant? tenant) =>
        TenantKey.TryCreate(tenant?.AccountId, tenant?.ProjectId, tenant?.ClientEnv, out var key)
            ? key.Value
            : throw new HandoffArgumentException("tenant must have account_id, project_id and client_env (letters, digits, '-', '_', '.').");

    private static string Required(string value, string name) =>
        !string.IsNullOrWhiteSpace(value) ? value : throw new HandoffArgumentException($"{name} is required.");

    private IDisposable? Scope(TenantKey tenant, string? conversationId) =>
        logger.BeginScope(LogScope.Of(tenant: tenant.ToString(), conversationId: conversationId));

    [LoggerMessage(Level = LogLevel.Information, Message = "Genesys conversation {GenesysConversationId} was already gone ({Status})")]
    private partial void LogAlreadyGone(string genesysConversationId, int status);
}

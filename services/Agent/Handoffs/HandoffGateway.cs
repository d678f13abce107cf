using Google.Protobuf.WellKnownTypes;
using Grpc.Core;
using Microsoft.Extensions.Options;
using PolyAi.Messaging.Contracts;
using PolyAi.Messaging.Handoff.V1;
using HandoffClient = PolyAi.Messaging.Handoff.V1.Handoff.HandoffClient;

namespace PolyAi.Messaging.Agent.Handoffs;

/// <summary>
/// The agent's calls to the handoff service: each with a deadline, retried by the channel's retry policy
/// (the calls are idempotent), counted by method and gRPC status.
/// </summary>
public sealed class HandoffGateway(HandoffClient client, IOptions<HandoffCallOptions> options, TimeProvider time)
{
    public Task<CheckAvailabilityResponse> CheckAvailabilityAsync(TenantKey tenant, string? queueId, CancellationToken cancellationToken) =>
        CallAsync("CheckAvailability", options.Value.CallTimeout, deadline => client.CheckAvailabilityAsync(
            new CheckAvailabilityRequest { Tenant = Tenant(tenant), QueueId = queueId ?? "" }, deadline: deadline, cancellationToken: cancellationToken).ResponseAsync);

    public Task<StartHandoffResponse> StartAsync(StartHandoffRequest request, CancellationToken cancellationToken) =>
        CallAsync("StartHandoff", options.Value.StartTimeout, deadline =>
            client.StartHandoffAsync(request, deadline: deadline, cancellationToken: cancellationToken).ResponseAsync);

    public Task<ForwardMessageResponse> ForwardMessageAsync(TenantKey tenant, string conversationId, string messageId, string text, DateTimeOffset sentAt, CancellationToken cancellationToken) =>
        CallAsync("ForwardMessage", options.Value.CallTimeout, deadline => client.ForwardMessageAsync(
            new ForwardMessageRequest
            {
                Tenant = Tenant(tenant), ConversationId = conversationId, MessageId = messageId, Text = text, Time = Timestamp.FromDateTimeOffset(sentAt),
            },
            deadline: deadline, cancellationToken: cancellationToken).ResponseAsync);

    public Task<ForwardTypingResponse> ForwardTypingAsync(TenantKey tenant, string conversationId, CancellationToken cancellationToken) =>
        CallAsync("ForwardTyping", options.Value.CallTimeout, deadline => client.ForwardTypingAsync(
            new ForwardTypingRequest { Tenant = Tenant(tenant), ConversationId = conversationId }, deadline: deadline, cancellationToken: cancellationToken).ResponseAsync);

    public Task<EndHandoffResponse> EndAsync(TenantKey tenant, string conversationId, string reason, CancellationToken cancellationToken) =>
        CallAsync("EndHandoff", options.Value.CallTimeout, deadline => client.EndHandoffAsync(
            new EndHandoffRequest { Tenant = Tenant(tenant), ConversationId = conversationId, Reason = reason }, deadline: deadline, cancellationToken: cancellationToken).ResponseAsync);

    public Task<ReportDeliveryResponse> ReportDeliveryAsync(
        TenantKey tenant, string conversationId, string genesysMessageId, bool delivered, string? reason, CancellationToken cancellationToken) =>
        CallAsync("ReportDelivery", options.Value.CallTimeout, deadline => client.ReportDeliveryAsync(
            new ReportDeliveryRequest
            {
                Tenant = Tenant(tenant), ConversationId = conversationId, GenesysMessageId = genesysMessageId, Delivered = delivered, Reason = reason ?? "",
            },
            deadline: deadline, cancellationToken: cancellationToken).ResponseAsync);

    public static PolyAi.Messaging.Handoff.V1.Tenant Tenant(TenantKey tenant) =>
        new() { AccountId = tenant.AccountId, ProjectId = tenant.ProjectId, ClientEnv = tenant.ClientEnv };

    private async Task<T> CallAsync<T>(string method, TimeSpan timeout, Func<DateTime, Task<T>> call)
    {
        try
        {
            var response = await call(time.GetUtcNow().UtcDateTime + timeout);
            ConversationMetrics.HandoffCalls.WithLabels(method, nameof(StatusCode.OK)).Inc();
            return response;
        }
        catch (RpcException e)
        {
            ConversationMetrics.HandoffCalls.WithLabels(method, e.StatusCode.ToString()).Inc();
            throw;
        }
    }
}

using System.Net;
using Dapr;
using Grpc.Core;
using Grpc.Core.Interceptors;
using PolyAi.Messaging.Contracts;
using PolyAi.Messaging.Genesys;

namespace PolyAi.Messaging.Handoff.Handoffs;

/// <summary>Trouble the caller should retry (state store, Genesys, a send with no clear answer): gRPC <c>Unavailable</c>.</summary>
public sealed class HandoffRetryableException(string message, Exception? inner = null) : Exception(message, inner);

/// <summary>A tenant not ready for handoffs (unknown, half-configured, no queue): gRPC <c>FailedPrecondition</c>.</summary>
public sealed class HandoffPreconditionException(string message) : Exception(message);

/// <summary>Bad input from the caller: gRPC <c>InvalidArgument</c>.</summary>
public sealed class HandoffArgumentException(string message) : Exception(message);

/// <summary>The handoff's failures as the gRPC statuses the agent acts on; nothing else reaches the caller's detail.</summary>
public sealed class HandoffErrors : Interceptor
{
    public override async Task<TResponse> UnaryServerHandler<TRequest, TResponse>(
        TRequest request, ServerCallContext context, UnaryServerMethod<TRequest, TResponse> continuation)
    {
        try
        {
            return await continuation(request, context);
        }
        catch (HandoffRetryableException e)
        {
            throw new RpcException(new Status(StatusCode.Unavailable, e.Message));
        }
        catch (HandoffPreconditionException e)
        {
            throw new RpcException(new Status(StatusCode.FailedPrecondition, e.Message));
        }
        catch (HandoffArgumentException e)
        {
            throw new RpcException(new Status(StatusCode.InvalidArgument, e.Message));
        }
    }
}

/// <summary>How the handoff's operations call the state store and Genesys, and what a failure of either means.</summary>
internal static class HandoffCalls
{
    /// <summary>State store trouble is the caller's to retry.</summary>
    public static async Task<T> Store<T>(Func<Task<T>> call)
    {
        try
        {
            return await call();
        }
        catch (Exception e) when (e is DaprException or HandoffStateConflictException)
        {
            throw new HandoffRetryableException("The handoff state could not be read or saved; retry.", e);
        }
    }

    public static async Task Store(Func<Task> call) => await Store(async () =>
    {
        await call();
        return true;
    });

    /// <summary>A Genesys failure is the caller's to retry; <paramref name="kind"/> counts it as a failed forward.</summary>
    public static async Task<T> GenesysCall<T>(Func<Task<T>> call, string what, string? kind = null)
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

            throw new HandoffRetryableException($"Genesys could not {what}: {Describe(e)}", e);
        }
    }

    public static async Task<TenantConnection> ConnectAsync(TenantGenesys genesys, TenantKey tenant, CancellationToken ct)
    {
        var (connection, problem) = await Store(() => genesys.ConnectAsync(tenant, ct));
        return connection ?? throw new HandoffPreconditionException($"Tenant {tenant}: {problem}.");
    }

    public static string QueueOf(string? requested, TenantConnection connection) =>
        !string.IsNullOrWhiteSpace(requested) ? requested
        : connection.QueueId ?? throw new HandoffPreconditionException("The tenant has no default queue; pass queue_id.");

    public static bool IsGenesysFailure(Exception e) =>
        e is GenesysApiException or GenesysResponseException or TimeoutException or HttpRequestException or GenesysBudgetExceededException;

    public static bool IsGone(GenesysApiException e) => e.Status is HttpStatusCode.NotFound or HttpStatusCode.Conflict;

    /// <summary>What went wrong, without anything secret: status, Genesys code and correlation id.</summary>
    public static string Describe(Exception e) => e switch
    {
        GenesysApiException api => $"{(int)api.Status} {api.Code} (correlation {api.CorrelationId})",
        GenesysResponseException => "malformed Genesys response",
        GenesysBudgetExceededException => "the tenant's Genesys request budget for this minute is spent",
        TimeoutException => "timed out",
        _ => "network error",
    };
}

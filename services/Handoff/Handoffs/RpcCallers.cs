using Dapr.Client;
using Grpc.Core;
using Grpc.Core.Interceptors;
using Microsoft.Extensions.Options;
using PolyAi.Messaging.Contracts;
using PolyAi.Messaging.ServiceDefaults;

namespace PolyAi.Messaging.Handoff.Handoffs;

/// <summary>
/// Only the agent may call the gRPC API: with <see cref="HandoffOptions.RpcTokenSecret"/> set, a call without
/// <c>authorization: Bearer &lt;token&gt;</c> matching the shared secret is <c>Unauthenticated</c> before any handler
/// runs (nothing read, nothing sent to Genesys); a secret that cannot be read yet is <c>Unavailable</c> (the agent
/// retries). Refusals are counted, and logged within a budget.
/// </summary>
public sealed partial class RpcCallers : Interceptor
{
    private const string Scheme = "Bearer ";
    private readonly SharedToken? _token;
    private readonly LogBudget _refusedLog;
    private readonly ILogger<RpcCallers> _logger;

    public RpcCallers(DaprClient dapr, IOptions<HandoffOptions> options, IOptions<TenancyOptions> tenancy, TimeProvider time, ILogger<RpcCallers> logger)
    {
        var secret = options.Value.RpcTokenSecret;
        _token = string.IsNullOrEmpty(secret) ? null : new SharedToken(dapr, tenancy.Value.SecretStore, secret, time);
        _refusedLog = new LogBudget(10, TimeSpan.FromSeconds(10), time);
        _logger = logger;
    }

    public override async Task<TResponse> UnaryServerHandler<TRequest, TResponse>(
        TRequest request, ServerCallContext context, UnaryServerMethod<TRequest, TResponse> continuation)
    {
        if (_token is not null)
        {
            await CheckAsync(_token, context);
        }

        return await continuation(request, context);
    }

    private async Task CheckAsync(SharedToken token, ServerCallContext context)
    {
        var header = context.RequestHeaders.GetValue("authorization");
        bool accepted;
        try
        {
            accepted = header is not null && header.StartsWith(Scheme, StringComparison.OrdinalIgnoreCase)
                && await token.AcceptsAsync(header[Scheme.Length..], context.CancellationToken);
        }
        catch (SharedTokenUnavailableException)
        {
            HandoffMetrics.RpcRefused.WithLabels("token_unavailable").Inc();
            throw new RpcException(new Status(StatusCode.Unavailable, "The handoff service cannot check callers yet (its token secret cannot be read)."));
        }

        if (!accepted)
        {
            HandoffMetrics.RpcRefused.WithLabels("unauthenticated").Inc();
            if (_refusedLog.TryTake(out var heldBack))
            {
                LogRefused(context.Method, heldBack);
            }

            throw new RpcException(new Status(StatusCode.Unauthenticated,
                $"Only the agent may call the handoff service: authorization: Bearer <the '{token.SecretName}' token>."));
        }
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Refused a gRPC call to {Method} without the agent's token ({HeldBack} more refused since the last line)")]
    private partial void LogRefused(string method, long heldBack);
}

using System.Collections.Concurrent;
using System.Net;
using System.Net.Sockets;
using Grpc.Core;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using PolyAi.Messaging.Handoff.V1;

namespace PolyAi.Messaging.Testing;

/// <summary>
/// The handoff service's gRPC side, faked in the test on its own HTTP/2 port: remembers every call, and answers
/// CheckAvailability per tenant account (<see cref="Unavailable"/>). Like the real one with its caller check on, it
/// answers UNAUTHENTICATED to a call without <see cref="RequiredAuthorization"/>.
/// </summary>
public sealed class FakeHandoff : Handoff.V1.Handoff.HandoffBase, IAsyncDisposable
{
    private WebApplication? _app;

    public ConcurrentQueue<object> Calls { get; } = new();

    /// <summary>The <c>authorization</c> header of every call, refused ones included, in arrival order.</summary>
    public ConcurrentQueue<string?> Authorizations { get; } = new();

    /// <summary>The <c>authorization</c> header a call must carry (null: any).</summary>
    public string? RequiredAuthorization { get; init; }

    /// <summary>Accounts whose queue has nobody on it.</summary>
    public ConcurrentDictionary<string, bool> Unavailable { get; } = new();

    /// <summary>ForwardMessage calls for these conversations fail with UNAVAILABLE this many more times.</summary>
    public ConcurrentDictionary<string, int> ForwardFailures { get; } = new();

    /// <summary>ForwardMessage calls for these conversations never answer (until the caller's deadline cancels them).</summary>
    public ConcurrentDictionary<string, bool> ForwardHangs { get; } = new();

    /// <summary>Hanging ForwardMessage calls begun, and ended by the caller's deadline or cancellation.</summary>
    public int HungForwardsBegun => _hungBegun;

    public int HungForwardsEnded => _hungEnded;

    private int _hungBegun;
    private int _hungEnded;

    /// <summary>Conversations whose handoff this fake no longer knows (ForwardMessage answers Forwarded = false).</summary>
    public ConcurrentDictionary<string, bool> Forgotten { get; } = new();

    public Uri Address { get; private set; } = null!;

    public static async Task<FakeHandoff> StartAsync(string? requiredAuthorization = null)
    {
        var fake = new FakeHandoff { RequiredAuthorization = requiredAuthorization };
        var port = FreePort.Pick();

        var builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.ConfigureKestrel(k => k.Listen(IPAddress.Loopback, port, o => o.Protocols = HttpProtocols.Http2));
        builder.Services.AddGrpc();
        builder.Services.AddSingleton(fake);
        var app = builder.Build();
        app.MapGrpcService<FakeHandoff>();
        await app.StartAsync();
        fake._app = app;
        fake.Address = new Uri($"http://127.0.0.1:{port}");
        return fake;
    }

    /// <summary>Records the call, after its caller check.</summary>
    private void Accept(object request, ServerCallContext context)
    {
        var authorization = context.RequestHeaders.GetValue("authorization");
        Authorizations.Enqueue(authorization);
        if (RequiredAuthorization is not null && authorization != RequiredAuthorization)
        {
            throw new RpcException(new Status(StatusCode.Unauthenticated, "Only the agent may call the handoff service."));
        }

        Calls.Enqueue(request);
    }

    public IEnumerable<T> CallsOf<T>(Func<T, bool>? where = null) => Calls.OfType<T>().Where(c => where?.Invoke(c) ?? true);

    public override Task<CheckAvailabilityResponse> CheckAvailability(CheckAvailabilityRequest request, ServerCallContext context)
    {
        Accept(request, context);
        var available = !Unavailable.ContainsKey(request.Tenant.AccountId);
        return Task.FromResult(new CheckAvailabilityResponse { Available = available, AgentsOnQueue = available ? 1 : 0 });
    }

    public override Task<StartHandoffResponse> StartHandoff(StartHandoffRequest request, ServerCallContext context)
    {
        Accept(request, context);
        return Task.FromResult(new StartHandoffResponse { Outcome = StartHandoffResponse.Types.Outcome.Started, GenesysConversationId = "genesys-" + request.ConversationId });
    }

    public override async Task<ForwardMessageResponse> ForwardMessage(ForwardMessageRequest request, ServerCallContext context)
    {
        Accept(request, context);
        if (ForwardHangs.ContainsKey(request.ConversationId))
        {
            Interlocked.Increment(ref _hungBegun);
            try
            {
                await Task.Delay(Timeout.Infinite, context.CancellationToken);
            }
            finally
            {
                Interlocked.Increment(ref _hungEnded);
            }
        }

        if (ForwardFailures.TryGetValue(request.ConversationId, out var left) && left > 0)
        {
            ForwardFailures[request.ConversationId] = left - 1;
            throw new RpcException(new Status(StatusCode.Unavailable, "Genesys is not answering"));
        }

        return new ForwardMessageResponse { Forwarded = !Forgotten.ContainsKey(request.ConversationId) };
    }

    public override Task<ForwardTypingResponse> ForwardTyping(ForwardTypingRequest request, ServerCallContext context)
    {
        Accept(request, context);
        return Task.FromResult(new ForwardTypingResponse { Forwarded = true });
    }

    public override Task<EndHandoffResponse> EndHandoff(EndHandoffRequest request, ServerCallContext context)
    {
        Accept(request, context);
        return Task.FromResult(new EndHandoffResponse { Ended = true });
    }

    public override Task<ReportDeliveryResponse> ReportDelivery(ReportDeliveryRequest request, ServerCallContext context)
    {
        Accept(request, context);
        return Task.FromResult(new ReportDeliveryResponse { Reported = true });
    }

    public async ValueTask DisposeAsync()
    {
        if (_app is not null)
        {
            await _app.DisposeAsync();
        }
    }
}

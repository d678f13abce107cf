using System.Collections.Concurrent;
using System.Net;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace PolyAi.Messaging.Edge.Tests.Support;

/// <summary>A stand-in verifier on a free 127.0.0.1 port: records every webhook it fully received and answers 200.</summary>
public sealed class FakeVerifier : IAsyncDisposable
{
    /// <summary>Webhooks for this account id are answered 401, as the verifier answers a bad signature.</summary>
    public const string UnauthorizedAccount = "fake-unauthorized";

    /// <summary>Any webhook with this signature is answered 401 too: a caller without the tenant's secret.</summary>
    public const string BadSignature = "sha256=bm90IHRoZSB0ZW5hbnRzIHNlY3JldA==";

    private readonly WebApplication _app;
    private readonly ConcurrentQueue<ReceivedWebhook> _received = new();
    private readonly ConcurrentQueue<string> _started = new();

    private FakeVerifier(WebApplication app) => _app = app;

    public Uri Address => new(_app.Services.GetRequiredService<IServer>().Features.GetRequiredFeature<IServerAddressesFeature>().Addresses.Single());

    public IReadOnlyList<ReceivedWebhook> Received => [.. _received];

    /// <summary>What a verified webhook's answer says of its account's own allowance (<c>X-PolyAI-Webhook-Rate</c>), as the verifier reads it from the tenant record.</summary>
    public ConcurrentDictionary<string, string> TenantRates { get; } = new(StringComparer.Ordinal);

    public IEnumerable<ReceivedWebhook> ReceivedFor(string accountId) =>
        Received.Where(webhook => webhook.Path.Contains($"/{accountId}/", StringComparison.Ordinal));

    /// <summary>Paths of the webhooks whose headers arrived, before their bodies were read: requests still open count.</summary>
    public int StartedFor(string accountId) => _started.Count(path => path.Contains($"/{accountId}/", StringComparison.Ordinal));

    public static async Task<FakeVerifier> StartAsync()
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.UseKestrel(kestrel => kestrel.Listen(IPAddress.Loopback, 0));
        var app = builder.Build();
        var fake = new FakeVerifier(app);
        app.MapPost("/webhooks/genesys/{accountId}/{projectId}/{clientEnv}/events", async (HttpContext context, string accountId) =>
        {
            fake._started.Enqueue(context.Request.Path);
            using var body = new MemoryStream();
            await context.Request.Body.CopyToAsync(body, context.RequestAborted);
            fake._received.Enqueue(new ReceivedWebhook(
                context.Request.Path + context.Request.QueryString,
                body.ToArray(),
                context.Request.Headers["X-Hub-Signature-256"].ToString()));
            if (accountId == UnauthorizedAccount || context.Request.Headers["X-Hub-Signature-256"] == BadSignature)
            {
                return Results.Problem(statusCode: StatusCodes.Status401Unauthorized, title: "Unauthorized", detail: "from the verifier");
            }

            if (fake.TenantRates.TryGetValue(accountId, out var rate))
            {
                context.Response.Headers[TenantWebhookRate.HeaderName] = rate;
            }

            return Results.Json(new { status = "accepted" });
        });
        await app.StartAsync();
        return fake;
    }

    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync();
        await _app.DisposeAsync();
    }
}

public sealed record ReceivedWebhook(string Path, byte[] Body, string Signature);

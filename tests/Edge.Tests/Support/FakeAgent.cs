using System.Collections.Concurrent;
using System.Net;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace PolyAi.Messaging.Edge.Tests.Support;

/// <summary>
/// A stand-in agent service: records every chat request it fully received and answers as the chat API does; its
/// event stream writes one event per <see cref="ReleaseEvent"/>, so a test can see whether the edge holds events back.
/// </summary>
public sealed class FakeAgent : IAsyncDisposable
{
    private readonly WebApplication _app;
    private readonly ConcurrentQueue<ReceivedChatRequest> _received = new();
    private readonly ConcurrentDictionary<string, SemaphoreSlim> _releases = new();

    private FakeAgent(WebApplication app) => _app = app;

    public Uri Address => new(_app.Services.GetRequiredService<IServer>().Features.GetRequiredFeature<IServerAddressesFeature>().Addresses.Single());

    public IReadOnlyList<ReceivedChatRequest> Received => [.. _received];

    /// <summary>Lets the open event stream of <paramref name="conversationId"/> write its next event.</summary>
    public void ReleaseEvent(string conversationId) => Release(conversationId).Release();

    public static async Task<FakeAgent> StartAsync()
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.UseKestrel(kestrel => kestrel.Listen(IPAddress.Loopback, 0));
        var app = builder.Build();
        var fake = new FakeAgent(app);
        app.Use(async (context, next) =>
        {
            using var body = new MemoryStream();
            await context.Request.Body.CopyToAsync(body, context.RequestAborted);
            fake._received.Enqueue(new ReceivedChatRequest(
                context.Request.Method,
                context.Request.Path + context.Request.QueryString,
                body.ToArray(),
                context.Request.Headers.Authorization.ToString(),
                context.Request.Headers["Last-Event-ID"].ToString()));
            await next();
        });
        app.MapPost("/v1/chat/{accountId}/{projectId}/{clientEnv}/conversations", (string accountId) =>
            Results.Json(new { conversationId = "c-" + accountId, token = "t-" + accountId }, statusCode: StatusCodes.Status201Created));
        app.MapPost("/v1/chat/conversations/{id}/messages", (string id) =>
            Results.Json(new { messageId = "m-" + id }, statusCode: StatusCodes.Status202Accepted));
        app.MapGet("/v1/chat/conversations/{id}/events", async (HttpContext context, string id) =>
        {
            context.Response.ContentType = "text/event-stream";
            context.Response.Headers.CacheControl = "no-cache";
            await context.Response.StartAsync(context.RequestAborted); // headers now, as an SSE server does
            await context.Response.Body.FlushAsync(context.RequestAborted);
            var release = fake.Release(id);
            for (var n = 1; n <= 3; n++)
            {
                await release.WaitAsync(context.RequestAborted);
                await context.Response.WriteAsync($"id: {n}\nevent: message\ndata: {{\"text\":\"event {n}\"}}\n\n", context.RequestAborted);
                await context.Response.Body.FlushAsync(context.RequestAborted);
            }
        });
        await app.StartAsync();
        return fake;
    }

    private SemaphoreSlim Release(string conversationId) => _releases.GetOrAdd(conversationId, _ => new SemaphoreSlim(0));

    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync();
        await _app.DisposeAsync();
    }
}

public sealed record ReceivedChatRequest(string Method, string Path, byte[] Body, string Authorization, string LastEventId);

using System.Collections.Concurrent;
using System.Globalization;
using System.Net;
using System.Text.Json;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace PolyAi.Messaging.Webchat.Tests.Support;

/// <summary>
/// The chat API as the issue specifies it, with no brain: the test scripts what the AI, the agent and the handoff
/// do, and can drop or refuse event streams to play network loss. Stands in for the agent service behind the edge.
/// </summary>
public sealed class FakeChatApi : IAsyncDisposable
{
    private readonly WebApplication _app;
    private readonly ConcurrentDictionary<string, FakeConversation> _conversations = new();
    private int _next;

    private FakeChatApi(WebApplication app) => _app = app;

    public Uri Address => new(_app.Services.GetRequiredService<IServer>().Features.GetRequiredFeature<IServerAddressesFeature>().Addresses.Single());

    /// <summary>The conversation the widget started for <paramref name="accountId"/>, once it has.</summary>
    public Task<FakeConversation> ConversationOfAsync(string accountId) =>
        Eventually.Get(() => _conversations.Values.SingleOrDefault(c => c.AccountId == accountId), $"the conversation the widget started for {accountId}", TimeSpan.FromSeconds(20));

    public int ConversationsOf(string accountId) => _conversations.Values.Count(c => c.AccountId == accountId);

    public static async Task<FakeChatApi> StartAsync()
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.UseKestrel(kestrel => kestrel.Listen(IPAddress.Loopback, 0));
        var app = builder.Build();
        var fake = new FakeChatApi(app);

        app.MapPost("/v1/chat/{accountId}/{projectId}/{clientEnv}/conversations", (string accountId, string projectId, string clientEnv) =>
        {
            var id = "conv-" + Interlocked.Increment(ref fake._next).ToString(CultureInfo.InvariantCulture);
            var conversation = new FakeConversation(id, "token-" + Guid.NewGuid().ToString("N"), accountId, $"{accountId}/{projectId}/{clientEnv}");
            fake._conversations[id] = conversation;
            return Results.Json(new { conversationId = id, conversation.Token }, statusCode: StatusCodes.Status201Created);
        });

        var conversations = app.MapGroup("/v1/chat/conversations/{id}");
        conversations.MapPost("/messages", async (HttpContext context, string id) =>
        {
            if (fake.Authorised(context, id) is not { } conversation)
            {
                return Unauthorized();
            }

            using var body = await JsonDocument.ParseAsync(context.Request.Body, cancellationToken: context.RequestAborted);
            var text = body.RootElement.TryGetProperty("text", out var value) ? value.GetString() ?? "" : "";
            if (text.Length is 0 or > 4000)
            {
                return Results.Problem(statusCode: StatusCodes.Status400BadRequest, title: "Bad Request", detail: "Text must be 1 to 4000 characters.");
            }

            return Results.Json(new { messageId = conversation.Say("customer", text) }, statusCode: StatusCodes.Status202Accepted);
        });
        conversations.MapPost("/typing", (HttpContext context, string id) =>
            fake.Authorised(context, id) is { } conversation ? Results.StatusCode(conversation.CustomerTyped()) : Unauthorized());
        conversations.MapPost("/end", (HttpContext context, string id) =>
            fake.Authorised(context, id) is { } conversation ? Results.StatusCode(conversation.End()) : Unauthorized());
        conversations.MapGet("/messages", (HttpContext context, string id) =>
            fake.Authorised(context, id) is { } conversation ? Results.Json(new { conversationId = id, status = conversation.Ended ? "ended" : "active", messages = conversation.Transcript(), handoff = conversation.LatestHandoff() }) : Unauthorized());
        conversations.MapGet("/events", async (HttpContext context, string id) =>
        {
            if (fake.Authorised(context, id) is not { } conversation)
            {
                await Unauthorized().ExecuteAsync(context);
                return;
            }

            await conversation.StreamAsync(context);
        });

        await app.StartAsync();
        return fake;
    }

    /// <summary>As the real chat API answers a missing or wrong token: 401 problem+json.</summary>
    private static IResult Unauthorized() => Results.Problem(statusCode: StatusCodes.Status401Unauthorized, title: "Unauthorized");

    private FakeConversation? Authorised(HttpContext context, string id) =>
        _conversations.TryGetValue(id, out var conversation) && context.Request.Headers.Authorization == $"Bearer {conversation.Token}"
            ? conversation
            : null;

    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync();
        await _app.DisposeAsync();
        foreach (var conversation in _conversations.Values)
        {
            conversation.Dispose();
        }
    }
}

/// <summary>One conversation: its numbered events (the SSE ids), the streams open on it and what the customer did.</summary>
public sealed class FakeConversation(string id, string token, string accountId, string tenant) : IDisposable
{
    private readonly Lock _gate = new();
    private readonly List<(int Id, string Type, object Data)> _events = [];
    private readonly ConcurrentQueue<string> _lastEventIds = new();
    private TaskCompletionSource _changed = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private CancellationTokenSource _drop = new();
    private int _typing;
    private int _messages;

    public string Id => id;

    public string Token => token;

    public string AccountId => accountId;

    public string Tenant => tenant;

    public bool Ended { get; private set; }

    /// <summary>While true, new event streams are answered 503, as when the network or the service is down.</summary>
    public bool RefuseStreams { get; set; }

    private int _refused;

    public int RefusedStreams => Volatile.Read(ref _refused);

    public int CustomerTypingSignals => Volatile.Read(ref _typing);

    /// <summary>The <c>Last-Event-ID</c> of every event stream opened, in order ("" for none).</summary>
    public IReadOnlyList<string> StreamRequests => [.. _lastEventIds];

    public int LastEventId
    {
        get
        {
            lock (_gate)
            {
                return _events.Count == 0 ? 0 : _events[^1].Id;
            }
        }
    }

    public IReadOnlyList<string> CustomerMessages
    {
        get
        {
            lock (_gate)
            {
                return [.. _events.Where(e => e.Type == "message").Select(e => (Message)e.Data).Where(m => m.Role == "customer").Select(m => m.Text)];
            }
        }
    }

    public string Say(string role, string text)
    {
        var messageId = $"{id}-m{Interlocked.Increment(ref _messages)}";
        Append("message", new Message(messageId, role, text, DateTimeOffset.UtcNow));
        return messageId;
    }

    public void Typing(string role) => Append("typing", new { role });

    public void Handoff(string status) => Append("handoff", new HandoffData(status));

    /// <summary>Kills every open event stream mid-flight, as a lost connection or a replica going away does.</summary>
    public void DropStreams()
    {
        CancellationTokenSource dropped;
        lock (_gate)
        {
            dropped = _drop;
            _drop = new CancellationTokenSource();
        }

        dropped.Cancel();
    }

    internal int CustomerTyped()
    {
        Interlocked.Increment(ref _typing);
        return StatusCodes.Status204NoContent;
    }

    internal int End()
    {
        Ended = true;
        return StatusCodes.Status204NoContent;
    }

    internal IReadOnlyList<Message> Transcript()
    {
        lock (_gate)
        {
            return [.. _events.Where(e => e.Type == "message").Select(e => (Message)e.Data)];
        }
    }

    internal string? LatestHandoff()
    {
        lock (_gate)
        {
            return _events.LastOrDefault(e => e.Type == "handoff").Data is { } data ? ((HandoffData)data).Status : null;
        }
    }

    internal async Task StreamAsync(HttpContext context)
    {
        var lastEventId = context.Request.Headers["Last-Event-ID"].ToString();
        _lastEventIds.Enqueue(lastEventId);
        if (RefuseStreams)
        {
            Interlocked.Increment(ref _refused);
            context.Response.StatusCode = StatusCodes.Status503ServiceUnavailable;
            return;
        }

        var sent = int.TryParse(lastEventId, out var resumeAfter) ? resumeAfter : 0;
        context.Response.ContentType = "text/event-stream";
        context.Response.Headers.CacheControl = "no-cache";
        await context.Response.StartAsync(context.RequestAborted);
        await context.Response.WriteAsync("retry: 500\n\n", context.RequestAborted);
        await context.Response.Body.FlushAsync(context.RequestAborted);

        CancellationToken drop;
        lock (_gate)
        {
            drop = _drop.Token;
        }

        using var stop = CancellationTokenSource.CreateLinkedTokenSource(context.RequestAborted, drop);
        try
        {
            while (true)
            {
                Task changed;
                (int Id, string Type, object Data)[] pending;
                lock (_gate)
                {
                    changed = _changed.Task;
                    pending = [.. _events.Where(e => e.Id > sent)];
                }

                foreach (var (eventId, type, data) in pending)
                {
                    await context.Response.WriteAsync($"id: {eventId}\nevent: {type}\ndata: {JsonSerializer.Serialize(data, JsonSerializerOptions.Web)}\n\n", stop.Token);
                    sent = eventId;
                }

                await context.Response.Body.FlushAsync(stop.Token);
                await changed.WaitAsync(stop.Token);
            }
        }
        catch (OperationCanceledException) when (drop.IsCancellationRequested)
        {
            context.Abort(); // no orderly end of stream: the connection is simply gone
        }
        catch (OperationCanceledException)
        {
            // the browser went away
        }
    }

    private void Append(string type, object data)
    {
        TaskCompletionSource changed;
        lock (_gate)
        {
            _events.Add((LastEventIdUnlocked() + 1, type, data));
            changed = _changed;
            _changed = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        }

        changed.TrySetResult();
    }

    public void Dispose() => _drop.Dispose();

    private int LastEventIdUnlocked() => _events.Count == 0 ? 0 : _events[^1].Id;
}

public sealed record Message(string Id, string Role, string Text, DateTimeOffset Time);

public sealed record HandoffData(string Status);

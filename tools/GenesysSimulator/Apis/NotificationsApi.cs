using Microsoft.AspNetCore.Http.HttpResults;
using System.Net.WebSockets;
using System.Text;
using System.Text.Json.Nodes;
using PolyAi.Messaging.GenesysSimulator.Http;
using PolyAi.Messaging.GenesysSimulator.Notifications;
using PolyAi.Messaging.GenesysSimulator.World;
using static PolyAi.Messaging.GenesysSimulator.Http.RequestBody;

namespace PolyAi.Messaging.GenesysSimulator.Apis;

/// <summary>Notification channels, topic subscriptions and the channel WebSocket (genesys-facts §5).</summary>
internal static class NotificationsApi
{
    public static void MapNotificationsApi(this IEndpointRouteBuilder app)
    {
        var channels = app.MapGroup("/api/v2/notifications/channels");
        channels.MapPost("/", Create);
        channels.MapGet("/{channelId}/subscriptions", List);
        channels.MapPost("/{channelId}/subscriptions", (string channelId, HttpContext context, NotificationHub hub) => Subscribe(channelId, context, hub, replace: false));
        channels.MapPut("/{channelId}/subscriptions", (string channelId, HttpContext context, NotificationHub hub) => Subscribe(channelId, context, hub, replace: true));
        app.Map("/channels/{channelId}", Stream);
    }

    private static JsonHttpResult<JsonObject> Create(HttpContext context, Org org, NotificationHub hub)
    {
        var client = (OAuthClient)context.Items[ApiGate.ClientItem]!;
        var channel = hub.Create(client.Id);
        var connectUri = new UriBuilder(org.BaseUrl) { Scheme = "ws", Path = $"/channels/{channel.Id}" }.Uri;
        return Pages.Json(new JsonObject
        {
            ["id"] = channel.Id,
            ["connectUri"] = connectUri.ToString(),
            ["expires"] = Iso.Format(channel.Expires),
        });
    }

    private static JsonHttpResult<JsonObject> List(string channelId, HttpContext context, NotificationHub hub) =>
        Owned(hub, context, channelId) is { } channel ? Topics(hub.Topics(channel)) : GenesysErrors.NotFound($"Channel {channelId} not found.");

    private static async Task<JsonHttpResult<JsonObject>> Subscribe(string channelId, HttpContext context, NotificationHub hub, bool replace)
    {
        var (body, error) = await ReadAsync(context.Request);
        if (error is not null)
        {
            return error;
        }

        if (Owned(hub, context, channelId) is not { } channel)
        {
            return GenesysErrors.NotFound($"Channel {channelId} not found.");
        }

        if (body is not JsonArray items)
        {
            return GenesysErrors.BadRequest("The body must be an array of topics.");
        }

        var topics = items.Select(t => String(t?["id"])).ToList();
        if (topics.Any(t => string.IsNullOrEmpty(t) || !t.StartsWith("v2.", StringComparison.Ordinal)))
        {
            return GenesysErrors.BadRequest("Invalid topic id: topics look like v2.routing.queues.{id}.conversations.messages");
        }

        return Topics(hub.Subscribe(channel, topics.OfType<string>(), replace));
    }

    private static NotificationChannel? Owned(NotificationHub hub, HttpContext context, string channelId)
    {
        var client = (OAuthClient)context.Items[ApiGate.ClientItem]!;
        return hub.Find(channelId) is { } channel && channel.ClientId == client.Id ? channel : null;
    }

    private static JsonHttpResult<JsonObject> Topics(IReadOnlyList<string> topics) =>
        Pages.Json(new JsonObject { ["entities"] = new JsonArray(topics.Select(t => (JsonNode)new JsonObject { ["id"] = t }).ToArray()) });

    private static async Task Stream(string channelId, HttpContext context, NotificationHub hub, Org org)
    {
        if (!context.WebSockets.IsWebSocketRequest || hub.Find(channelId) is not { } channel)
        {
            context.Response.StatusCode = StatusCodes.Status400BadRequest;
            return;
        }

        using var socket = await context.WebSockets.AcceptWebSocketAsync();
        var outbox = hub.Attach(channel, out var detach);
        using var done = CancellationTokenSource.CreateLinkedTokenSource(context.RequestAborted, org.Stopping);
        var heartbeat = Task.Run(async () =>
        {
            try
            {
                while (!done.IsCancellationRequested)
                {
                    await Task.Delay(org.Options.NotificationHeartbeatInterval, org.Time, done.Token);
                    hub.PublishTo(channel, NotificationHub.Heartbeat());
                }
            }
            catch (OperationCanceledException)
            {
            }
        });
        var receive = Task.Run(async () =>
        {
            var buffer = new byte[1024];
            try
            {
                while (socket.State == WebSocketState.Open)
                {
                    var result = await socket.ReceiveAsync(buffer, done.Token);
                    if (result.MessageType == WebSocketMessageType.Close)
                    {
                        break;
                    }
                }
            }
            catch (Exception e) when (e is OperationCanceledException or WebSocketException)
            {
            }

            await done.CancelAsync();
        });

        try
        {
            await foreach (var message in outbox.ReadAllAsync(done.Token))
            {
                await socket.SendAsync(Encoding.UTF8.GetBytes(message), WebSocketMessageType.Text, endOfMessage: true, done.Token);
            }
        }
        catch (Exception e) when (e is OperationCanceledException or WebSocketException)
        {
        }
        finally
        {
            detach();
            await done.CancelAsync();
            await Task.WhenAll(heartbeat, receive);
            if (socket.State == WebSocketState.Open)
            {
                await socket.CloseOutputAsync(WebSocketCloseStatus.NormalClosure, "closing", CancellationToken.None);
            }
        }
    }
}

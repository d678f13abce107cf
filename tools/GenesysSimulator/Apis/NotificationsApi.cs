using Microsoft.AspNetCore.Http.HttpResults;
using System.Net.WebSockets;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using PolyAi.Messaging.GenesysSimulator.Http;
using PolyAi.Messaging.GenesysSimulator.Notifications;
using PolyAi.Messaging.GenesysSimulator.World;
using static PolyAi.Messaging.GenesysSimulator.Http.RequestBody;

namespace PolyAi.Messaging.GenesysSimulator.Apis;

/// <summary>Notification channels, topic subscriptions and the channel WebSocket (genesys-facts §5, Corrections 4).</summary>
internal static class NotificationsApi
{
    public static void MapNotificationsApi(this IEndpointRouteBuilder app)
    {
        var channels = app.MapGroup("/api/v2/notifications/channels");
        channels.MapPost("/", Create);
        channels.MapGet("/", ListChannels);
        channels.MapMethods("/{channelId}", [HttpMethods.Head], Head);
        channels.MapGet("/{channelId}/subscriptions", List);
        channels.MapPost("/{channelId}/subscriptions", (string channelId, HttpContext context, NotificationHub hub) => Subscribe(channelId, context, hub, replace: false));
        channels.MapPut("/{channelId}/subscriptions", (string channelId, HttpContext context, NotificationHub hub) => Subscribe(channelId, context, hub, replace: true));
        channels.MapDelete("/{channelId}/subscriptions", Clear);
        app.Map("/channels/{channelId}", Stream);
    }

    private static JsonHttpResult<JsonObject> Create(HttpContext context, Org org, NotificationHub hub)
    {
        var channel = hub.Create(ClientOf(context).Id, (string)context.Items[ApiGate.TokenItem]!);
        return Pages.Json(Describe(channel, org, withId: true));
    }

    /// <summary><c>includechannels=token</c> (default): this token's channels; <c>oauthclient</c>: the others too, without ids.</summary>
    private static JsonHttpResult<JsonObject> ListChannels(HttpContext context, Org org, NotificationHub hub)
    {
        var include = context.Request.Query["includechannels"].ToString();
        if (include is not ("" or "token" or "oauthclient"))
        {
            return GenesysErrors.BadRequest("includechannels must be token or oauthclient.");
        }

        var token = (string)context.Items[ApiGate.TokenItem]!;
        var entities = hub.ChannelsOf(ClientOf(context).Id)
            .Where(c => include == "oauthclient" || c.Token == token)
            .Select(c => (JsonNode)Describe(c, org, withId: c.Token == token))
            .ToArray();
        return Pages.Json(new JsonObject { ["entities"] = new JsonArray(entities) });
    }

    /// <summary>200 while the channel exists and is valid, 404 when it does not (NotificationsApi.md).</summary>
    private static Results<Ok, NotFound> Head(string channelId, HttpContext context, NotificationHub hub) =>
        Owned(hub, context, channelId) is null ? TypedResults.NotFound() : TypedResults.Ok();

    private static JsonHttpResult<JsonObject> List(string channelId, HttpContext context, NotificationHub hub) =>
        Owned(hub, context, channelId) is { } channel ? Topics(hub.Topics(channel)) : GenesysErrors.NotFound($"Channel {channelId} not found.");

    private static Results<NoContent, JsonHttpResult<JsonObject>> Clear(string channelId, HttpContext context, NotificationHub hub)
    {
        if (Owned(hub, context, channelId) is not { } channel)
        {
            return GenesysErrors.NotFound($"Channel {channelId} not found.");
        }

        hub.Subscribe(channel, [], replace: true);
        return TypedResults.NoContent();
    }

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
        var invalid = topics.FindIndex(t => t is null || !NotificationHub.IsKnownTopic(t));
        if (invalid >= 0)
        {
            return GenesysErrors.BadRequest($"Invalid topic id '{topics[invalid]}': topics look like v2.routing.queues.{{id}}.conversations.messages");
        }

        var distinct = topics.OfType<string>().Distinct(StringComparer.Ordinal).ToList();
        return hub.Subscribe(channel, distinct, replace) is { } subscribed
            ? Topics(subscribed)
            : GenesysErrors.BadRequest($"A channel can have at most {NotificationHub.MaxTopicsPerChannel} topics; channel {channelId} would have more.");
    }

    private static OAuthClient ClientOf(HttpContext context) => (OAuthClient)context.Items[ApiGate.ClientItem]!;

    private static NotificationChannel? Owned(NotificationHub hub, HttpContext context, string channelId) =>
        hub.Find(channelId) is { } channel && channel.ClientId == ClientOf(context).Id ? channel : null;

    private static JsonObject Describe(NotificationChannel channel, Org org, bool withId)
    {
        var described = new JsonObject();
        if (withId)
        {
            described["connectUri"] = new UriBuilder(org.BaseUrl) { Scheme = "ws", Path = $"/channels/{channel.Id}" }.Uri.ToString();
            described["id"] = channel.Id;
        }

        described["expires"] = Iso.Format(channel.Expires);
        return described;
    }

    private static JsonHttpResult<JsonObject> Topics(IReadOnlyList<string> topics) =>
        Pages.Json(new JsonObject { ["entities"] = new JsonArray(topics.Select(t => (JsonNode)new JsonObject { ["id"] = t }).ToArray()) });

    private static async Task Stream(string channelId, HttpContext context, NotificationHub hub, Org org)
    {
        if (!context.WebSockets.IsWebSocketRequest)
        {
            context.Response.StatusCode = StatusCodes.Status400BadRequest;
            return;
        }

        if (hub.Find(channelId) is not { } channel)
        {
            context.Response.StatusCode = StatusCodes.Status404NotFound; // expired, removed by a 21st, or never created
            return;
        }

        using var socket = await context.WebSockets.AcceptWebSocketAsync();
        var connection = hub.Attach(channel);
        using var done = CancellationTokenSource.CreateLinkedTokenSource(context.RequestAborted, org.Stopping);
        var heartbeat = HeartbeatAsync(hub, connection, org, done.Token);
        var receive = ReceiveAsync(hub, connection, socket, done);
        try
        {
            await foreach (var message in connection.Outbox.Reader.ReadAllAsync(done.Token))
            {
                await socket.SendAsync(Encoding.UTF8.GetBytes(message), WebSocketMessageType.Text, endOfMessage: true, done.Token);
            }
        }
        catch (Exception e) when (e is OperationCanceledException or WebSocketException)
        {
        }
        finally
        {
            hub.Detach(channel, connection);
            if (socket.State is WebSocketState.Open or WebSocketState.CloseReceived)
            {
                // The close frame first, so the client sees a clean close (after socket_closing when Genesys closes it).
                using var closeTimeout = new CancellationTokenSource(TimeSpan.FromSeconds(2));
                try
                {
                    await socket.CloseOutputAsync(WebSocketCloseStatus.NormalClosure, "closing", closeTimeout.Token);

                    // Let the client read what is left and answer the close: aborting now would reset the connection
                    // and lose the last messages (socket_closing among them) still in its receive buffer.
                    await receive.WaitAsync(closeTimeout.Token);
                }
                catch (Exception e) when (e is OperationCanceledException or WebSocketException)
                {
                }
            }

            await done.CancelAsync();
            await Task.WhenAll(heartbeat, receive);
        }
    }

    private static async Task HeartbeatAsync(NotificationHub hub, NotificationSocket connection, Org org, CancellationToken ct)
    {
        try
        {
            while (!ct.IsCancellationRequested)
            {
                await Task.Delay(org.Options.NotificationHeartbeatInterval, org.Time, ct);
                hub.Send(connection, NotificationHub.Heartbeat());
            }
        }
        catch (OperationCanceledException)
        {
        }
    }

    /// <summary>Reads what the client sends: <c>{"message":"ping"}</c> is answered with a pong; a close ends the stream.</summary>
    private static async Task ReceiveAsync(NotificationHub hub, NotificationSocket connection, WebSocket socket, CancellationTokenSource done)
    {
        var buffer = new byte[4096];
        using var message = new MemoryStream();
        try
        {
            while (socket.State == WebSocketState.Open)
            {
                var result = await socket.ReceiveAsync(buffer, done.Token);
                if (result.MessageType == WebSocketMessageType.Close)
                {
                    break;
                }

                if (message.Length + result.Count <= 64 * 1024)
                {
                    message.Write(buffer, 0, result.Count);
                }

                if (result.EndOfMessage)
                {
                    if (IsPing(message.GetBuffer().AsSpan(0, (int)message.Length)))
                    {
                        hub.Send(connection, NotificationHub.Pong());
                    }

                    message.SetLength(0);
                }
            }
        }
        catch (Exception e) when (e is OperationCanceledException or WebSocketException)
        {
        }

        await done.CancelAsync();
    }

    private static bool IsPing(ReadOnlySpan<byte> text)
    {
        try
        {
            var reader = new Utf8JsonReader(text);
            using var document = JsonDocument.ParseValue(ref reader);
            return document.RootElement.ValueKind == JsonValueKind.Object
                && document.RootElement.TryGetProperty("message", out var value)
                && value.ValueKind == JsonValueKind.String && value.GetString() == "ping";
        }
        catch (JsonException)
        {
            return false;
        }
    }
}

using System.Net.WebSockets;
using System.Text.Json.Nodes;

namespace PolyAi.Messaging.GenesysSimulator.Tests.Support;

/// <summary>Reading a notification channel's WebSocket the way a client does: whole text messages as JSON.</summary>
internal static class NotificationSockets
{
    /// <summary>The first message that matches, skipping the others (heartbeats).</summary>
    public static async Task<JsonObject> ReadUntilAsync(ClientWebSocket socket, Func<JsonObject, bool> match, CancellationToken ct)
    {
        while (true)
        {
            var (json, close) = await ReadAsync(socket, ct);
            if (close is not null)
            {
                throw new InvalidOperationException($"The socket closed ({close}) before the expected message.");
            }

            if (match(json!))
            {
                return json!;
            }
        }
    }

    /// <summary>Reads (and drops) messages until the server's close frame; the close status it sent.</summary>
    public static async Task<WebSocketCloseStatus> ReadCloseAsync(ClientWebSocket socket, CancellationToken ct)
    {
        while (true)
        {
            if ((await ReadAsync(socket, ct)).Close is { } status)
            {
                return status;
            }
        }
    }

    private static async Task<(JsonObject? Message, WebSocketCloseStatus? Close)> ReadAsync(ClientWebSocket socket, CancellationToken ct)
    {
        var buffer = new byte[64 * 1024];
        using var message = new MemoryStream();
        WebSocketReceiveResult result;
        do
        {
            result = await socket.ReceiveAsync(buffer, ct);
            if (result.MessageType == WebSocketMessageType.Close)
            {
                return (null, result.CloseStatus ?? WebSocketCloseStatus.Empty);
            }

            message.Write(buffer, 0, result.Count);
        }
        while (!result.EndOfMessage);

        return (JsonNode.Parse(message.ToArray())!.AsObject(), null);
    }
}

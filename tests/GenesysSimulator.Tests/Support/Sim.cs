using System.Text.Json.Nodes;

namespace PolyAi.Messaging.GenesysSimulator.Tests.Support;

internal static class Sim
{
    /// <summary>A simulator with Genesys' behaviour but test-sized intervals.</summary>
    public static Task<GenesysSimulatorHost> StartAsync(Func<GenesysSimulatorOptions, GenesysSimulatorOptions>? configure = null)
    {
        var options = new GenesysSimulatorOptions
        {
            WebhookRetryInterval = TimeSpan.FromMilliseconds(20),
            WebhookTimeout = TimeSpan.FromSeconds(2),
            AsyncCompletionDelay = TimeSpan.FromMilliseconds(100),
            NotificationHeartbeatInterval = TimeSpan.FromMilliseconds(200),
        };
        return GenesysSimulatorHost.StartAsync(configure?.Invoke(options) ?? options);
    }

    public static JsonObject InboundText(string fromId, string text, string idType = "Opaque") => new()
    {
        ["channel"] = new JsonObject
        {
            ["messageId"] = Guid.NewGuid().ToString("N"),
            ["time"] = DateTimeOffset.UtcNow.ToString("yyyy-MM-dd'T'HH:mm:ss.fff'Z'", System.Globalization.CultureInfo.InvariantCulture),
            ["from"] = new JsonObject { ["id"] = fromId, ["idType"] = idType, ["nickname"] = "Ada" },
        },
        ["text"] = text,
    };

    public static string InboundPath(string integrationId, string kind = "message") =>
        $"api/v2/conversations/messages/{integrationId}/inbound/open/{kind}";
}

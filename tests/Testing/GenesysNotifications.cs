using System.Text.Json;
using System.Text.Json.Nodes;

namespace PolyAi.Messaging.Testing;

/// <summary>Builds Genesys Open Messaging outbound notifications shaped as in the Genesys docs' samples.</summary>
public static class GenesysNotifications
{
    public const string IntegrationId = "integration-1";

    public static string NewId() => Guid.NewGuid().ToString("N");

    public static JsonElement Text(
        string id, string customerId, string text, string originatingEntity = "Human", string? conversationId = null,
        DateTimeOffset? time = null, string type = "Text") =>
        Build(new JsonObject
        {
            ["id"] = id,
            ["channel"] = Channel(customerId, id, time),
            ["conversationId"] = conversationId,
            ["direction"] = "Outbound",
            ["originatingEntity"] = originatingEntity,
            ["type"] = type,
            ["text"] = text,
        });

    public static JsonElement Typing(string id, string customerId, string? conversationId = null, DateTimeOffset? time = null) =>
        Build(new JsonObject
        {
            ["id"] = id,
            ["channel"] = Channel(customerId, id, time),
            ["conversationId"] = conversationId,
            ["direction"] = "Outbound",
            ["type"] = "Event",
            ["events"] = new JsonArray(new JsonObject
            {
                ["eventType"] = "Typing",
                ["typing"] = new JsonObject { ["type"] = "On", ["duration"] = 5000 },
            }),
        });

    public static JsonElement Receipt(
        string id, string customerId, string messageId, string status, bool isFinalReceipt, DateTimeOffset time,
        string? conversationId = null, string? reasonCode = null) =>
        Build(new JsonObject
        {
            ["id"] = id,
            ["channel"] = Channel(customerId, messageId, time),
            ["conversationId"] = conversationId,
            ["direction"] = "Outbound",
            ["type"] = "Receipt",
            ["status"] = status,
            ["isFinalReceipt"] = isFinalReceipt,
            ["reasons"] = reasonCode is null ? null : new JsonArray(new JsonObject { ["code"] = reasonCode, ["message"] = $"{reasonCode} happened" }),
        });

    private static JsonObject Channel(string customerId, string messageId, DateTimeOffset? time) => new()
    {
        ["id"] = IntegrationId,
        ["platform"] = "Open",
        ["type"] = "Private",
        ["messageId"] = messageId,
        ["to"] = new JsonObject { ["id"] = customerId, ["idType"] = "Opaque" },
        ["from"] = new JsonObject { ["nickname"] = "Acme support", ["id"] = IntegrationId, ["idType"] = "Opaque" },
        ["time"] = time?.ToString("O"),
    };

    /// <summary>Leaves out nulls, as Genesys leaves out absent fields.</summary>
    private static JsonElement Build(JsonObject notification)
    {
        Prune(notification);
        return JsonSerializer.SerializeToElement(notification);
    }

    private static void Prune(JsonObject node)
    {
        foreach (var (key, value) in node.ToList())
        {
            if (value is null)
            {
                node.Remove(key);
            }
            else if (value is JsonObject child)
            {
                Prune(child);
            }
        }
    }
}

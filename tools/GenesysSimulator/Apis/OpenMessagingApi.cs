using Microsoft.AspNetCore.Http.HttpResults;
using System.Globalization;
using System.Text.Json.Nodes;
using PolyAi.Messaging.GenesysSimulator.Http;
using PolyAi.Messaging.GenesysSimulator.World;
using static PolyAi.Messaging.GenesysSimulator.Http.RequestBody;

namespace PolyAi.Messaging.GenesysSimulator.Apis;

/// <summary>Open Messaging inbound: message, typing event, receipt, structured response (genesys-facts §4).</summary>
internal static class OpenMessagingApi
{
    private static readonly string[] IdTypes = ["Email", "Phone", "Opaque"];
    private static readonly string[] MediaTypes = ["Image", "Video", "Audio", "File", "Link"];
    private static readonly string[] ReceiptStatuses = ["Delivered", "Failed"];
    private static readonly string[] ButtonTypes = ["Button", "QuickReply", "DatePicker"];

    public static void MapOpenMessagingApi(this IEndpointRouteBuilder app)
    {
        var inbound = app.MapGroup("/api/v2/conversations/messages/{integrationId}/inbound/open");
        inbound.MapPost("/message", Message).Requires(Permissions.MessageReceive);
        inbound.MapPost("/event", Event).Requires(Permissions.MessageReceive);
        inbound.MapPost("/receipt", Receipt).Requires(Permissions.MessageReceive);
        inbound.MapPost("/structured/response", StructuredResponse).Requires(Permissions.MessageReceive);
    }

    private static async Task<JsonHttpResult<JsonObject>> Message(string integrationId, bool? prefetchConversationId, HttpRequest request, Org org)
    {
        var (body, error) = await ReadObjectAsync(request);
        if (error is not null)
        {
            return error;
        }

        if (FindIntegration(org, integrationId, out var integration) is { } missing)
        {
            return missing;
        }

        if (ValidateChannelFrom(body!) is { } invalid)
        {
            return invalid;
        }

        var text = String(body!["text"]);
        var content = body["content"] as JsonArray;
        if (string.IsNullOrEmpty(text) && (content is null || content.Count == 0))
        {
            return GenesysErrors.BadRequest("should have required property 'content', should have required property '.text', should match some schema in anyOf");
        }

        if (content is not null && ValidateContent(content) is { } badContent)
        {
            return badContent;
        }

        if (body["metadata"] is JsonObject metadata && metadata.Any(p => p.Value is not JsonValue))
        {
            return GenesysErrors.BadRequest("metadata: values must be strings");
        }

        var inbound = ToInbound(body, text, content, "Text");
        Conversation conversation;
        ConversationMessage message;
        lock (org.Gate)
        {
            org.Receive("message", integrationId, body, null);
            (conversation, message) = org.AcceptInbound(integration!, inbound);
        }

        var answer = (JsonObject)message.Normalized.DeepClone();
        if (prefetchConversationId == true)
        {
            answer["conversationId"] = conversation.Id;
        }

        return Json(answer);
    }

    private static async Task<JsonHttpResult<JsonObject>> StructuredResponse(string integrationId, bool? prefetchConversationId, HttpRequest request, Org org)
    {
        var (body, error) = await ReadObjectAsync(request);
        if (error is not null)
        {
            return error;
        }

        if (FindIntegration(org, integrationId, out var integration) is { } missing)
        {
            return missing;
        }

        if (ValidateChannelFrom(body!) is { } invalid)
        {
            return invalid;
        }

        if (body!["buttonResponse"] is not JsonObject button)
        {
            return GenesysErrors.BadRequest("should have required property 'buttonResponse'");
        }

        if (!ButtonTypes.Contains(String(button["type"])))
        {
            return GenesysErrors.BadRequest($"buttonResponse.type should be equal to one of the allowed values: {string.Join(", ", ButtonTypes)}");
        }

        if (string.IsNullOrEmpty(String(button["payload"])))
        {
            return GenesysErrors.BadRequest("should have required property 'buttonResponse.payload'");
        }

        var content = new JsonArray(new JsonObject { ["contentType"] = "ButtonResponse", ["buttonResponse"] = button.DeepClone() });
        var inbound = ToInbound(body, String(button["text"]) ?? String(button["payload"]), content, "Structured");
        Conversation conversation;
        ConversationMessage message;
        lock (org.Gate)
        {
            org.Receive("structured", integrationId, body, null);
            (conversation, message) = org.AcceptInbound(integration!, inbound);
        }

        var answer = (JsonObject)message.Normalized.DeepClone();
        if (String(body["originatingMessageId"]) is { } originating)
        {
            answer["originatingMessageId"] = originating;
        }

        if (prefetchConversationId == true)
        {
            answer["conversationId"] = conversation.Id;
        }

        return Json(answer);
    }

    private static async Task<JsonHttpResult<JsonObject>> Event(string integrationId, HttpRequest request, Org org)
    {
        var (body, error) = await ReadObjectAsync(request);
        if (error is not null)
        {
            return error;
        }

        if (FindIntegration(org, integrationId, out var integration) is { } missing)
        {
            return missing;
        }

        if (ValidateChannelFrom(body!) is { } invalid)
        {
            return invalid;
        }

        if (body!["events"] is not JsonArray { Count: > 0 } events)
        {
            return GenesysErrors.BadRequest("should have required property 'events'");
        }

        if (events.Any(e => String(e?["eventType"]) != "Typing"))
        {
            return GenesysErrors.BadRequest("events[].eventType should be equal to one of the allowed values: Typing");
        }

        var channel = (JsonObject)body["channel"]!;
        lock (org.Gate)
        {
            var fromId = String(channel["from"]!["id"]);
            var conversation = org.Conversations.Values.FirstOrDefault(c => !c.Ended && c.IntegrationId == integrationId && c.CustomerId == fromId);
            org.Receive("event", integrationId, body, conversation?.Id);
        }

        return Json(new JsonObject
        {
            ["id"] = Ids.Message(),
            ["channel"] = InboundChannel(integration!, channel),
            ["type"] = "Event",
            ["events"] = new JsonArray(events.Select(_ => (JsonNode)new JsonObject
            {
                ["eventType"] = "Typing",
                ["typing"] = new JsonObject { ["type"] = "On", ["duration"] = 5000 },
            }).ToArray()),
            ["direction"] = "Inbound",
        });
    }

    private static async Task<JsonHttpResult<JsonObject>> Receipt(string integrationId, HttpRequest request, Org org)
    {
        var (body, error) = await ReadObjectAsync(request);
        if (error is not null)
        {
            return error;
        }

        if (FindIntegration(org, integrationId, out var integration) is { } missing)
        {
            return missing;
        }

        var id = String(body!["id"]);
        if (string.IsNullOrEmpty(id))
        {
            return GenesysErrors.BadRequest("should have required property 'id'");
        }

        if (body["channel"] is not JsonObject channel)
        {
            return GenesysErrors.BadRequest("should have required property 'channel'");
        }

        if (channel["to"] is not JsonObject to || string.IsNullOrEmpty(String(to["id"])))
        {
            return GenesysErrors.BadRequest("should have required property 'channel.to.id'");
        }

        if (String(to["idType"]) is { } idType && !IsIdType(idType))
        {
            return GenesysErrors.BadRequest("channel.to.idType should be equal to one of the allowed values: Email, Phone, Opaque");
        }

        if (ValidateTime(channel) is { } badTime)
        {
            return badTime;
        }

        var status = String(body["status"]);
        if (!ReceiptStatuses.Contains(status))
        {
            return GenesysErrors.BadRequest("status should be equal to one of the allowed values: Delivered, Failed");
        }

        // The docs' examples send direction "Outbound"; the SDK model has none. Accept it, never require it.
        if (String(body["direction"]) is { } direction && direction is not ("Outbound" or "Inbound"))
        {
            return GenesysErrors.BadRequest("direction should be equal to one of the allowed values: Inbound, Outbound");
        }

        var reasons = body["reasons"] as JsonArray;
        lock (org.Gate)
        {
            var conversation = org.Conversations.Values.FirstOrDefault(c => c.Messages.Any(m => m.Id == id && m.Direction == "Outbound"));
            if (conversation is not null)
            {
                var message = conversation.Messages.First(m => m.Id == id);
                message.Receipts.Add((JsonObject)body.DeepClone());
                message.Status = status == "Delivered" ? "delivery-success" : "delivery-failed"; // MessageData.status (Corrections 7)
                if (status == "Failed")
                {
                    conversation.ErrorInfo = String(reasons?.FirstOrDefault()?["message"]) ?? "Message delivery failed";
                }
            }

            org.Receive("receipt", integrationId, body, conversation?.Id);
        }

        var answer = new JsonObject
        {
            ["id"] = id,
            ["channel"] = new JsonObject
            {
                ["id"] = integration!.Id,
                ["platform"] = "Open",
                ["type"] = "Private",
                ["to"] = to.DeepClone(),
                ["from"] = new JsonObject { ["id"] = integration.Id },
                ["time"] = channel["time"]!.DeepClone(),
            },
            ["type"] = "Receipt",
            ["status"] = status,
            ["direction"] = "Outbound",
            ["isFinalReceipt"] = body["isFinalReceipt"]?.DeepClone() ?? true,
        };
        if (reasons is not null)
        {
            answer["reasons"] = reasons.DeepClone();
        }

        return Json(answer);
    }

    private static JsonHttpResult<JsonObject>? FindIntegration(Org org, string integrationId, out Integration? integration)
    {
        lock (org.Gate)
        {
            integration = org.Integrations.GetValueOrDefault(integrationId);
            if (integration is null)
            {
                return GenesysErrors.NotFound($"Open integration {integrationId} not found.");
            }

            return integration.CreateStatus(org.Now) == "Completed"
                ? null
                : GenesysErrors.BadRequest($"Open integration {integrationId} is not active yet (createStatus Initiated).");
        }
    }

    private static JsonHttpResult<JsonObject>? ValidateChannelFrom(JsonObject body)
    {
        if (body["channel"] is not JsonObject channel)
        {
            return GenesysErrors.BadRequest("should have required property 'channel'");
        }

        if (channel["from"] is not JsonObject from)
        {
            return GenesysErrors.BadRequest("should have required property 'channel.from'");
        }

        if (string.IsNullOrEmpty(String(from["id"])))
        {
            return GenesysErrors.BadRequest("should have required property 'channel.from.id'");
        }

        var idType = String(from["idType"]);
        if (idType is null)
        {
            return GenesysErrors.BadRequest("should have required property 'channel.from.idType'");
        }

        if (!IsIdType(idType))
        {
            return GenesysErrors.BadRequest("channel.from.idType should be equal to one of the allowed values: Email, Phone, Opaque");
        }

        return ValidateTime(channel);
    }

    private static JsonHttpResult<JsonObject>? ValidateTime(JsonObject channel)
    {
        var time = String(channel["time"]);
        if (time is null)
        {
            return GenesysErrors.BadRequest("should have required property 'channel.time'");
        }

        return DateTimeOffset.TryParse(time, CultureInfo.InvariantCulture, DateTimeStyles.RoundtripKind, out _)
            ? null
            : GenesysErrors.BadRequest("channel.time should match format \"date-time\"");
    }

    private static JsonHttpResult<JsonObject>? ValidateContent(JsonArray content)
    {
        foreach (var item in content)
        {
            if (item?["attachment"] is not JsonObject attachment)
            {
                return GenesysErrors.BadRequest("content[]: should have required property 'attachment'");
            }

            foreach (var field in new[] { "mediaType", "url", "mime" })
            {
                if (string.IsNullOrEmpty(String(attachment[field])))
                {
                    return GenesysErrors.BadRequest($"content[].attachment: should have required property '{field}'");
                }
            }

            if (!MediaTypes.Contains(String(attachment["mediaType"])))
            {
                return GenesysErrors.BadRequest("content[].attachment.mediaType should be equal to one of the allowed values: Image, Video, Audio, File, Link");
            }
        }

        return null;
    }

    // The docs' own examples write idType in lower case ("email"): Genesys accepts any case.
    private static bool IsIdType(string idType) => IdTypes.Any(t => string.Equals(t, idType, StringComparison.OrdinalIgnoreCase));

    private static string CanonicalIdType(string idType) => IdTypes.First(t => string.Equals(t, idType, StringComparison.OrdinalIgnoreCase));

    private static Org.Inbound ToInbound(JsonObject body, string? text, JsonArray? content, string type)
    {
        var channel = (JsonObject)body["channel"]!;
        var from = (JsonObject)channel["from"]!.DeepClone();
        var idType = CanonicalIdType(String(from["idType"])!);
        from["idType"] = idType;
        return new Org.Inbound(
            String(from["id"])!,
            idType,
            from,
            string.IsNullOrEmpty(text) ? null : text,
            content,
            String(channel["time"])!,
            String(channel["messageId"]),
            channel["metadata"]?["customAttributes"] as JsonObject,
            type);
    }

    private static JsonObject InboundChannel(Integration integration, JsonObject channel)
    {
        var answer = new JsonObject
        {
            ["id"] = integration.Id,
            ["platform"] = "Open",
            ["type"] = "Private",
            ["to"] = new JsonObject { ["id"] = integration.Id },
            ["from"] = channel["from"]!.DeepClone(),
            ["time"] = channel["time"]!.DeepClone(),
        };
        if (String(channel["messageId"]) is { } messageId)
        {
            answer["messageId"] = messageId;
        }

        return answer;
    }

    private static JsonHttpResult<JsonObject> Json(JsonObject body) => TypedResults.Json(body, SimulatorJson.Default.JsonObject);
}

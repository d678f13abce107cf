using Microsoft.AspNetCore.Http.HttpResults;
using System.Text.Json.Nodes;
using PolyAi.Messaging.GenesysSimulator.Http;
using PolyAi.Messaging.GenesysSimulator.World;
using static PolyAi.Messaging.GenesysSimulator.Http.RequestBody;

namespace PolyAi.Messaging.GenesysSimulator.Apis;

/// <summary>Message conversations: read, disconnect, message details (genesys-facts §5).</summary>
internal static class ConversationsApi
{
    public static void MapConversationsApi(this IEndpointRouteBuilder app)
    {
        var messages = app.MapGroup("/api/v2/conversations/messages");
        messages.MapGet("/{conversationId}", Get); // "Requires NO permissions"
        messages.MapPatch("/{conversationId}", Patch).Requires(Permissions.CommunicationDisconnect, Permissions.MessagePark);
        messages.MapPatch("/{conversationId}/participants/{participantId}", PatchParticipant)
            .Requires(Permissions.CommunicationDisconnect, Permissions.ParticipantWrapup);
        messages.MapGet("/{messageId}/details", Details).Requires(Permissions.MessageView);
    }

    private static JsonHttpResult<JsonObject> Get(string conversationId, Org org)
    {
        lock (org.Gate)
        {
            // Genesys may not serve a conversation it has just created (Corrections 5, probable).
            return org.Conversations.TryGetValue(conversationId, out var conversation) && org.Now - conversation.StartTime >= org.Options.ConversationReadableDelay
                ? Pages.Json(Org.ConversationJson(conversation))
                : GenesysErrors.NotFound($"Conversation {conversationId} not found.");
        }
    }

    private static async Task<JsonHttpResult<JsonObject>> Patch(string conversationId, HttpRequest request, Org org)
    {
        var (body, error) = await ReadObjectAsync(request);
        if (error is not null)
        {
            return error;
        }

        lock (org.Gate)
        {
            if (!org.Conversations.TryGetValue(conversationId, out var conversation))
            {
                return GenesysErrors.NotFound($"Conversation {conversationId} not found.");
            }

            if (String(body!["state"]) is not ("disconnected" or "DISCONNECTED"))
            {
                return GenesysErrors.BadRequest("Only state \"disconnected\" can be set on a message conversation.");
            }

            org.Disconnect(conversation, null, "client");
            return Pages.Json(Org.ConversationJson(conversation));
        }
    }

    private static async Task<Results<Accepted, JsonHttpResult<JsonObject>>> PatchParticipant(string conversationId, string participantId, HttpRequest request, Org org)
    {
        var (body, error) = await ReadObjectAsync(request);
        if (error is not null)
        {
            return error;
        }

        lock (org.Gate)
        {
            if (!org.Conversations.TryGetValue(conversationId, out var conversation))
            {
                return GenesysErrors.NotFound($"Conversation {conversationId} not found.");
            }

            var participant = conversation.Participants.FirstOrDefault(p => p.Id == participantId);
            if (participant is null)
            {
                return GenesysErrors.NotFound($"Participant {participantId} not found in conversation {conversationId}.");
            }

            var state = String(body!["state"]);
            if (state is not null && state is not ("disconnected" or "DISCONNECTED"))
            {
                return GenesysErrors.BadRequest($"Invalid participant state {state}.");
            }

            if (state is not null)
            {
                org.Disconnect(conversation, participant, "client");
            }

            return TypedResults.Accepted((string?)null);
        }
    }

    private static JsonHttpResult<JsonObject> Details(string messageId, Org org)
    {
        lock (org.Gate)
        {
            foreach (var conversation in org.Conversations.Values)
            {
                if (conversation.Messages.FirstOrDefault(m => m.Id == messageId) is { } message)
                {
                    return Pages.Json(new JsonObject
                    {
                        ["id"] = message.Id,
                        ["conversationId"] = conversation.Id,
                        ["fromAddress"] = message.Direction == "Inbound" ? conversation.CustomerId : conversation.IntegrationId,
                        ["toAddress"] = message.Direction == "Inbound" ? conversation.IntegrationId : conversation.CustomerId,
                        ["direction"] = message.Direction.ToLowerInvariant(),
                        ["messengerType"] = "open",
                        ["textBody"] = message.Text,
                        ["status"] = message.Status,
                        ["timestamp"] = Iso.Format(message.Time),
                        ["normalizedMessage"] = message.Normalized.DeepClone(),
                        ["normalizedReceipts"] = new JsonArray(message.Receipts.Select(r => (JsonNode)r.DeepClone()).ToArray()),
                        ["selfUri"] = $"/api/v2/conversations/messages/{message.Id}/details",
                    });
                }
            }

            return GenesysErrors.NotFound($"Message {messageId} not found.");
        }
    }
}

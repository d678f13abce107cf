using System.Net.Http.Headers;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;

namespace PolyAi.Messaging.EndToEnd.Tests;

/// <summary>Builds and signs webhooks the way Genesys does, independently of the product's own signature code.</summary>
public static class GenesysWebhook
{
    public static string TextBody(string id, string customerId, string text, string genesysConversationId = "genesys-conversation-1") =>
        JsonSerializer.Serialize(new
        {
            id,
            channel = new
            {
                id = "integration-1",
                platform = "Open",
                type = "Private",
                messageId = id,
                to = new { id = customerId, idType = "Opaque" },
                from = new { id = "integration-1", idType = "Opaque", nickname = "Support" },
                time = "2026-11-25T10:00:00.000Z",
            },
            conversationId = genesysConversationId,
            direction = "Outbound",
            originatingEntity = "Human",
            type = "Text",
            text,
        });

    public static string Sign(string secret, string body) =>
        "sha256=" + Convert.ToBase64String(HMACSHA256.HashData(Encoding.UTF8.GetBytes(secret), Encoding.UTF8.GetBytes(body)));

    public static HttpRequestMessage Request(Uri webhookUrl, string body, string? signature)
    {
        var request = new HttpRequestMessage(HttpMethod.Post, webhookUrl)
        {
            Content = new StringContent(body, Encoding.UTF8, new MediaTypeHeaderValue("application/json")),
        };
        if (signature is not null)
        {
            request.Headers.TryAddWithoutValidation("X-Hub-Signature-256", signature);
        }

        return request;
    }
}

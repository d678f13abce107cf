using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using PolyAi.Messaging.Contracts;

namespace PolyAi.Messaging.Testing;

/// <summary>Delivers a CloudEvent straight to a service, shaped as the sidecar POSTs it.</summary>
public static class CloudEvents
{
    public static async Task<(int StatusCode, string? AckStatus)> DeliverAsync(HttpClient app, string route, TenantKey tenant, JsonElement notification)
    {
        var data = JsonSerializer.SerializeToNode(
            new GenesysNotificationReceived(tenant, DateTimeOffset.UtcNow, notification),
            JsonSerializerOptions.Web);
        var envelope = new JsonObject
        {
            ["id"] = notification.GetProperty("id").GetString(),
            ["specversion"] = "1.0",
            ["datacontenttype"] = "application/json",
            ["source"] = "verifier",
            ["type"] = "com.dapr.event.sent",
            ["topic"] = Topics.GenesysNotifications,
            ["pubsubname"] = Topics.PubSub,
            ["data"] = data,
        };
        using var content = new StringContent(envelope.ToJsonString(), Encoding.UTF8, "application/cloudevents+json");
        using var response = await app.PostAsync(new Uri(route, UriKind.Relative), content);
        var body = response.Content.Headers.ContentType?.MediaType == "application/json"
            ? await response.Content.ReadFromJsonAsync<JsonElement>()
            : default;
        var status = body.ValueKind == JsonValueKind.Object && body.TryGetProperty("status", out var s) ? s.GetString() : null;
        return ((int)response.StatusCode, status);
    }
}

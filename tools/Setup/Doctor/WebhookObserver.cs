using System.Net.Http.Json;
using System.Text.Json.Serialization;

namespace PolyAi.Messaging.Setup.Doctor;

/// <summary>A webhook Genesys sent for a conversation: the raw body and the signature header it carried.</summary>
public sealed record ObservedWebhook(string Body, string Signature);

/// <summary>
/// Sees the webhooks Genesys signed for a conversation, so doctor can prove which secret Genesys signs with. Real
/// Genesys offers no such view from outside (its secret is write-only); the simulator logs every delivery.
/// </summary>
public interface IWebhookObserver
{
    Task<IReadOnlyList<ObservedWebhook>> ForConversationAsync(string conversationId, CancellationToken cancellationToken);
}

/// <summary>The Genesys simulator's delivery log, <c>GET /_sim/webhooks</c>.</summary>
public sealed class SimulatorWebhookObserver(HttpClient http, Uri simulatorBase) : IWebhookObserver
{
    public async Task<IReadOnlyList<ObservedWebhook>> ForConversationAsync(string conversationId, CancellationToken cancellationToken)
    {
        var deliveries = await http.GetFromJsonAsync<List<Delivery>>(new Uri(simulatorBase, "_sim/webhooks"), cancellationToken) ?? [];
        return [.. deliveries.Where(d => d.ConversationId == conversationId && d.Body is not null && d.Signature is not null).Select(d => new ObservedWebhook(d.Body!, d.Signature!))];
    }

    /// <summary>Whether <paramref name="baseUrl"/> is a simulator (it answers its control API).</summary>
    public static async Task<bool> IsSimulatorAsync(HttpClient http, Uri baseUrl, CancellationToken cancellationToken)
    {
        try
        {
            using var response = await http.GetAsync(new Uri(baseUrl, "_sim/webhooks"), cancellationToken);
            return response.IsSuccessStatusCode;
        }
        catch (HttpRequestException)
        {
            return false;
        }
    }

    private sealed record Delivery
    {
        [JsonPropertyName("conversationId")]
        public string? ConversationId { get; init; }

        [JsonPropertyName("body")]
        public string? Body { get; init; }

        [JsonPropertyName("signature")]
        public string? Signature { get; init; }
    }
}

using System.Net.Http.Json;
using System.Text.Json;

namespace PolyAi.Messaging.EndToEnd.Tests;

/// <summary>The Genesys simulator's control API (<c>/_sim/</c>), as the tests use it.</summary>
public sealed class SimulatorControl(HttpClient http, Uri simulator)
{
    public async Task SetOnQueueAsync(string userId, bool onQueue)
    {
        using var response = await http.PutAsJsonAsync(new Uri(simulator, $"_sim/agents/{userId}/routing"), new { onQueue });
        response.EnsureSuccessStatusCode();
    }

    public async Task<string> AddAgentAsync(string queueId, object script)
    {
        using var response = await http.PostAsJsonAsync(new Uri(simulator, $"_sim/queues/{queueId}/agents"), script);
        response.EnsureSuccessStatusCode();
        return (await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("userId").GetString()!;
    }

    public async Task FaultAsync(string method, string pathPattern, int status, int times, int? retryAfterSeconds = null)
    {
        using var response = await http.PostAsJsonAsync(new Uri(simulator, "_sim/faults"), new { method, pathPattern, status, times, retryAfterSeconds });
        response.EnsureSuccessStatusCode();
    }

    /// <summary>What providers sent to Genesys' inbound Open Messaging API for one integration.</summary>
    public async Task<IReadOnlyList<JsonElement>> ReceivedMessagesAsync(string integrationId)
    {
        var received = await http.GetFromJsonAsync<JsonElement>(new Uri(simulator, "_sim/received?kind=message"));
        return received.EnumerateArray().Where(r => r.GetRawText().Contains(integrationId, StringComparison.Ordinal)).ToList();
    }

    /// <summary>Conversations in the simulated org whose customer is <paramref name="customerId"/>.</summary>
    public async Task<IReadOnlyList<JsonElement>> ConversationsOfAsync(string customerId)
    {
        var conversations = await http.GetFromJsonAsync<JsonElement>(new Uri(simulator, "_sim/conversations"));
        return conversations.EnumerateArray().Where(c => c.GetRawText().Contains(customerId, StringComparison.Ordinal)).ToList();
    }
}

using System.Net.Http.Json;
using System.Text.Json;

namespace PolyAi.Messaging.Webchat.Tests.Support;

/// <summary>The Genesys simulator's control API (<c>/_sim/</c>), as the real-stack webchat tests use it.</summary>
public sealed class SimulatorClient(HttpClient http, Uri simulator)
{
    public async Task SetOnQueueAsync(string userId, bool onQueue)
    {
        using var response = await http.PutAsJsonAsync(new Uri(simulator, $"_sim/agents/{userId}/routing"), new { onQueue });
        response.EnsureSuccessStatusCode();
    }

    public async Task AddAgentAsync(string queueId, object script)
    {
        using var response = await http.PostAsJsonAsync(new Uri(simulator, $"_sim/queues/{queueId}/agents"), script);
        response.EnsureSuccessStatusCode();
    }

    /// <summary>Conversations in the simulated org that mention <paramref name="chatConversationId"/> (the customer's id).</summary>
    public async Task<IReadOnlyList<JsonElement>> ConversationsOfAsync(string chatConversationId)
    {
        var conversations = await http.GetFromJsonAsync<JsonElement>(new Uri(simulator, "_sim/conversations"));
        return conversations.EnumerateArray().Where(c => c.GetRawText().Contains(chatConversationId, StringComparison.Ordinal)).ToList();
    }

    /// <summary>Genesys disconnected it: a participant says so and none is still connected.</summary>
    public static bool IsDisconnected(JsonElement conversation) =>
        conversation.GetRawText().Contains("\"disconnected\"", StringComparison.Ordinal)
        && !conversation.GetProperty("participants").EnumerateArray().Any(p => p.GetProperty("state").GetString() == "connected");
}

using System.Net.Http.Json;

namespace PolyAi.Messaging.DevStack;

/// <summary>A simulated human agent in the Genesys simulator (its control API's <c>AgentScript</c>).</summary>
public sealed record SimulatedAgent
{
    public string? Name { get; init; }
    public bool OnQueue { get; init; } = true;
    public int AcceptDelayMs { get; init; } = 500;
    public int ReplyDelayMs { get; init; } = 1000;
    public bool TypingBeforeReply { get; init; } = true;
    public IReadOnlyList<string> Replies { get; init; } = ["Hi, I'm Sam from the support team. How can I help?", "Thanks, that's sorted for you now. Anything else?"];

    /// <summary>End the conversation after this many replies; null = never.</summary>
    public int? EndAfterMessages { get; init; } = 2;

    /// <summary>A person drives this agent from the simulator's /desktop page.</summary>
    public bool Manual { get; init; }
}

/// <summary>What the simulator provisioned for one tenant: the same things the setup guide creates in a real org.</summary>
public sealed record SimulatedOrg(
    string OrganizationId,
    string ClientId,
    string ClientSecret,
    string IntegrationId,
    string QueueId,
    string FlowId,
    IReadOnlyList<string> AgentIds)
{
    /// <summary>The inbound message flow's name for a tenant; names are unique per tenant (the simulator reuses
    /// a queue, flow or integration whose name it already has).</summary>
    public static string FlowName(string tenant) => $"AI Handoff Inbound {tenant}";

    public override string ToString() => $"SimulatedOrg {{ {OrganizationId}, integration {IntegrationId}, queue {QueueId} }}";

    /// <summary>Seeds a Genesys org in the simulator through its control API (<c>POST /_sim/world</c>).</summary>
    public static async Task<SimulatedOrg> SeedAsync(HttpClient http, Uri simulator, string tenant, Uri webhookUrl, string webhookSecret, IReadOnlyList<SimulatedAgent> agents, CancellationToken ct)
    {
        var seed = new WorldRequest(webhookUrl, webhookSecret, TypingEnabled: true, $"AI Handoff {tenant}", FlowName(tenant), $"AI Handoff {tenant}", agents);
        using var response = await http.PostAsJsonAsync(new Uri(simulator, "_sim/world"), seed, ct);
        response.EnsureSuccessStatusCode();
        return await response.Content.ReadFromJsonAsync<SimulatedOrg>(ct)
            ?? throw new InvalidOperationException("The Genesys simulator answered /_sim/world with nothing.");
    }

    private sealed record WorldRequest(
        Uri WebhookUrl, string WebhookSecret, bool TypingEnabled, string QueueName, string FlowName, string IntegrationName, IReadOnlyList<SimulatedAgent> Agents);
}

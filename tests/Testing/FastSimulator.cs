using PolyAi.Messaging.GenesysSimulator;

namespace PolyAi.Messaging.Testing;

/// <summary>The Genesys simulator as the tests run it: a seeded org, no rate limit in the way, webhooks fast and once.</summary>
public static class FastSimulator
{
    public static GenesysSimulatorOptions Options() => new()
    {
        Port = 0,
        SeedOrg = true,
        RateLimitPerMinute = 100_000,
        WebhookRetryInterval = TimeSpan.FromMilliseconds(20),
        WebhookTimeout = TimeSpan.FromMilliseconds(500),
        WebhookMaxRetries = 0,
        AsyncCompletionDelay = TimeSpan.FromMilliseconds(50),
    };
}

using System.ComponentModel.DataAnnotations;

namespace PolyAi.Messaging.Edge;

/// <summary>The edge's limits (section <c>Edge</c>).</summary>
public sealed class EdgeOptions
{
    public const string Section = "Edge";

    /// <summary>Largest body forwarded to the verifier, enforced on Content-Length and while streaming.</summary>
    [Range(1024, 16 * 1024 * 1024)]
    public int MaxWebhookBodyBytes { get; set; } = 128 * 1024;

    /// <summary>Largest body forwarded to the chat API (routes with metadata <c>"BodyLimit": "chat"</c>).</summary>
    [Range(1024, 1024 * 1024)]
    public int MaxChatBodyBytes { get; set; } = 16 * 1024;

    /// <summary>The <c>Retry-After</c> of a 503 when the destination cannot be reached.</summary>
    [Range(1, 120)]
    public int RetryAfterSeconds { get; set; } = 5;

    /// <summary>Origins whose pages may call the chat API (CORS); <c>*</c> for any. The API uses bearer tokens, never cookies.</summary>
    [MinLength(1)]
    public string[] ChatAllowedOrigins { get; set; } = ["*"];

    /// <summary>
    /// Tenants (<c>ACCOUNT/PROJECT/ENV</c>) the demo page (<c>/</c>, <c>/index.html</c>) may be opened for with
    /// <c>?tenant=</c>; any other gets 404, so our origin never shows a bot this deployment does not serve.
    /// <c>*</c> allows any (local tests). The page without <c>?tenant=</c> shows its built-in demo tenant.
    /// </summary>
    public string[] DemoTenants { get; set; } = ["ACCOUNT-demo/PROJECT-demo/live"];

    /// <summary>The limit for a proxied route: its <c>BodyLimit</c> metadata names which one.</summary>
    public int MaxBodyBytesFor(IReadOnlyDictionary<string, string>? routeMetadata) =>
        routeMetadata is not null && routeMetadata.TryGetValue("BodyLimit", out var limit) && limit == "chat"
            ? MaxChatBodyBytes
            : MaxWebhookBodyBytes;
}

/// <summary>
/// Each tenant's token bucket (section <c>Edge:RateLimit</c>): a steady rate and a burst on top, paid only by verified
/// webhooks. The default is sized for a 2,000-agent contact center's peaks (the arithmetic is in the Edge README); a
/// tenant record's <c>webhookRateLimit</c> overrides it for that tenant (the verifier says so on each verified answer).
/// </summary>
public sealed class TenantRateLimitOptions
{
    public const string Section = "Edge:RateLimit";

    [Range(1, 100_000)]
    public int PermitsPerSecond { get; set; } = 1500;

    [Range(1, 1_000_000)]
    public int Burst { get; set; } = 7500;

    /// <summary>Most tenants with a bucket at once; full buckets are dropped to make room (a full bucket is no state).</summary>
    [Range(10, 10_000_000)]
    public int MaxTenants { get; set; } = 10_000;
}

/// <summary>
/// What one client address may cost the verifier without proving it holds a tenant's secret (section
/// <c>Edge:UnverifiedLimit</c>): <c>Burst</c> rejected requests, then <c>PermitsPerSecond</c>, and at most
/// <c>MaxInFlight</c> requests at once. An address that delivered a verified webhook within <c>TrustedFor</c> is exempt.
/// </summary>
public sealed class UnverifiedLimitOptions
{
    public const string Section = "Edge:UnverifiedLimit";

    [Range(1, 100_000)]
    public int PermitsPerSecond { get; set; } = 2;

    [Range(1, 1_000_000)]
    public int Burst { get; set; } = 20;

    [Range(1, 100_000)]
    public int MaxInFlight { get; set; } = 8;

    /// <summary>Most client addresses tracked at once; beyond it (after dropping idle ones) a new address is not limited here.</summary>
    [Range(10, 10_000_000)]
    public int MaxClients { get; set; } = 50_000;

    [Range(typeof(TimeSpan), "00:00:01", "1.00:00:00")]
    public TimeSpan TrustedFor { get; set; } = TimeSpan.FromMinutes(10);
}

/// <summary>Event streams one client address may hold open through an edge replica (section <c>Edge:StreamLimit</c>).</summary>
public sealed class StreamLimitOptions
{
    public const string Section = "Edge:StreamLimit";

    /// <summary>Generous: customers behind one NAT share an address; the agent caps streams per conversation (5).</summary>
    [Range(1, 100_000)]
    public int MaxPerClient { get; set; } = 100;
}

/// <summary>
/// How many chat conversations one client IP may start (section <c>Edge:ConversationRateLimit</c>): a burst, then
/// one more every <c>60 / PermitsPerMinute</c> seconds.
/// </summary>
public sealed class ConversationRateLimitOptions
{
    public const string Section = "Edge:ConversationRateLimit";

    [Range(1, 10_000)]
    public int PermitsPerMinute { get; set; } = 10;

    [Range(1, 10_000)]
    public int Burst { get; set; } = 10;
}

using System.ComponentModel.DataAnnotations;

namespace PolyAi.Messaging.Edge;

/// <summary>The edge's limits (section <c>Edge</c>).</summary>
public sealed class EdgeOptions
{
    public const string Section = "Edge";

    /// <summary>Largest body forwarded to the verifier, enforced on Content-Length and while streaming.</summary>
    [Range(1024, 16 * 1024 * 1024)]
    public int MaxWebhookBodyBytes { get; set; } = 128 * 1024;

    /// <summary>The <c>Retry-After</c> of a 503 when the verifier cannot be reached.</summary>
    [Range(1, 120)]
    public int RetryAfterSeconds { get; set; } = 5;
}

/// <summary>Each tenant's token bucket (section <c>Edge:RateLimit</c>): a steady rate and a burst on top.</summary>
public sealed class TenantRateLimitOptions
{
    public const string Section = "Edge:RateLimit";

    [Range(1, 100_000)]
    public int PermitsPerSecond { get; set; } = 20;

    [Range(1, 1_000_000)]
    public int Burst { get; set; } = 40;
}

using System.Globalization;
using System.Threading.RateLimiting;
using Microsoft.AspNetCore.RateLimiting;

namespace PolyAi.Messaging.Edge;

/// <summary>
/// One token bucket per client IP for starting chat conversations, so one browser (or script) cannot mint
/// conversations without end. Behind an ingress the client IP comes from <c>X-Forwarded-For</c> only when the
/// forwarded-headers middleware is enabled (<c>ASPNETCORE_FORWARDEDHEADERS_ENABLED=true</c>).
/// </summary>
public static class ClientRateLimit
{
    /// <summary>The name routes use as <c>RateLimiterPolicy</c> in configuration.</summary>
    public const string PolicyName = "per-client-ip";

    public static RateLimitPartition<string> Partition(HttpContext context, ConversationRateLimitOptions options)
    {
        var client = context.Connection.RemoteIpAddress?.ToString() ?? "unknown";
        return RateLimitPartition.GetTokenBucketLimiter(client, _ => new TokenBucketRateLimiterOptions
        {
            TokenLimit = options.Burst,
            TokensPerPeriod = 1,
            ReplenishmentPeriod = TimeSpan.FromMinutes(1) / options.PermitsPerMinute,
            QueueLimit = 0,
            AutoReplenishment = true,
        });
    }

    /// <summary>429 + <c>Retry-After</c> when the address has started too many conversations.</summary>
    public static async ValueTask RejectAsync(OnRejectedContext context, CancellationToken cancellationToken)
    {
        var wait = context.Lease.TryGetMetadata(MetadataName.RetryAfter, out var retryAfter) ? retryAfter : TimeSpan.Zero;
        var seconds = Math.Max(1, (int)Math.Ceiling(wait.TotalSeconds));
        context.HttpContext.Response.Headers.RetryAfter = seconds.ToString(CultureInfo.InvariantCulture);
        EdgeMetrics.Reject(EdgeMetrics.ConversationLimited);
        await TypedResults.Problem(
                title: "Too Many Requests",
                statusCode: StatusCodes.Status429TooManyRequests,
                detail: $"Too many conversations started from this address; try again in {seconds} s.")
            .ExecuteAsync(context.HttpContext);
    }
}

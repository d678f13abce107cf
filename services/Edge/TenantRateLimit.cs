using System.Globalization;
using System.Threading.RateLimiting;
using Microsoft.AspNetCore.RateLimiting;

namespace PolyAi.Messaging.Edge;

/// <summary>
/// One token bucket per tenant, the tenant being the <c>{accountId}/{projectId}/{clientEnv}</c> of the route, so
/// one noisy tenant is answered 429 (which Genesys retries) while the others go on.
/// </summary>
public static class TenantRateLimit
{
    /// <summary>The name routes use as <c>RateLimiterPolicy</c> in configuration.</summary>
    public const string PolicyName = "per-tenant";

    public static RateLimitPartition<string> Partition(HttpContext context, TenantRateLimitOptions options)
    {
        var route = context.Request.RouteValues;
        var tenant = $"{route["accountId"]}/{route["projectId"]}/{route["clientEnv"]}";
        return RateLimitPartition.GetTokenBucketLimiter(tenant, _ => new TokenBucketRateLimiterOptions
        {
            TokenLimit = options.Burst,
            TokensPerPeriod = options.PermitsPerSecond,
            ReplenishmentPeriod = TimeSpan.FromSeconds(1),
            QueueLimit = 0,
            AutoReplenishment = true,
        });
    }

    /// <summary>429 + <c>Retry-After</c> for either policy, with a detail that says which limit was hit.</summary>
    public static async ValueTask RejectAsync(OnRejectedContext context, CancellationToken cancellationToken)
    {
        var wait = context.Lease.TryGetMetadata(MetadataName.RetryAfter, out var retryAfter) ? retryAfter : TimeSpan.Zero;
        var seconds = Math.Max(1, (int)Math.Ceiling(wait.TotalSeconds));
        context.HttpContext.Response.Headers.RetryAfter = seconds.ToString(CultureInfo.InvariantCulture);
        var policy = context.HttpContext.GetEndpoint()?.Metadata.GetMetadata<EnableRateLimitingAttribute>()?.PolicyName;
        EdgeMetrics.Reject(EdgeMetrics.RateLimited);
        await TypedResults.Problem(
                title: "Too Many Requests",
                statusCode: StatusCodes.Status429TooManyRequests,
                detail: policy == ClientRateLimit.PolicyName
                    ? $"Too many conversations started from this address; try again in {seconds} s."
                    : "Webhooks for this tenant arrive faster than its rate limit; retry later.")
            .ExecuteAsync(context.HttpContext);
    }
}

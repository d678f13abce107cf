using System.Globalization;
using Yarp.ReverseProxy.Transforms;
using Yarp.ReverseProxy.Transforms.Builder;

namespace PolyAi.Messaging.Edge;

/// <summary>
/// A tenant's own webhook allowance, as the verifier announces it on a verified webhook's answer
/// (<c>X-PolyAI-Webhook-Rate: 1500; burst=7500</c>, from the tenant record's <c>webhookRateLimit</c>). The edge has no
/// sidecar, so this is how it learns a tenant's limit; the header never leaves the edge.
/// </summary>
public readonly record struct TenantWebhookRate(int PermitsPerSecond, int Burst)
{
    public const string HeaderName = "X-PolyAI-Webhook-Rate";

    /// <summary>Where the response transform leaves what the verifier said, for the webhook gate.</summary>
    public static readonly object ItemKey = new();

    /// <summary>Takes the header off every proxied answer and leaves what it said for the gate.</summary>
    public static void Add(TransformBuilderContext builder) => builder.AddResponseTransform(transform =>
    {
        if (transform.HttpContext.Response.Headers.Remove(HeaderName, out var value))
        {
            transform.HttpContext.Items[ItemKey] = Parse(value.ToString());
        }

        return ValueTask.CompletedTask;
    });

    /// <summary>What the verifier said about this request's tenant, if anything.</summary>
    public static TenantWebhookRate? Of(HttpContext context) =>
        context.Items.TryGetValue(ItemKey, out var value) ? value as TenantWebhookRate? : null;

    public static TenantWebhookRate? Parse(string? value)
    {
        if (string.IsNullOrEmpty(value))
        {
            return null;
        }

        var parts = value.Split(';', 2, StringSplitOptions.TrimEntries);
        return parts.Length == 2
            && int.TryParse(parts[0], NumberStyles.None, CultureInfo.InvariantCulture, out var rate)
            && parts[1].StartsWith("burst=", StringComparison.Ordinal)
            && int.TryParse(parts[1].AsSpan("burst=".Length), NumberStyles.None, CultureInfo.InvariantCulture, out var burst)
            && rate is >= 1 and <= 100_000 && burst is >= 1 and <= 1_000_000
                ? new TenantWebhookRate(rate, burst)
                : null;
    }
}

using System.Runtime.CompilerServices;
using Prometheus;

namespace PolyAi.Messaging.Verifier.Webhooks;

/// <summary>The verifier's Prometheus metrics. Labels stay low-cardinality: no tenant, no id.</summary>
public static class VerifierMetrics
{
    public static readonly Counter Webhooks = Metrics.CreateCounter(
        "polyai_messaging_webhooks_total",
        "Genesys webhook deliveries, by outcome.",
        new CounterConfiguration { LabelNames = ["outcome"] });

    public static readonly Histogram Duration = Metrics.CreateHistogram(
        "polyai_messaging_webhook_duration_seconds",
        "Time to answer a Genesys webhook delivery.",
        new HistogramConfiguration { Buckets = Histogram.ExponentialBuckets(0.002, 2, 13) });

    public static readonly Counter PublishFailures = Metrics.CreateCounter(
        "polyai_messaging_webhook_publish_failures_total",
        "Verified webhooks that could not be published (answered 503 so Genesys retries).");

    static VerifierMetrics()
    {
        // Every outcome exists from the start, so rate() and alerts see zeros rather than gaps.
        foreach (var outcome in Enum.GetValues<WebhookOutcome>())
        {
            Webhooks.WithLabels(Label(outcome));
        }
    }

    /// <summary>Runs the static constructor when the service starts, so /metrics shows every series from the start.</summary>
    [ModuleInitializer]
    internal static void ExportAtStartUp()
    {
    }

    public static void Record(WebhookOutcome outcome, TimeSpan elapsed)
    {
        Webhooks.WithLabels(Label(outcome)).Inc();
        Duration.Observe(elapsed.TotalSeconds);
    }

    public static string Label(WebhookOutcome outcome) => outcome switch
    {
        WebhookOutcome.Accepted => "accepted",
        WebhookOutcome.Duplicate => "duplicate",
        WebhookOutcome.Unauthorized => "unauthorized",
        WebhookOutcome.UnknownTenant => "unknown_tenant",
        WebhookOutcome.Invalid => "invalid",
        WebhookOutcome.TooLarge => "too_large",
        WebhookOutcome.TimedOut => "timed_out",
        WebhookOutcome.Overloaded => "overloaded",
        WebhookOutcome.Unavailable => "unavailable",
        _ => throw new ArgumentOutOfRangeException(nameof(outcome), outcome, null),
    };
}

using Prometheus;

namespace PolyAi.Messaging.ServiceDefaults;

/// <summary>Metrics every consumer of <see cref="Topics.GenesysNotifications"/> shares; the <c>service</c> label tells them apart.</summary>
public static class NotificationMetrics
{
    private static readonly Counter Consumed = Metrics.CreateCounter(
        "polyai_messaging_notifications_consumed_total",
        "Genesys notifications taken off the genesys-notifications topic, by consuming service, type and outcome.",
        new CounterConfiguration { LabelNames = ["service", "type", "outcome"] });

    public static void Count(string service, string type, string outcome) => Consumed.WithLabels(service, type, outcome).Inc();
}

/// <summary>Values of the <c>outcome</c> label.</summary>
public static class Outcomes
{
    public const string Saved = "saved";
    public const string Duplicate = "duplicate";
    public const string Ignored = "ignored";
    public const string Dropped = "dropped";
    public const string Conflict = "conflict";
    public const string Failed = "failed";
}

using Prometheus;

namespace PolyAi.Messaging.Contracts;

/// <summary>Metrics every consumer of <see cref="Topics.GenesysNotifications"/> shares; the <c>service</c> label tells them apart.</summary>
public static class NotificationMetrics
{
    private static readonly Counter Consumed = Metrics.CreateCounter(
        "polyai_messaging_notifications_consumed_total",
        "Genesys notifications taken off the genesys-notifications topic, by consuming service, type and outcome.",
        new CounterConfiguration { LabelNames = ["service", "type", "outcome"] });

    /// <summary>The values of the <c>type</c> label.</summary>
    public static readonly string[] Types = ["Text", "Structured", "Receipt", "Event", "Other", "Invalid"];

    public static void Count(string service, string type, string outcome) => Consumed.WithLabels(service, type, outcome).Inc();

    /// <summary>
    /// Creates a service's known series at zero, so /metrics shows the family from start-up (prometheus-net prints a
    /// labelled counter only once a child exists) and rate() sees zeros rather than gaps.
    /// </summary>
    public static void Initialise(string service, IEnumerable<string> outcomes)
    {
        foreach (var outcome in outcomes)
        {
            foreach (var type in Types)
            {
                Consumed.WithLabels(service, type, outcome);
            }
        }
    }
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

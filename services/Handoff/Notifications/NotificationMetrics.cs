using Prometheus;

namespace PolyAi.Messaging.Handoff.Notifications;

internal static class NotificationMetrics
{
    public const string Service = "handoff";

    /// <summary>Same name in every consumer of the topic; the <c>service</c> label tells them apart.</summary>
    public static readonly Counter Consumed = Metrics.CreateCounter(
        "polyai_messaging_notifications_consumed_total",
        "Genesys notifications taken off the genesys-notifications topic, by type and outcome.",
        new CounterConfiguration { LabelNames = ["service", "type", "outcome"] });

    public static readonly Counter Receipts = Metrics.CreateCounter(
        "polyai_messaging_receipts_total",
        "Genesys delivery receipts recorded on handoff sessions, by status.",
        new CounterConfiguration { LabelNames = ["status"] });

    public static void Count(string type, string outcome) => Consumed.WithLabels(Service, type, outcome).Inc();

    /// <summary>A receipt status as a label: the documented values as-is, anything else "Other".</summary>
    public static string StatusLabel(string status) => status switch
    {
        "Sent" or "Delivered" or "Read" or "Failed" or "Published" or "Removed" => status,
        _ => "Other",
    };

    public static void CountReceipt(string status) => Receipts.WithLabels(StatusLabel(status)).Inc();
}

/// <summary>Values of the <c>outcome</c> label.</summary>
internal static class Outcomes
{
    public const string Saved = "saved";
    public const string Duplicate = "duplicate";
    public const string Dropped = "dropped";
    public const string Conflict = "conflict";
    public const string Failed = "failed";
}

using Prometheus;

namespace PolyAi.Messaging.Agent.Notifications;

internal static class NotificationMetrics
{
    public const string Service = "agent";

    /// <summary>Same name in every consumer of the topic; the <c>service</c> label tells them apart.</summary>
    public static readonly Counter Consumed = Metrics.CreateCounter(
        "polyai_messaging_notifications_consumed_total",
        "Genesys notifications taken off the genesys-notifications topic, by type and outcome.",
        new CounterConfiguration { LabelNames = ["service", "type", "outcome"] });

    public static readonly Counter TranscriptMessages = Metrics.CreateCounter(
        "polyai_messaging_transcript_messages_total",
        "Messages added to conversation transcripts, by role.",
        new CounterConfiguration { LabelNames = ["role"] });

    public static void Count(string type, string outcome) => Consumed.WithLabels(Service, type, outcome).Inc();
}

/// <summary>Values of the <c>outcome</c> label.</summary>
internal static class Outcomes
{
    public const string Saved = "saved";
    public const string Duplicate = "duplicate";
    public const string Ignored = "ignored";
    public const string Dropped = "dropped";
    public const string Conflict = "conflict";
    public const string Failed = "failed";
}

using Prometheus;

namespace PolyAi.Messaging.Agent.Transcripts;

internal static class TranscriptMetrics
{
    public const string Service = "agent";

    public static readonly Counter Messages = Metrics.CreateCounter(
        "polyai_messaging_transcript_messages_total",
        "Messages added to conversation transcripts, by role.",
        new CounterConfiguration { LabelNames = ["role"] });
}

using System.Runtime.CompilerServices;
using PolyAi.Messaging.Contracts;
using Prometheus;

namespace PolyAi.Messaging.Agent.Transcripts;

internal static class TranscriptMetrics
{
    public const string Service = "agent";

    public static readonly Counter Messages = Metrics.CreateCounter(
        "polyai_messaging_transcript_messages_total",
        "Messages added to conversation transcripts, by role.",
        new CounterConfiguration { LabelNames = ["role"] });

    static TranscriptMetrics()
    {
        // Every known series exists from the start, so /metrics shows the families and rate() sees zeros.
        foreach (var role in (string[])[TranscriptRoles.Agent, TranscriptRoles.Bot])
        {
            Messages.WithLabels(role);
        }

        NotificationMetrics.Initialise(Service,
            [Outcomes.Saved, Outcomes.Duplicate, Outcomes.Ignored, Outcomes.Dropped, Outcomes.Conflict, Outcomes.Failed]);
    }

    /// <summary>Runs the static constructor when the service starts.</summary>
    [ModuleInitializer]
    internal static void ExportAtStartUp()
    {
    }
}

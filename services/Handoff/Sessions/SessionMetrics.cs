using System.Runtime.CompilerServices;
using PolyAi.Messaging.Contracts;
using Prometheus;

namespace PolyAi.Messaging.Handoff.Sessions;

internal static class SessionMetrics
{
    public const string Service = "handoff";

    private static readonly Counter Receipts = Metrics.CreateCounter(
        "polyai_messaging_receipts_total",
        "Genesys delivery receipts recorded on handoff sessions, by status.",
        new CounterConfiguration { LabelNames = ["status"] });

    static SessionMetrics()
    {
        // Every known series exists from the start, so /metrics shows the families and rate() sees zeros.
        foreach (var status in (string[])["Sent", "Delivered", "Read", "Failed", "Published", "Removed", "Other"])
        {
            Receipts.WithLabels(status);
        }

        NotificationMetrics.Initialise(Service, [Outcomes.Saved, Outcomes.Duplicate, Outcomes.Dropped, Outcomes.Conflict, Outcomes.Failed]);
    }

    /// <summary>Runs the static constructor when the service starts.</summary>
    [ModuleInitializer]
    internal static void ExportAtStartUp()
    {
    }

    /// <summary>A receipt status as a label: the documented values as-is, anything else "Other".</summary>
    public static string StatusLabel(string status) => status switch
    {
        "Sent" or "Delivered" or "Read" or "Failed" or "Published" or "Removed" => status,
        _ => "Other",
    };

    public static void CountReceipt(string status) => Receipts.WithLabels(StatusLabel(status)).Inc();
}

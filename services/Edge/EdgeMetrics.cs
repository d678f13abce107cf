using System.Runtime.CompilerServices;
using Prometheus;

namespace PolyAi.Messaging.Edge;

/// <summary>Why the edge answered a request itself instead of forwarding it.</summary>
public static class EdgeMetrics
{
    public const string TooLarge = "too_large";
    public const string RateLimited = "rate_limited";
    public const string VerifierUnavailable = "verifier_unavailable";
    public const string AgentUnavailable = "agent_unavailable";

    public static readonly Counter Rejections = Metrics.CreateCounter(
        "polyai_messaging_edge_rejections_total",
        "Requests the edge rejected, by reason.",
        new CounterConfiguration { LabelNames = ["reason"] });

    static EdgeMetrics()
    {
        foreach (var reason in (string[])[TooLarge, RateLimited, VerifierUnavailable, AgentUnavailable])
        {
            Rejections.WithLabels(reason);
        }
    }

    /// <summary>Runs the static constructor when the service starts, so /metrics shows every reason from the start.</summary>
    [ModuleInitializer]
    internal static void ExportAtStartUp()
    {
    }

    public static void Reject(string reason) => Rejections.WithLabels(reason).Inc();
}

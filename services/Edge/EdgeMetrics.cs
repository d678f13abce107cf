using System.Runtime.CompilerServices;
using Prometheus;

namespace PolyAi.Messaging.Edge;

/// <summary>Why the edge answered a request itself instead of forwarding it.</summary>
public static class EdgeMetrics
{
    public const string TooLarge = "too_large";
    public const string RateLimited = "rate_limited";
    public const string UnverifiedLimited = "unverified_limited";
    public const string ConversationLimited = "conversation_limited";
    public const string StreamsLimited = "streams_limited";
    public const string VerifierUnavailable = "verifier_unavailable";
    public const string AgentUnavailable = "agent_unavailable";

    public static readonly Counter Rejections = Metrics.CreateCounter(
        "polyai_messaging_edge_rejections_total",
        "Requests the edge rejected, by reason.",
        new CounterConfiguration { LabelNames = ["reason"] });

    public static readonly Counter Untracked = Metrics.CreateCounter(
        "polyai_messaging_edge_untracked_requests_total",
        "Webhook requests let through without a per-address limit because the table of client addresses was full.");

    public static readonly Gauge TrackedClients = Metrics.CreateGauge(
        "polyai_messaging_edge_tracked_clients",
        "Client addresses the webhook gate holds a record for (bounded by Edge:UnverifiedLimit:MaxClients).");

    public static readonly Gauge TrackedTenants = Metrics.CreateGauge(
        "polyai_messaging_edge_tracked_tenants",
        "Tenants the webhook gate holds a rate-limit bucket for (bounded by Edge:RateLimit:MaxTenants).");

    public static readonly Gauge StreamsOpen = Metrics.CreateGauge(
        "polyai_messaging_edge_streams_open",
        "Event streams open through this edge (each address at most Edge:StreamLimit:MaxPerClient).");

    static EdgeMetrics()
    {
        foreach (var reason in (string[])[TooLarge, RateLimited, UnverifiedLimited, ConversationLimited, StreamsLimited, VerifierUnavailable, AgentUnavailable])
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

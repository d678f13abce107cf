using System.Runtime.CompilerServices;
using Prometheus;

namespace PolyAi.Messaging.Agent;

/// <summary>The customer conversation's metrics (messages by role are <c>polyai_messaging_transcript_messages_total</c>).</summary>
internal static class ConversationMetrics
{
    public static readonly Counter Started = Metrics.CreateCounter(
        "polyai_messaging_conversations_started_total", "Chat conversations created.");

    public static readonly Counter Rejected = Metrics.CreateCounter(
        "polyai_messaging_chat_requests_rejected_total",
        "Chat API requests refused, by reason (unauthorized, invalid, too_large, rate_limited, unknown_tenant, ended, too_many_streams, streams_full).",
        new CounterConfiguration { LabelNames = ["reason"] });

    public static readonly Counter Handoffs = Metrics.CreateCounter(
        "polyai_messaging_handoffs_total",
        "Handoff steps by outcome: requested, queued, unavailable, failed, connected, ended.",
        new CounterConfiguration { LabelNames = ["outcome"] });

    public static readonly Histogram TimeToAgent = Metrics.CreateHistogram(
        "polyai_messaging_handoff_time_to_agent_seconds",
        "From the handoff request to a human agent connected.",
        new HistogramConfiguration { Buckets = [1, 5, 15, 30, 60, 120, 300, 600, 1200, 3600] });

    public static readonly Counter RecoveredTurns = Metrics.CreateCounter(
        "polyai_messaging_turns_recovered_total",
        "Customer messages another replica accepted and did not answer (it died, or was slower than Transcripts:RecoverTurnsAfter), queued again here.");

    public static readonly Gauge StreamsOpen = Metrics.CreateGauge(
        "polyai_messaging_sse_streams_open", "Server-Sent Events streams open on this replica.");

    public static readonly Counter StreamReads = Metrics.CreateCounter(
        "polyai_messaging_sse_conversation_reads_total",
        "Conversation documents read for SSE streams on this replica: one per change of a watched conversation, shared by all its streams.");

    public static readonly Counter HandoffCalls = Metrics.CreateCounter(
        "polyai_messaging_handoff_grpc_calls_total",
        "Calls to the handoff service, by method and gRPC status.",
        new CounterConfiguration { LabelNames = ["method", "status"] });

    public static readonly Counter BrainTurns = Metrics.CreateCounter(
        "polyai_messaging_brain_turns_total",
        "Customer turns the AI answered, by brain (deterministic, llm) and result (answered, unanswered, handoff).",
        new CounterConfiguration { LabelNames = ["brain", "result"] });

    static ConversationMetrics()
    {
        // Every known series exists from the start, so dashboards and rate() see zeros, not missing families.
        foreach (var reason in (string[])["unauthorized", "invalid", "too_large", "rate_limited", "unknown_tenant", "ended", "too_many_streams", "streams_full"])
        {
            Rejected.WithLabels(reason);
        }

        foreach (var outcome in (string[])["requested", "queued", "unavailable", "failed", "connected", "ended"])
        {
            Handoffs.WithLabels(outcome);
        }
    }

    /// <summary>Runs the static constructor when the service starts.</summary>
    [ModuleInitializer]
    internal static void ExportAtStartUp()
    {
    }
}

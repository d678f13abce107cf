using System.Runtime.CompilerServices;
using PolyAi.Messaging.Contracts;
using Prometheus;

namespace PolyAi.Messaging.Handoff.Handoffs;

/// <summary>Handoff metrics; Genesys calls are counted by the client (<c>polyai_messaging_genesys_requests_total</c>).</summary>
internal static class HandoffMetrics
{
    public static readonly Counter Handoffs = Metrics.CreateCounter(
        "polyai_messaging_handoff_starts_total",
        "StartHandoff outcomes: started, unavailable (no agent on queue, nothing created in Genesys), failed.",
        new CounterConfiguration { LabelNames = ["outcome"] });

    public static readonly Counter RpcRefused = Metrics.CreateCounter(
        "polyai_messaging_handoff_rpc_refused_total",
        "gRPC calls refused before any handler ran: unauthenticated (no or a wrong agent token), token_unavailable (the secret could not be read).",
        new CounterConfiguration { LabelNames = ["reason"] });

    public static readonly Histogram TimeToAgent = Metrics.CreateHistogram(
        "polyai_messaging_handoff_start_to_connected_seconds",
        "From StartHandoff to a human agent connected, as the handoff service saw it.",
        new HistogramConfiguration { Buckets = [1, 5, 15, 30, 60, 120, 300, 600, 1200, 1800, 3600] });

    public static readonly Gauge ActiveSessions = Metrics.CreateGauge(
        "polyai_messaging_handoff_active_sessions",
        "Handoff sessions whose Genesys conversation is open (as last seen in the state store).");

    public static readonly Counter EndDetections = Metrics.CreateCounter(
        "polyai_messaging_handoff_end_detections_total",
        "Genesys conversation ends detected, by source: notification (WebSocket) or poll (GET conversation).",
        new CounterConfiguration { LabelNames = ["source"] });

    public static readonly Gauge NotificationChannels = Metrics.CreateGauge(
        "polyai_messaging_handoff_notification_channels",
        "Genesys notification channels this replica holds (at most Handoff:NotificationsMaxChannels per OAuth client).");

    public static readonly Gauge NotificationTopics = Metrics.CreateGauge(
        "polyai_messaging_handoff_notification_topics",
        "Topics this replica wants subscribed on its Genesys notification channels (at most 1,000 per channel).");

    public static readonly Counter NotificationUnwatched = Metrics.CreateCounter(
        "polyai_messaging_handoff_notification_unwatched_total",
        "Sessions not watched on a notification channel because every channel allowed was full; the poller covers them.");

    public static readonly Counter NotificationReconnects = Metrics.CreateCounter(
        "polyai_messaging_handoff_notification_reconnects_total",
        "Notification sockets lost and connected again, by reason: socket_closing, silent (no heartbeat), closed, gone (channel expired or removed), failed.",
        new CounterConfiguration { LabelNames = ["reason"] });

    public static readonly Counter Lifecycle = Metrics.CreateCounter(
        "polyai_messaging_handoff_events_published_total",
        "handoff-events published, by status.",
        new CounterConfiguration { LabelNames = ["status"] });

    public static readonly Counter Forwarded = Metrics.CreateCounter(
        "polyai_messaging_handoff_forwarded_total",
        "Customer messages, typing and receipts sent into Genesys conversations, by kind and outcome (sent, duplicate, inactive, failed).",
        new CounterConfiguration { LabelNames = ["kind", "outcome"] });

    public static readonly Counter NotYetReadable = Metrics.CreateCounter(
        "polyai_messaging_handoff_not_yet_readable_total",
        "GET conversation answered 404 inside the grace window after a handoff started: not readable yet, looked at again.");

    public static readonly Counter Resends = Metrics.CreateCounter(
        "polyai_messaging_handoff_resends_total",
        "Customer messages whose send to Genesys had an uncertain outcome (timeout, 5xx), by what reconciliation found: present (not sent again) or absent (sent again).",
        new CounterConfiguration { LabelNames = ["found"] });

    public static readonly Counter BudgetTaken = Metrics.CreateCounter(
        "polyai_messaging_handoff_genesys_budget_taken_total",
        "Genesys requests this replica took from its tenants' shared per-minute budgets (in leases).");

    public static readonly Counter QueueSweeps = Metrics.CreateCounter(
        "polyai_messaging_handoff_queue_sweeps_total",
        "Queue observations read to reconcile every open session of a queue in one Genesys call.");

    static HandoffMetrics()
    {
        // Every known series exists from the start, so dashboards and rate() see zeros, not missing families.
        foreach (var outcome in (string[])["started", HandoffStatus.Unavailable, HandoffStatus.Failed])
        {
            Handoffs.WithLabels(outcome);
        }

        foreach (var source in (string[])[DetectionSources.Notification, DetectionSources.Poll])
        {
            EndDetections.WithLabels(source);
        }

        foreach (var reason in (string[])["socket_closing", "silent", "closed", "gone", "failed"])
        {
            NotificationReconnects.WithLabels(reason);
        }

        foreach (var status in (string[])[HandoffStatus.Queued, HandoffStatus.Connected, HandoffStatus.Ended, HandoffStatus.Unavailable, HandoffStatus.Failed])
        {
            Lifecycle.WithLabels(status);
        }

        Resends.WithLabels("present");
        Resends.WithLabels("absent");
        foreach (var kind in (string[])["message", "typing", "receipt"])
        {
            foreach (var outcome in (string[])["sent", "duplicate", "inactive", "failed"])
            {
                Forwarded.WithLabels(kind, outcome);
            }
        }
    }

    /// <summary>Runs the static constructor when the service starts.</summary>
    [ModuleInitializer]
    internal static void ExportAtStartUp()
    {
    }
}

/// <summary>Who noticed a Genesys conversation change.</summary>
public static class DetectionSources
{
    public const string Notification = "notification";
    public const string Poll = "poll";
}

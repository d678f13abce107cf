using System.ComponentModel.DataAnnotations;

namespace PolyAi.Messaging.Handoff.Handoffs;

/// <summary>How the handoff service talks to Genesys and watches its conversations (section <c>Handoff</c>).</summary>
public sealed class HandoffOptions
{
    public const string Section = "Handoff";

    /// <summary>How long a queue's on-queue agent count is reused before Genesys is asked again.</summary>
    [Range(typeof(TimeSpan), "00:00:00", "00:05:00")]
    public TimeSpan AvailabilityCacheTtl { get; set; } = TimeSpan.FromSeconds(5);

    /// <summary>How often active sessions are checked with GET conversation (the fallback to notifications).</summary>
    [Range(typeof(TimeSpan), "00:00:00.050", "01:00:00")]
    public TimeSpan PollInterval { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary>Watch conversations on a Genesys notifications channel (WebSocket). Off: polling only.</summary>
    public bool NotificationsEnabled { get; set; } = true;

    /// <summary>Wait before a notifications WebSocket that closed or failed is connected again (or a failed topic update retried).</summary>
    [Range(typeof(TimeSpan), "00:00:00.050", "00:10:00")]
    public TimeSpan NotificationsReconnectDelay { get; set; } = TimeSpan.FromSeconds(5);

    /// <summary>
    /// No message on a notification socket (event, heartbeat, pong) for this long and it counts as dead: connected again
    /// (same channel if Genesys still has it). A ping is sent at half of it. Genesys heartbeats about every 30 s.
    /// </summary>
    [Range(typeof(TimeSpan), "00:00:00.100", "00:10:00")]
    public TimeSpan NotificationsHeartbeatTimeout { get; set; } = TimeSpan.FromSeconds(75);

    /// <summary>
    /// Notification channels this replica opens per Genesys OAuth client. Genesys allows 20 per client (a 21st removes
    /// the oldest), shared by every replica and service using that client: with several, give each its share.
    /// </summary>
    [Range(1, 20)]
    public int NotificationsMaxChannels { get; set; } = 20;

    /// <summary>How often watched sessions are checked against the active list (ends noticed elsewhere) and idle channels closed.</summary>
    [Range(typeof(TimeSpan), "00:00:00.050", "01:00:00")]
    public TimeSpan NotificationsSweepInterval { get; set; } = TimeSpan.FromMinutes(1);

    /// <summary>An OAuth client without watched sessions for this long has its notification channels closed.</summary>
    [Range(typeof(TimeSpan), "00:00:00", "1.00:00:00")]
    public TimeSpan NotificationsIdleTimeout { get; set; } = TimeSpan.FromMinutes(10);

    /// <summary>Message ids and receipts remembered per session for idempotent forwards and receipts.</summary>
    [Range(10, 10_000)]
    public int MaxRememberedIds { get; set; } = 500;
}

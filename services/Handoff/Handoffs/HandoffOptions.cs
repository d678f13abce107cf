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
    /// How long after a handoff starts a 404 from GET conversation means "not readable yet" rather than "gone":
    /// Genesys may create the conversation after it answered the first message (Corrections 5).
    /// </summary>
    [Range(typeof(TimeSpan), "00:00:00", "00:10:00")]
    public TimeSpan ReadableGracePeriod { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>How soon a conversation that was not readable yet is looked at again.</summary>
    [Range(typeof(TimeSpan), "00:00:00.010", "00:01:00")]
    public TimeSpan ReadableRecheckDelay { get; set; } = TimeSpan.FromSeconds(1);

    /// <summary>Bound on sessions waiting for such a second look at once; beyond it the poller covers them.</summary>
    [Range(1, 1_000_000)]
    public int MaxPendingRechecks { get; set; } = 10_000;

    /// <summary>Sends of one customer message in one call when Genesys' answers leave it unknown whether it arrived.</summary>
    [Range(1, 5)]
    public int MaxSendAttempts { get; set; } = 2;

    /// <summary>What Genesys allows one OAuth client a minute (client credentials: 300; support can change it).</summary>
    [Range(1, 100_000)]
    public int GenesysRequestsPerMinute { get; set; } = 300;

    /// <summary>Share of the minute's requests customer calls may use (the rest is headroom for other tools of the org).</summary>
    [Range(0.1, 1.0)]
    public double CustomerShare { get; set; } = 0.9;

    /// <summary>Share of the minute's requests housekeeping (end detection, reconciliation) may use at most.</summary>
    [Range(0.0, 1.0)]
    public double HousekeepingShare { get; set; } = 0.5;

    /// <summary>Requests a replica takes from the shared budget at a time (one state write per lease).</summary>
    [Range(1, 100)]
    public int BudgetLeaseSize { get; set; } = 10;

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

    /// <summary>
    /// The least time between two topic changes on a notification channel: sessions started meanwhile are subscribed in
    /// one request (each costs the tenant's budget, Corrections 3). A new queue topic does not wait. A session's own
    /// topics matter only once an agent has it; until then its queue's topic, already subscribed, tells of it.
    /// </summary>
    [Range(typeof(TimeSpan), "00:00:00", "00:01:00")]
    public TimeSpan NotificationsSubscribeInterval { get; set; } = TimeSpan.FromSeconds(5);

    /// <summary>
    /// How long the topics of ended sessions may stay subscribed (their events are ignored) before they are removed in
    /// one request; sooner when a channel needs the room.
    /// </summary>
    [Range(typeof(TimeSpan), "00:00:00", "01:00:00")]
    public TimeSpan NotificationsTopicRemovalDelay { get; set; } = TimeSpan.FromMinutes(1);

    /// <summary>How often watched sessions are checked against the active list (ends noticed elsewhere) and idle channels closed.</summary>
    [Range(typeof(TimeSpan), "00:00:00.050", "01:00:00")]
    public TimeSpan NotificationsSweepInterval { get; set; } = TimeSpan.FromMinutes(1);

    /// <summary>An OAuth client without watched sessions for this long has its notification channels closed.</summary>
    [Range(typeof(TimeSpan), "00:00:00", "1.00:00:00")]
    public TimeSpan NotificationsIdleTimeout { get; set; } = TimeSpan.FromMinutes(10);

    /// <summary>Message ids and receipts remembered per session for idempotent forwards and receipts.</summary>
    [Range(10, 10_000)]
    public int MaxRememberedIds { get; set; } = 500;

    /// <summary>
    /// Secret (in the Tenancy secret store) whose <c>token</c> every gRPC call must present as
    /// <c>authorization: Bearer …</c> (<c>previousToken</c> too, during a rotation); the agent reads the same secret.
    /// Empty: the gRPC port takes any caller (a local run without one; the NetworkPolicy still admits only the agent).
    /// </summary>
    public string RpcTokenSecret { get; set; } = "";
}

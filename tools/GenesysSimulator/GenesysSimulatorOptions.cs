namespace PolyAi.Messaging.GenesysSimulator;

/// <summary>How a simulator instance runs. Defaults are Genesys' own numbers; tests shorten the intervals.</summary>
public sealed record GenesysSimulatorOptions
{
    /// <summary>TCP port on 127.0.0.1; 0 picks a free one.</summary>
    public int Port { get; init; }

    public TimeProvider TimeProvider { get; init; } = TimeProvider.System;

    /// <summary>Pause between webhook delivery attempts (Genesys: 5 s).</summary>
    public TimeSpan WebhookRetryInterval { get; init; } = TimeSpan.FromSeconds(5);

    /// <summary>How long one webhook attempt may take before it counts as a timeout (Genesys: 10 s).</summary>
    public TimeSpan WebhookTimeout { get; init; } = TimeSpan.FromSeconds(10);

    /// <summary>Retries after the first attempt on timeout, 429 or 5xx (Genesys: 5, i.e. 6 tries, 85 s worst case).</summary>
    public int WebhookMaxRetries { get; init; } = 5;

    /// <summary>API requests allowed per OAuth client per minute (Genesys: 300 for client credentials).</summary>
    public int RateLimitPerMinute { get; init; } = 300;

    public TimeSpan NotificationHeartbeatInterval { get; init; } = TimeSpan.FromSeconds(30);

    /// <summary>How long integrations stay <c>Initiated</c> and flow jobs <c>Started</c> before they complete.</summary>
    public TimeSpan AsyncCompletionDelay { get; init; } = TimeSpan.FromMilliseconds(500);

    /// <summary>Whether Genesys-style <c>Delivered</c> receipts are posted for inbound messages an agent received.</summary>
    public bool InboundReceiptWebhooks { get; init; } = true;

    /// <summary>Seed an org with an admin OAuth client at start (see <see cref="GenesysSimulatorHost.SeededOrg"/>).</summary>
    public bool SeedOrg { get; init; }

    /// <summary>What the org calls its home division; orgs can rename it, and flow YAML names it (Corrections 10).</summary>
    public string HomeDivisionName { get; init; } = "Home";

    /// <summary>
    /// Queue observations: false (default, the probable reading of Corrections 2) puts user metrics such as
    /// <c>oOnQueueUsers</c> only in the group without <c>mediaType</c>; true puts them in the <c>message</c> group.
    /// </summary>
    public bool ObservationUserMetricsPerMediaType { get; init; }

    /// <summary>
    /// How long after it starts GET conversation answers 404 for a conversation (Corrections 5: right after an inbound
    /// message with <c>prefetchConversationId</c>, Genesys may not serve it yet). Zero: readable at once.
    /// </summary>
    public TimeSpan ConversationReadableDelay { get; init; } = TimeSpan.Zero;

    /// <summary>
    /// Answer a resent inbound message with the same (<c>channel.messageId</c>, <c>channel.time</c>) with the message
    /// already received instead of adding it again. Off by default: Genesys does not document it (Corrections 6).
    /// </summary>
    public bool DedupeInboundMessages { get; init; }

    public LogLevel MinimumLogLevel { get; init; } = LogLevel.Warning;

    internal void Validate()
    {
        if (Port is < 0 or > 65535)
        {
            throw new ArgumentOutOfRangeException(nameof(Port), Port, "port must be 0..65535");
        }

        if (WebhookRetryInterval < TimeSpan.Zero || WebhookTimeout <= TimeSpan.Zero || WebhookMaxRetries < 0)
        {
            throw new ArgumentException("webhook retry interval must be >= 0, timeout > 0, retries >= 0");
        }

        if (RateLimitPerMinute <= 0 || NotificationHeartbeatInterval <= TimeSpan.Zero || AsyncCompletionDelay < TimeSpan.Zero)
        {
            throw new ArgumentException("rate limit and heartbeat interval must be positive, async delay >= 0");
        }
    }
}

using System.ComponentModel.DataAnnotations;

namespace PolyAi.Messaging.Agent.Chat;

public sealed class ChatOptions
{
    public const string Section = "Chat";

    /// <summary>Request bodies above this are refused with 413 before they are parsed.</summary>
    [Range(1024, 1024 * 1024)]
    public int MaxBodyBytes { get; set; } = 16 * 1024;

    [Range(1, 100_000)]
    public int MaxTextLength { get; set; } = 4000;

    /// <summary>Messages a customer may send in a burst; the bucket refills at <see cref="MessagesPerMinute"/>.</summary>
    [Range(1, 10_000)]
    public int MessageBurst { get; set; } = 10;

    [Range(1, 100_000)]
    public double MessagesPerMinute { get; set; } = 30;

    /// <summary>A comment line on every open stream this often, so proxies keep it open and clients see it is alive.</summary>
    [Range(typeof(TimeSpan), "00:00:00.050", "00:05:00")]
    public TimeSpan KeepAliveInterval { get; set; } = TimeSpan.FromSeconds(15);

    /// <summary>How often one bulk read checks the version keys of every conversation streamed from this replica.</summary>
    [Range(typeof(TimeSpan), "00:00:00.020", "00:01:00")]
    public TimeSpan StreamPollInterval { get; set; } = TimeSpan.FromMilliseconds(500);

    /// <summary>Streams one conversation may have open on this replica (a customer's tabs); 429 beyond.</summary>
    [Range(1, 1_000)]
    public int MaxStreamsPerConversation { get; set; } = 5;

    /// <summary>Streams this replica serves at once, whatever the conversation; 503 + Retry-After beyond.</summary>
    [Range(1, 1_000_000)]
    public int MaxStreams { get; set; } = 5_000;

    /// <summary>Bound on one read of a conversation for its streams, shared by all of them.</summary>
    [Range(typeof(TimeSpan), "00:00:00.100", "00:01:00")]
    public TimeSpan StreamReadTimeout { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary>How long a tenant record and its agent definition are reused before being read again.</summary>
    [Range(typeof(TimeSpan), "00:00:00", "01:00:00")]
    public TimeSpan TenantCacheTtl { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>The secret store the LLM brain's API keys are read from.</summary>
    [Required]
    public string SecretStore { get; set; } = "secretstore";
}

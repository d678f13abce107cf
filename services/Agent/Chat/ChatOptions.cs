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

    /// <summary>How long a tenant record and its agent definition are reused before being read again.</summary>
    [Range(typeof(TimeSpan), "00:00:00", "01:00:00")]
    public TimeSpan TenantCacheTtl { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>The secret store the LLM brain's API keys are read from.</summary>
    [Required]
    public string SecretStore { get; set; } = "secretstore";
}

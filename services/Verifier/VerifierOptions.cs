using System.ComponentModel.DataAnnotations;
using PolyAi.Messaging.Contracts;

namespace PolyAi.Messaging.Verifier;

/// <summary>The verifier's limits and the Dapr components it uses (section <c>Verifier</c>).</summary>
public sealed class VerifierOptions
{
    public const string Section = "Verifier";

    /// <summary>Largest webhook body accepted; Genesys notifications are a few KiB.</summary>
    [Range(1024, 16 * 1024 * 1024)]
    public int MaxBodyBytes { get; set; } = 128 * 1024;

    [Required]
    public string PubSub { get; set; } = Topics.PubSub;

    [Required]
    public string Topic { get; set; } = Topics.GenesysNotifications;

    [Required]
    public string StateStore { get; set; } = "statestore";

    /// <summary>How long a Genesys id is remembered; Genesys gives up retrying after about 85 s.</summary>
    [Range(typeof(TimeSpan), "00:01:00", "30.00:00:00")]
    public TimeSpan DedupeTtl { get; set; } = TimeSpan.FromHours(24);

    /// <summary>Bound on one publish; with the lookups it must fit in Genesys' 10 s reply window.</summary>
    [Range(typeof(TimeSpan), "00:00:00.050", "00:00:08")]
    public TimeSpan PublishTimeout { get; set; } = TimeSpan.FromSeconds(5);

    /// <summary>Bound on each tenant lookup and dedupe read or write.</summary>
    [Range(typeof(TimeSpan), "00:00:00.050", "00:00:08")]
    public TimeSpan StoreTimeout { get; set; } = TimeSpan.FromSeconds(3);

    /// <summary>Verified webhooks stored and published at once; past this we answer 503 at once.</summary>
    [Range(1, 100_000)]
    public int MaxConcurrentRequests { get; set; } = 64;

    /// <summary>The same for any one tenant, so one tenant's burst leaves permits for the others.</summary>
    [Range(1, 100_000)]
    public int MaxConcurrentRequestsPerTenant { get; set; } = 32;

    /// <summary>
    /// Longest time a body may take to arrive, whole (Genesys sends a few KiB at once): a slower one is answered 408.
    /// Bodies are read before any permit is taken, so slow senders hold a connection, never a permit.
    /// </summary>
    [Range(typeof(TimeSpan), "00:00:00.100", "00:00:08")]
    public TimeSpan BodyReadTimeout { get; set; } = TimeSpan.FromSeconds(3);

    /// <summary>The <c>Retry-After</c> of a 503. Genesys retries 5 s apart whatever we say.</summary>
    /// <summary>
    /// Rejections anyone can cause (unknown tenant, bad signature, slow or invalid body, store failures) are logged
    /// at most this many at once per kind…
    /// </summary>
    [Range(1, 10_000)]
    public int RejectionLogBurst { get; set; } = 10;

    /// <summary>…then one per this interval; the next line written says how many were held back.</summary>
    [Range(typeof(TimeSpan), "00:00:00.001", "01:00:00")]
    public TimeSpan RejectionLogInterval { get; set; } = TimeSpan.FromSeconds(10);

    [Range(1, 120)]
    public int RetryAfterSeconds { get; set; } = 5;
}

using System.ComponentModel.DataAnnotations;

namespace PolyAi.Messaging.Agent.Handoffs;

public sealed class HandoffCallOptions
{
    public const string Section = "Handoff";

    /// <summary>The handoff service's gRPC (HTTP/2) address, e.g. <c>http://handoff:5113</c>.</summary>
    [Required]
    public Uri GrpcAddress { get; set; } = new("http://127.0.0.1:5113");

    /// <summary>Deadline of one call (all its retries included).</summary>
    [Range(typeof(TimeSpan), "00:00:00.100", "00:01:00")]
    public TimeSpan CallTimeout { get; set; } = TimeSpan.FromSeconds(5);

    /// <summary>
    /// Deadline of StartHandoff, which waits for Genesys (and its 429/503 retries); also how long after the request a
    /// start is called again while the handoff service is unreachable (a replica restarting) before it is given up.
    /// </summary>
    [Range(typeof(TimeSpan), "00:00:01", "00:02:00")]
    public TimeSpan StartTimeout { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>Attempts per call on UNAVAILABLE / RESOURCE_EXHAUSTED (every call is idempotent).</summary>
    [Range(1, 5)]
    public int MaxAttempts { get; set; } = 4;

    /// <summary>
    /// How long ForwardMessage is called again (each call with its own <see cref="MaxAttempts"/>) before a live handoff
    /// is given up as failed: the customer is told, the Genesys side ended, and the AI takes over. Longer than a
    /// handoff replica takes to restart (about 3 s here), so a crash is not taken for a failure.
    /// </summary>
    [Range(typeof(TimeSpan), "00:00:00", "00:02:00")]
    public TimeSpan ForwardPatience { get; set; } = TimeSpan.FromSeconds(20);

    /// <summary>Wait between two ForwardMessage (or StartHandoff) calls.</summary>
    [Range(typeof(TimeSpan), "00:00:00", "00:00:10")]
    public TimeSpan ForwardRetryDelay { get; set; } = TimeSpan.FromSeconds(1);

    /// <summary>
    /// Secret (in the Chat secret store) whose <c>token</c> goes with every call as <c>authorization: Bearer …</c>;
    /// the handoff service checks it (its <c>Handoff:RpcTokenSecret</c>, the same secret). Empty: sent without one.
    /// </summary>
    public string RpcTokenSecret { get; set; } = "";
}

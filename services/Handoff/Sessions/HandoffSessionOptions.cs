using System.ComponentModel.DataAnnotations;

namespace PolyAi.Messaging.Handoff.Sessions;

public sealed class HandoffSessionOptions
{
    public const string Section = "HandoffSessions";

    [Required]
    public string StateStore { get; set; } = "statestore";

    /// <summary>Genesys ids remembered per session for idempotency (the verifier dedupes too; this covers redelivery).</summary>
    [Range(10, 100_000)]
    public int MaxProcessedIds { get; set; } = 1000;

    /// <summary>Receipts kept per session, oldest dropped first.</summary>
    [Range(1, 10_000)]
    public int MaxReceipts { get; set; } = 500;

    /// <summary>Read-modify-write attempts on an etag conflict before answering Dapr with a retriable failure.</summary>
    [Range(1, 50)]
    public int MaxSaveAttempts { get; set; } = 8;

    public SessionLimits Limits => new(MaxProcessedIds, MaxReceipts);
}

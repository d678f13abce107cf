using System.ComponentModel.DataAnnotations;

namespace PolyAi.Messaging.Agent.Transcripts;

public sealed class TranscriptOptions
{
    public const string Section = "Transcripts";

    [Required]
    public string StateStore { get; set; } = "statestore";

    /// <summary>
    /// How long an accepted customer message may stay unanswered before a replica that reads the transcript (the
    /// customer's stream, their next message) answers it itself: longer than a slow brain turn, so a healthy replica is
    /// rarely raced (and if it is, only one answer is saved).
    /// </summary>
    [Range(typeof(TimeSpan), "00:00:01", "01:00:00")]
    public TimeSpan RecoverTurnsAfter { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>How often each replica looks at the conversations with a human that had customer messages pending.</summary>
    [Range(typeof(TimeSpan), "00:00:00.050", "01:00:00")]
    public TimeSpan PendingSweepInterval { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>Messages kept per conversation; older ones are dropped so a state value never grows without bound.</summary>
    [Range(1, 10_000)]
    public int MaxMessages { get; set; } = 1000;

    /// <summary>SSE events kept per conversation for <c>Last-Event-ID</c> resumption; older ones are dropped.</summary>
    [Range(10, 10_000)]
    public int MaxEvents { get; set; } = 500;

    /// <summary>Read-modify-write attempts on an etag conflict before answering Dapr with a retriable failure.</summary>
    [Range(1, 50)]
    public int MaxSaveAttempts { get; set; } = 8;
}

using System.Text.Json.Serialization;
using PolyAi.Messaging.Contracts;

namespace PolyAi.Messaging.Agent.Transcripts;

/// <summary>
/// Everything that happened in one customer conversation, stored under <see cref="StateKey"/> and changed only
/// with etags: the transcript (oldest first), the event log the SSE streams replay, the handoff and the counters
/// the brain and the rate limit need. One document, so a message and its event are saved together or not at all.
/// Bounded: only the newest <see cref="TranscriptOptions.MaxMessages"/> messages and <see cref="TranscriptOptions.MaxEvents"/>
/// events are kept.
/// </summary>
/// <param name="ConversationId">The customer's id on the channel (Genesys <c>channel.to.id</c>); for the chat API
/// our conversation id, which the handoff service sends to Genesys as <c>channel.from.id</c>.</param>
public sealed record Transcript(TenantKey Tenant, string ConversationId, IReadOnlyList<TranscriptMessage> Messages)
{
    public static string StateKey(TenantKey tenant, string conversationId) =>
        $"agent/transcripts/{tenant}/{Uri.EscapeDataString(conversationId)}";

    /// <summary><c>null</c> for a transcript of Genesys messages only (no chat conversation), else <see cref="ConversationStatus"/>.</summary>
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public string? Status { get; init; }

    /// <summary>What the SSE streams replay; ids are <see cref="NextEventId"/> at the time of writing, never reused.</summary>
    public IReadOnlyList<ConversationEvent> Events { get; init; } = [];

    public long NextEventId { get; init; } = 1;

    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public HandoffState? Handoff { get; init; }

    /// <summary>Customer turns in a row the brain could not answer.</summary>
    public int UnansweredTurns { get; init; }

    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public MessageBucket? Bucket { get; init; }

    /// <summary>
    /// Customer messages accepted (202) and not yet answered by the AI or forwarded to the human: added in the save that
    /// stores the message, taken off in the save that stores the answer (or after the forward), so a replica that dies
    /// in between leaves them here for another to answer, and an answer is saved once however many try
    /// (<c>ConversationTurns.Recover</c>).
    /// </summary>
    public IReadOnlyList<string> PendingTurns { get; init; } = [];

    /// <summary>Most turns pending at once: a brain that keeps failing must not grow the transcript; the oldest go first.</summary>
    public const int MaxPendingTurns = 100;

    /// <summary>With <paramref name="messageId"/> pending too (the oldest dropped past <see cref="MaxPendingTurns"/>).</summary>
    public Transcript Pending(string messageId) =>
        this with { PendingTurns = [.. PendingTurns.Skip(Math.Max(0, PendingTurns.Count - MaxPendingTurns + 1)), messageId] };

    /// <summary>Without <paramref name="messageId"/> among the pending turns.</summary>
    public Transcript Answered(string messageId) =>
        PendingTurns.Contains(messageId) ? this with { PendingTurns = [.. PendingTurns.Where(id => id != messageId)] } : this;

    /// <summary>Recent <c>handoff-events</c> already applied (status + Genesys conversation id): redeliveries change nothing.</summary>
    public IReadOnlyList<string> AppliedHandoffEvents { get; init; } = [];

    [JsonIgnore]
    public bool IsChat => Status is not null;

    [JsonIgnore]
    public bool IsEnded => Status == ConversationStatus.Ended;

    public bool Contains(string messageId) => Messages.Any(m => m.Id == messageId);

    /// <summary>
    /// Adds <paramref name="message"/> in time order (Genesys does not promise delivery order), then drops the
    /// oldest beyond <paramref name="maxMessages"/> — so a redelivered message older than everything kept stays out.
    /// </summary>
    public Transcript With(TranscriptMessage message, int maxMessages)
    {
        var messages = new List<TranscriptMessage>(Messages.Count + 1);
        messages.AddRange(Messages);
        var index = messages.FindLastIndex(m => m.Time <= message.Time) + 1;
        messages.Insert(index, message);
        if (messages.Count > maxMessages)
        {
            messages.RemoveRange(0, messages.Count - maxMessages);
        }

        return this with { Messages = messages };
    }

    /// <summary>Appends an event for the SSE streams with the next id, dropping the oldest beyond <paramref name="maxEvents"/>.</summary>
    public Transcript WithEvent(string type, string data, DateTimeOffset time, int maxEvents)
    {
        var events = new List<ConversationEvent>(Events.Count + 1);
        events.AddRange(Events);
        events.Add(new ConversationEvent(NextEventId, type, data, time));
        if (events.Count > maxEvents)
        {
            events.RemoveRange(0, events.Count - maxEvents);
        }

        return this with { Events = events, NextEventId = NextEventId + 1 };
    }

    public Transcript WithAppliedHandoffEvent(string key)
    {
        var applied = AppliedHandoffEvents.TakeLast(49).Append(key).ToList();
        return this with { AppliedHandoffEvents = applied };
    }
}

/// <param name="Id">The Genesys message id (receipts refer to it) or our own message id; the idempotency key.</param>
/// <param name="Role">One of <see cref="TranscriptRoles"/>.</param>
/// <param name="Time">Genesys <c>channel.time</c> (else when the webhook arrived), or when we wrote it.</param>
public sealed record TranscriptMessage(
    string Id,
    string Role,
    string Text,
    DateTimeOffset Time,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] string? GenesysConversationId = null);

/// <summary>One SSE event: <paramref name="Id"/> is the SSE id, <paramref name="Data"/> the JSON the client gets.</summary>
public sealed record ConversationEvent(long Id, string Type, string Data, DateTimeOffset Time);

/// <summary>The handoff in progress; <c>null</c> on the transcript when the AI has the conversation.</summary>
/// <param name="StartMessageId">The customer message that asked for the handoff: the key of its idempotent StartHandoff,
/// so a start whose replica died after saving <c>requested</c> is started again (<c>ConversationTurns.Recover</c>).</param>
/// <param name="Summary">The AI's summary for the human, kept for that restart.</param>
/// <param name="QueueId">The queue the brain chose (null: the tenant's default), kept for that restart.</param>
public sealed record HandoffState(
    string Status, DateTimeOffset RequestedAt, string? GenesysConversationId = null, string? Intent = null,
    string? StartMessageId = null, string? Summary = null, string? QueueId = null);

/// <summary>A token bucket for the customer's messages, kept in the document so every replica shares it.</summary>
public sealed record MessageBucket(double Tokens, DateTimeOffset UpdatedAt);

public static class ConversationStatus
{
    public const string Active = "active";
    public const string Ended = "ended";
}

public static class TranscriptRoles
{
    public const string Agent = "agent";
    public const string Bot = "bot";
    public const string Customer = "customer";
    public const string Ai = "ai";
    public const string System = "system";
}

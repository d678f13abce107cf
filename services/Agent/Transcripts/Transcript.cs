using System.Text.Json.Serialization;
using PolyAi.Messaging.ServiceDefaults;

namespace PolyAi.Messaging.Agent.Transcripts;

/// <summary>
/// What was said in one customer conversation, oldest first, stored under <see cref="StateKey"/>.
/// Bounded: only the newest <see cref="TranscriptOptions.MaxMessages"/> messages are kept.
/// </summary>
/// <param name="ConversationId">The customer's id on the channel (Genesys <c>channel.to.id</c>).</param>
public sealed record Transcript(TenantKey Tenant, string ConversationId, IReadOnlyList<TranscriptMessage> Messages)
{
    public static string StateKey(TenantKey tenant, string conversationId) =>
        $"agent/transcripts/{tenant}/{Uri.EscapeDataString(conversationId)}";

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
}

/// <param name="Id">The Genesys message id (receipts refer to it); the idempotency key.</param>
/// <param name="Role"><see cref="TranscriptRoles.Agent"/> or <see cref="TranscriptRoles.Bot"/> (the customer's own
/// messages come with the conversation issue).</param>
/// <param name="Time">Genesys <c>channel.time</c>, else when the webhook arrived.</param>
public sealed record TranscriptMessage(
    string Id,
    string Role,
    string Text,
    DateTimeOffset Time,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] string? GenesysConversationId = null);

public static class TranscriptRoles
{
    public const string Agent = "agent";
    public const string Bot = "bot";
    public const string Customer = "customer";
}

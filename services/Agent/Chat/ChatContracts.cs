using System.Text.Json;
using System.Text.Json.Serialization;
using PolyAi.Messaging.Agent.Conversations;
using PolyAi.Messaging.Agent.Transcripts;
using PolyAi.Messaging.Contracts;

namespace PolyAi.Messaging.Agent.Chat;

public sealed record CreateConversationRequest(CustomerProfile? Customer, string? Locale);

public sealed record CreatedConversation(string ConversationId, string Token);

public sealed record MessageAccepted(string MessageId);

/// <summary>A message as the customer sees it (SSE <c>message</c> data and transcript entries).</summary>
/// <param name="Role"><c>customer</c>, <c>ai</c>, <c>agent</c> or <c>system</c>.</param>
public sealed record ChatMessage(string Id, string Role, string Text, DateTimeOffset Time)
{
    /// <summary>A Genesys bot speaks for the contact center, so the customer sees it as the agent side.</summary>
    public static ChatMessage From(TranscriptMessage message) =>
        new(message.Id, message.Role == TranscriptRoles.Bot ? TranscriptRoles.Agent : message.Role, message.Text, message.Time);
}

public sealed record ChatTranscript(string ConversationId, string Status, IReadOnlyList<ChatMessage> Messages, string? Handoff);

public sealed record TypingData(string Role);

public sealed record HandoffData(string Status);

public static class ChatEventTypes
{
    public const string Message = "message";
    public const string Typing = "typing";
    public const string Handoff = "handoff";
}

/// <summary>Changes to a conversation that the customer sees: each adds its SSE event in the same write.</summary>
public static class ConversationChanges
{
    public static Transcript Say(this Transcript transcript, TranscriptMessage message, TranscriptOptions options) =>
        transcript.With(message, options.MaxMessages)
            .WithEvent(ChatEventTypes.Message, JsonSerializer.Serialize(ChatMessage.From(message), AgentJsonContext.Default.ChatMessage), message.Time, options.MaxEvents);

    public static Transcript ShowTyping(this Transcript transcript, string role, DateTimeOffset time, TranscriptOptions options) =>
        transcript.WithEvent(ChatEventTypes.Typing, JsonSerializer.Serialize(new TypingData(role), AgentJsonContext.Default.TypingData), time, options.MaxEvents);

    public static Transcript ShowHandoff(this Transcript transcript, string status, DateTimeOffset time, TranscriptOptions options) =>
        transcript.WithEvent(ChatEventTypes.Handoff, JsonSerializer.Serialize(new HandoffData(status), AgentJsonContext.Default.HandoffData), time, options.MaxEvents);
}

[JsonSourceGenerationOptions(JsonSerializerDefaults.Web, DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull)]
[JsonSerializable(typeof(CreateConversationRequest))]
[JsonSerializable(typeof(CreatedConversation))]
[JsonSerializable(typeof(MessageAccepted))]
[JsonSerializable(typeof(ChatMessage))]
[JsonSerializable(typeof(ChatTranscript))]
[JsonSerializable(typeof(TypingData))]
[JsonSerializable(typeof(HandoffData))]
[JsonSerializable(typeof(HandoffEvent))]
public sealed partial class AgentJsonContext : JsonSerializerContext;

using System.Text.Json.Serialization;

namespace PolyAi.Messaging.Contracts;

/// <summary>
/// A Genesys Open Messaging outbound notification (agent or bot message, typing event, receipt), as POSTed to
/// our webhook. Enum-like fields stay strings so an unknown value from Genesys never fails parsing.
/// </summary>
public sealed record OutboundNotification
{
    public required string Id { get; init; }
    public required NotificationChannel Channel { get; init; }
    public required string Type { get; init; }
    public string? Text { get; init; }
    public string? Direction { get; init; }
    public string? OriginatingEntity { get; init; }
    public string? ConversationId { get; init; }
    public IReadOnlyList<NotificationContent>? Content { get; init; }
    public IReadOnlyList<NotificationEvent>? Events { get; init; }
    public string? Status { get; init; }
    public IReadOnlyList<ReceiptReason>? Reasons { get; init; }
    public bool? IsFinalReceipt { get; init; }
    public IReadOnlyDictionary<string, string>? Metadata { get; init; }
}

public sealed record NotificationChannel
{
    public string? Id { get; init; }
    public string? Platform { get; init; }
    public string? Type { get; init; }
    public string? MessageId { get; init; }
    public ChannelParty? To { get; init; }
    public ChannelParty? From { get; init; }
    public DateTimeOffset? Time { get; init; }
}

public sealed record ChannelParty
{
    public string? Id { get; init; }
    public string? IdType { get; init; }
    public string? FirstName { get; init; }
    public string? LastName { get; init; }
    public string? Nickname { get; init; }
}

public sealed record NotificationContent
{
    public string? ContentType { get; init; }
    public ContentAttachment? Attachment { get; init; }
    public ContentQuickReply? QuickReply { get; init; }
}

public sealed record ContentAttachment
{
    public string? Id { get; init; }
    public string? MediaType { get; init; }
    public string? Url { get; init; }
    public string? Mime { get; init; }
    public string? Filename { get; init; }
    public long? ContentSizeBytes { get; init; }
}

public sealed record ContentQuickReply
{
    public string? Text { get; init; }
    public string? Payload { get; init; }
    public string? Action { get; init; }
}

public sealed record NotificationEvent
{
    public string? EventType { get; init; }
    public TypingEvent? Typing { get; init; }
}

public sealed record TypingEvent
{
    public string? Type { get; init; }
    public int? Duration { get; init; }
}

public sealed record ReceiptReason
{
    public string? Code { get; init; }
    public string? Message { get; init; }
}

/// <summary>Values Genesys uses in <see cref="OutboundNotification"/>, PascalCase as on the wire.</summary>
public static class NotificationValues
{
    public const string TypeText = "Text";
    public const string TypeStructured = "Structured";
    public const string TypeReceipt = "Receipt";
    public const string TypeEvent = "Event";
    public const string DirectionOutbound = "Outbound";
    public const string EntityHuman = "Human";
    public const string EntityBot = "Bot";
    public const string EventTyping = "Typing";
}

[JsonSourceGenerationOptions(
    PropertyNamingPolicy = JsonKnownNamingPolicy.CamelCase,
    PropertyNameCaseInsensitive = true,
    DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull)]
[JsonSerializable(typeof(OutboundNotification))]
public sealed partial class OpenMessagingJsonContext : JsonSerializerContext;

using System.Text.Json;
using PolyAi.Messaging.Contracts;

namespace PolyAi.Messaging.Genesys.OpenMessaging;

/// <summary>
/// <c>POST …/inbound/open/message</c> body: a customer message into Genesys. Either <see cref="Text"/> or
/// <see cref="Content"/> must be present.
/// </summary>
public sealed record InboundOpenMessage
{
    public required InboundChannel Channel { get; init; }
    public string? Text { get; init; }
    public IReadOnlyList<InboundContent>? Content { get; init; }

    /// <summary>String map only: Genesys answers 400 to a nested object here. Participant data goes in channel metadata.</summary>
    public IReadOnlyDictionary<string, string>? Metadata { get; init; }
}

/// <summary>The channel of an inbound message, event or structured response.</summary>
public sealed record InboundChannel
{
    /// <summary>Our own unique id for the message: a resent message carries the same id, so it is recognisable.</summary>
    public string? MessageId { get; init; }
    public required DateTimeOffset Time { get; init; }
    public required InboundParty From { get; init; }
    public InboundChannelMetadata? Metadata { get; init; }
}

/// <summary>The customer, as Genesys identifies them: the same <see cref="Id"/> joins the same conversation.</summary>
public sealed record InboundParty
{
    public required string Id { get; init; }

    /// <summary><c>Opaque</c>, <c>Email</c> or <c>Phone</c> (<see cref="IdTypes"/>).</summary>
    public string IdType { get; init; } = IdTypes.Opaque;
    public string? FirstName { get; init; }
    public string? LastName { get; init; }
    public string? Nickname { get; init; }
    public string? Email { get; init; }
    public string? Image { get; init; }
}

public static class IdTypes
{
    public const string Opaque = "Opaque";
    public const string Email = "Email";
    public const string Phone = "Phone";
}

/// <summary>
/// <c>channel.metadata</c>. <see cref="CustomAttributes"/> is sent as the raw JSON given (it becomes participant data for
/// Architect); the official .NET SDK's model drops it, which is one reason this client is our own.
/// </summary>
public sealed record InboundChannelMetadata
{
    public JsonElement? CustomAttributes { get; init; }

    /// <summary>Custom attributes from a string map (the usual case: Architect reads strings).</summary>
    public static InboundChannelMetadata FromAttributes(IReadOnlyDictionary<string, string> attributes) =>
        new() { CustomAttributes = JsonSerializer.SerializeToElement(attributes, GenesysJsonContext.Default.IReadOnlyDictionaryStringString) };
}

public sealed record InboundContent
{
    public required InboundAttachment Attachment { get; init; }
}

public sealed record InboundAttachment
{
    /// <summary><c>Image</c>, <c>Video</c>, <c>Audio</c>, <c>File</c> or <c>Link</c>.</summary>
    public required string MediaType { get; init; }
    public required string Url { get; init; }
    public required string Mime { get; init; }
    public string? Id { get; init; }
    public string? Filename { get; init; }
    public string? Text { get; init; }
    public string? Sha256 { get; init; }
}

/// <summary><c>POST …/inbound/open/event</c> body (typing). Honoured only if the messaging setting enables inbound typing.</summary>
public sealed record InboundOpenEvent
{
    public required InboundChannel Channel { get; init; }
    public required IReadOnlyList<InboundEvent> Events { get; init; }

    /// <summary>The customer is typing.</summary>
    public static InboundOpenEvent Typing(InboundParty from, DateTimeOffset time, string? messageId = null) => new()
    {
        Channel = new InboundChannel { From = from, Time = time, MessageId = messageId },
        Events = [new InboundEvent { EventType = NotificationValues.EventTyping }],
    };
}

public sealed record InboundEvent
{
    public required string EventType { get; init; }
}

/// <summary>
/// <c>POST …/inbound/open/receipt</c> body: whether an agent's message reached the customer. <see cref="Id"/> is the
/// Genesys <c>id</c> of the outbound notification; Genesys accepts only <c>Delivered</c> and <c>Failed</c>.
/// </summary>
public sealed record InboundReceipt
{
    public required string Id { get; init; }
    public required InboundReceiptChannel Channel { get; init; }

    /// <summary><see cref="ReceiptStatuses.Delivered"/> or <see cref="ReceiptStatuses.Failed"/>.</summary>
    public required string Status { get; init; }
    public IReadOnlyList<ReceiptReason>? Reasons { get; init; }
    public bool? IsFinalReceipt { get; init; }

    /// <summary>The docs' examples send <c>Outbound</c> (the direction of the message being receipted); optional.</summary>
    public string? Direction { get; init; }
}

public sealed record InboundReceiptChannel
{
    public required InboundParty To { get; init; }
    public required DateTimeOffset Time { get; init; }
    public string? MessageId { get; init; }
}

public static class ReceiptStatuses
{
    public const string Delivered = "Delivered";
    public const string Failed = "Failed";
}

/// <summary><c>POST …/inbound/open/structured/response</c> body: the customer picked a quick reply or button.</summary>
public sealed record InboundStructuredResponse
{
    public required InboundChannel Channel { get; init; }
    public required ButtonResponse ButtonResponse { get; init; }

    /// <summary>The Genesys id of the outbound <c>Structured</c> message being answered.</summary>
    public string? OriginatingMessageId { get; init; }
    public IReadOnlyDictionary<string, string>? Metadata { get; init; }
}

public sealed record ButtonResponse
{
    /// <summary><c>QuickReply</c>, <c>Button</c> or <c>DatePicker</c>.</summary>
    public required string Type { get; init; }
    public required string Text { get; init; }
    public required string Payload { get; init; }
}

/// <summary>
/// What Genesys answers to every inbound call: the normalized message as it stored it. <see cref="ConversationId"/>
/// is present only when <c>prefetchConversationId=true</c> was asked for.
/// </summary>
public sealed record NormalizedMessage
{
    public string? Id { get; init; }
    public NotificationChannel? Channel { get; init; }
    public string? Type { get; init; }
    public string? Text { get; init; }
    public IReadOnlyList<NotificationContent>? Content { get; init; }
    public IReadOnlyList<NotificationEvent>? Events { get; init; }
    public string? Status { get; init; }
    public IReadOnlyList<ReceiptReason>? Reasons { get; init; }
    public bool? IsFinalReceipt { get; init; }
    public string? Direction { get; init; }
    public string? OriginatingEntity { get; init; }
    public IReadOnlyDictionary<string, string>? Metadata { get; init; }
    public string? ConversationId { get; init; }
}

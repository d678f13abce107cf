using System.Text.Json;

namespace PolyAi.Messaging.Contracts;

/// <summary>
/// Decides whether a webhook body is an Open Messaging notification: a JSON object with a non-empty string
/// <c>id</c>, an object <c>channel</c> and a non-empty string <c>type</c>. Everything else is tolerated, so a
/// new Genesys field or type never turns into a rejected (and then lost) webhook — but it must be text
/// (<see cref="UnicodeText"/>): a body no retry can ever deliver is rejected now, not failed later.
/// </summary>
public static class NotificationValidator
{
    public const int MaxIdLength = 256;

    private static readonly JsonDocumentOptions Options = new() { MaxDepth = 64, AllowDuplicateProperties = false };

    /// <returns>The notification id, or <c>null</c> with <paramref name="error"/> saying what is wrong.</returns>
    /// <remarks>
    /// <paramref name="notification"/> reads from <paramref name="body"/>: keep the bytes while it is in use. A property
    /// name twice in one object is refused: which of the two counts would depend on the parser reading it.
    /// </remarks>
    public static string? Validate(ReadOnlyMemory<byte> body, out JsonElement notification, out string? error)
    {
        notification = default;
        if (!System.Text.Unicode.Utf8.IsValid(body.Span))
        {
            error = UnicodeText.InvalidUtf8;
            return null;
        }

        JsonDocument document;
        try
        {
            document = JsonDocument.Parse(body, Options);
        }
        catch (JsonException)
        {
            error = "Body is not one JSON value with each property name once per object.";
            return null;
        }
        catch (InvalidOperationException)
        {
            // The duplicate check unescapes property names and throws on a lone surrogate escape in one (found by
            // ValidatorFuzzTests: it was a 500).
            error = UnicodeText.LoneSurrogate;
            return null;
        }

        var root = document.RootElement;
        if (UnicodeText.HasLoneSurrogate(body.Span, root))
        {
            error = UnicodeText.LoneSurrogate;
            return null;
        }

        if (root.ValueKind != JsonValueKind.Object)
        {
            error = "Body must be a JSON object.";
            return null;
        }

        if (!root.TryGetProperty("id", out var id) || id.ValueKind != JsonValueKind.String
            || id.GetString() is not { Length: > 0 and <= MaxIdLength } idValue)
        {
            error = "Field 'id' must be a non-empty string.";
            return null;
        }

        if (!root.TryGetProperty("channel", out var channel) || channel.ValueKind != JsonValueKind.Object)
        {
            error = "Field 'channel' must be an object.";
            return null;
        }

        if (!root.TryGetProperty("type", out var type) || type.ValueKind != JsonValueKind.String
            || string.IsNullOrEmpty(type.GetString()))
        {
            error = "Field 'type' must be a non-empty string.";
            return null;
        }

        error = null;
        notification = root;
        return idValue;
    }

    /// <summary>Typed view of a validated notification.</summary>
    public static OutboundNotification? Read(JsonElement notification) =>
        notification.Deserialize(OpenMessagingJsonContext.Default.OutboundNotification);
}

using System.Globalization;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using PolyAi.Messaging.DevSidecar.Components;

namespace PolyAi.Messaging.DevSidecar.PubSub;

/// <summary>Builds the CloudEvent envelope daprd wraps a published event in (components-contrib <c>pubsub/envelope.go</c>).</summary>
internal static class CloudEventEnvelope
{
    public const string MediaType = "application/cloudevents+json";
    private const string EventType = "com.dapr.event.sent";
    private const string DefaultSource = "Dapr";
    private const string OverridePrefix = "cloudevent.";
    private static readonly string[] OverridableFields = ["id", "source", "type", "subject", "traceparent", "traceid", "tracestate"];

    public static TopicMessage Create(Publication publication, string publisherAppId, DateTimeOffset now)
    {
        if (IsTrue(publication.Metadata, "rawPayload"))
        {
            return new TopicMessage(publication.Data, IsRawPayload: true, ExpiresAt: null);
        }

        var contentType = string.IsNullOrEmpty(publication.DataContentType) ? "text/plain" : publication.DataContentType;
        var envelope = MediaTypeOf(contentType) == MediaType
            ? FromCallerEnvelope(publication)
            : NewEnvelope(publication, contentType, publisherAppId);

        envelope["topic"] = publication.Topic;
        envelope["pubsubname"] = publication.PubSub;
        var traceParent = Override(publication, "traceparent") ?? publication.TraceParent ?? NewTraceParent();
        envelope["traceparent"] ??= traceParent;
        envelope["traceid"] ??= Override(publication, "traceid") ?? traceParent;
        envelope["tracestate"] ??= publication.TraceState ?? "";
        envelope["time"] ??= Rfc3339(now);
        foreach (var field in OverridableFields)
        {
            if (Override(publication, field) is { } value)
            {
                envelope[field] = value;
            }
        }

        if (publication.Metadata.TryGetValue("ttlInSeconds", out var ttl))
        {
            envelope["expiration"] = Rfc3339(now.AddSeconds(ParseTtl(ttl)));
        }

        return new TopicMessage(Encoding.UTF8.GetBytes(envelope.ToJsonString()), IsRawPayload: false, ExpiresAt(envelope));
    }

    /// <summary>What daprd hands a <c>rawPayload</c> subscription: the broker bytes, base64, in a fresh envelope.</summary>
    public static JsonObject WrapRawPayload(byte[] body, string pubSub, string topic) => new()
    {
        ["id"] = Guid.NewGuid().ToString(),
        ["specversion"] = "1.0",
        ["datacontenttype"] = "application/octet-stream",
        ["source"] = DefaultSource,
        ["type"] = EventType,
        ["topic"] = topic,
        ["pubsubname"] = pubSub,
        ["data_base64"] = Convert.ToBase64String(body),
    };

    public static bool IsTrue(IReadOnlyDictionary<string, string> metadata, string key) =>
        metadata.TryGetValue(key, out var value) && bool.TryParse(value, out var flag) && flag;

    private static JsonObject NewEnvelope(Publication publication, string contentType, string publisherAppId)
    {
        var envelope = new JsonObject
        {
            ["id"] = Guid.NewGuid().ToString(),
            ["specversion"] = "1.0",
            ["datacontenttype"] = contentType,
            ["source"] = publisherAppId,
            ["type"] = EventType,
        };
        var mediaType = MediaTypeOf(contentType);
        if (mediaType == "application/octet-stream")
        {
            envelope["data_base64"] = Convert.ToBase64String(publication.Data);
        }
        else if (publication.Data.Length > 0)
        {
            envelope["data"] = IsJson(mediaType) ? ParseJsonOrString(publication.Data) : Encoding.UTF8.GetString(publication.Data);
        }

        return envelope;
    }

    // The caller sent a whole CloudEvent: keep it, fill in only what is missing.
    private static JsonObject FromCallerEnvelope(Publication publication)
    {
        JsonObject? envelope;
        try
        {
            envelope = JsonNode.Parse(publication.Data) as JsonObject;
        }
        catch (JsonException)
        {
            envelope = null;
        }

        if (envelope is null)
        {
            throw DaprApiException.Internal("ERR_PUBSUB_CLOUD_EVENTS_SER", $"error when publishing to topic {publication.Topic} in pubsub {publication.PubSub}: data is not a CloudEvent JSON object");
        }

        envelope["id"] ??= Guid.NewGuid().ToString();
        envelope["specversion"] ??= "1.0";
        envelope["source"] ??= DefaultSource;
        envelope["type"] ??= EventType;
        return envelope;
    }

    private static DateTimeOffset? ExpiresAt(JsonObject envelope) =>
        envelope["expiration"] is JsonValue value && value.TryGetValue<string>(out var text) &&
        DateTimeOffset.TryParse(text, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out var expiration)
            ? expiration
            : null;

    private static JsonNode? ParseJsonOrString(byte[] data)
    {
        try
        {
            return JsonNode.Parse(data);
        }
        catch (JsonException)
        {
            return Encoding.UTF8.GetString(data);
        }
    }

    private static string? Override(Publication publication, string field) =>
        publication.Metadata.TryGetValue(OverridePrefix + field, out var value) && !string.IsNullOrEmpty(value) ? value : null;

    private static int ParseTtl(string ttl) =>
        int.TryParse(ttl, NumberStyles.Integer, CultureInfo.InvariantCulture, out var seconds) && seconds >= 0
            ? seconds
            : throw DaprApiException.InvalidArgument("ERR_PUBSUB_PUBLISH_MESSAGE", $"ttlInSeconds '{ttl}' is not a non-negative integer");

    private static string MediaTypeOf(string contentType) =>
        MediaTypeHeaderValue.TryParse(contentType, out var parsed) && parsed.MediaType is { } mediaType
            ? mediaType.ToLowerInvariant()
            : contentType.ToLowerInvariant();

    private static bool IsJson(string mediaType) =>
        mediaType == "application/json" || mediaType.EndsWith("+json", StringComparison.Ordinal);

    private static string NewTraceParent() =>
        $"00-{Guid.NewGuid():N}-{Guid.NewGuid().ToString("N")[..16]}-01";

    private static string Rfc3339(DateTimeOffset time) =>
        time.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", CultureInfo.InvariantCulture);
}

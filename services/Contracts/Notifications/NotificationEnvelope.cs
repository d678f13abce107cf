using System.Text.Json;
using System.Text.Json.Serialization;

namespace PolyAi.Messaging.Contracts;

/// <summary>A <see cref="GenesysNotificationReceived"/> taken off the topic, checked and typed.</summary>
public sealed record NotificationEnvelope(TenantKey Tenant, DateTimeOffset ReceivedAt, OutboundNotification Notification)
{
    /// <summary>
    /// Reads the CloudEvent data. A body that can never be processed (not JSON, no valid tenant, no notification,
    /// a notification without id/channel/type) is <c>null</c> with <paramref name="error"/>: the caller drops it
    /// to the dead-letter topic instead of having Dapr retry it forever.
    /// </summary>
    public static async Task<(NotificationEnvelope? Envelope, string? Error)> ReadAsync(Stream body, CancellationToken cancellationToken)
    {
        GenesysNotificationReceived? received;
        try
        {
            received = await JsonSerializer.DeserializeAsync(body, NotificationJsonContext.Default.GenesysNotificationReceived, cancellationToken);
        }
        catch (JsonException e)
        {
            return (null, $"Data is not a GenesysNotificationReceived: {e.Message}");
        }

        if (received is null)
        {
            return (null, "Data is empty.");
        }

        var tenant = received.Tenant;
        if (!TenantKey.TryCreate(tenant.AccountId, tenant.ProjectId, tenant.ClientEnv, out var key))
        {
            return (null, "Data has no valid tenant.");
        }

        if (received.ReceivedAt == default)
        {
            return (null, "Data has no receivedAt.");
        }

        if (received.Notification.ValueKind != JsonValueKind.Object)
        {
            return (null, "Data has no notification object.");
        }

        OutboundNotification? notification;
        try
        {
            notification = NotificationValidator.Read(received.Notification);
        }
        catch (JsonException e)
        {
            return (null, $"Notification cannot be read: {e.Message}");
        }

        // Nullability is not enforced by the serializer: a JSON null channel still needs catching here.
        if (notification is not { Id.Length: > 0, Channel: not null, Type.Length: > 0 })
        {
            return (null, "Notification needs an id, a channel and a type.");
        }

        return (new NotificationEnvelope(key.Value, received.ReceivedAt, notification), null);
    }

    /// <summary>When the notification happened: Genesys' <c>channel.time</c>, else when the webhook arrived.</summary>
    public DateTimeOffset Time => Notification.Channel.Time ?? ReceivedAt;

    /// <summary>A Genesys <c>type</c> as a metric label: known values as-is, anything else "Other".</summary>
    public string TypeLabel => Notification.Type switch
    {
        NotificationValues.TypeText or NotificationValues.TypeStructured
            or NotificationValues.TypeReceipt or NotificationValues.TypeEvent => Notification.Type,
        _ => "Other",
    };
}

[JsonSourceGenerationOptions(JsonSerializerDefaults.Web)]
[JsonSerializable(typeof(GenesysNotificationReceived))]
[JsonSerializable(typeof(TopicAck))]
public sealed partial class NotificationJsonContext : JsonSerializerContext;

using System.Text.Json;

namespace PolyAi.Messaging.Contracts;

/// <summary>
/// What the verifier publishes on <see cref="Topics.GenesysNotifications"/>: a webhook body whose signature was
/// checked, for which tenant, and when it arrived. The CloudEvent id is the Genesys notification id.
/// </summary>
/// <param name="Notification">The Genesys outbound notification exactly as received (unknown fields kept).</param>
public sealed record GenesysNotificationReceived(TenantKey Tenant, DateTimeOffset ReceivedAt, JsonElement Notification);

using System.Text.Json;
using System.Text.Json.Serialization;
using PolyAi.Messaging.Contracts;

namespace PolyAi.Messaging.Verifier.Webhooks;

[JsonSourceGenerationOptions(JsonSerializerDefaults.Web)]
[JsonSerializable(typeof(WebhookAck))]
[JsonSerializable(typeof(GenesysNotificationReceived))]
[JsonSerializable(typeof(DeliveryRecord))]
internal sealed partial class VerifierJsonContext : JsonSerializerContext;

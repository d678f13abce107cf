using System.Text.Json;
using System.Text.Json.Serialization;

namespace PolyAi.Messaging.Verifier.Webhooks;

[JsonSourceGenerationOptions(JsonSerializerDefaults.Web)]
[JsonSerializable(typeof(WebhookAck))]
internal sealed partial class VerifierJsonContext : JsonSerializerContext;

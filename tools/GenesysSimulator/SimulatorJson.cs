using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.Json.Serialization;

namespace PolyAi.Messaging.GenesysSimulator;

// Genesys wire shapes are written as JSON literals (JsonObject) mirroring genesys-facts; the control API uses records.
[JsonSourceGenerationOptions(JsonSerializerDefaults.Web, DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull)]
[JsonSerializable(typeof(JsonObject))]
[JsonSerializable(typeof(JsonArray))]
[JsonSerializable(typeof(JsonNode))]
[JsonSerializable(typeof(AgentScript))]
[JsonSerializable(typeof(SeededOrg))]
[JsonSerializable(typeof(WorldSeed))]
[JsonSerializable(typeof(SeededWorld))]
[JsonSerializable(typeof(FaultRule))]
[JsonSerializable(typeof(WebhookFault))]
[JsonSerializable(typeof(IReadOnlyList<ReceivedItem>))]
[JsonSerializable(typeof(IReadOnlyList<WebhookDelivery>))]
[JsonSerializable(typeof(IReadOnlyList<NotificationChannelInfo>))]
[JsonSerializable(typeof(CountAnswer))]
[JsonSerializable(typeof(IReadOnlyList<ApiCall>))]
[JsonSerializable(typeof(Control.IdAnswer))]
[JsonSerializable(typeof(Control.OnQueueRequest))]
[JsonSerializable(typeof(Control.ReplyRequest))]
internal sealed partial class SimulatorJson : JsonSerializerContext;

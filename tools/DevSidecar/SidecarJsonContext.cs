using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.Json.Serialization;
using PolyAi.Messaging.DevSidecar.Api;
using PolyAi.Messaging.DevSidecar.PubSub;
using PolyAi.Messaging.DevSidecar.State;

namespace PolyAi.Messaging.DevSidecar;

[JsonSourceGenerationOptions(JsonSerializerDefaults.Web, DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull)]
[JsonSerializable(typeof(IReadOnlyList<SubscriptionDeclaration>))]
[JsonSerializable(typeof(JsonObject))]
[JsonSerializable(typeof(JsonArray))]
[JsonSerializable(typeof(MetadataDocument))]
[JsonSerializable(typeof(IReadOnlyList<DeliveryReport>))]
[JsonSerializable(typeof(IReadOnlyList<StateOperationsReport>))]
[JsonSerializable(typeof(ErrorDocument))]
internal sealed partial class SidecarJsonContext : JsonSerializerContext;

using System.Text.Json;
using System.Text.Json.Serialization;

namespace PolyAi.Messaging.Handoff.Notifications;

[JsonSourceGenerationOptions(JsonSerializerDefaults.Web)]
[JsonSerializable(typeof(TopicAck))]
internal sealed partial class HandoffJsonContext : JsonSerializerContext;

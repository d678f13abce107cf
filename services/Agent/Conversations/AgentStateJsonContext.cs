using System.Text.Json;
using System.Text.Json.Serialization;
using PolyAi.Messaging.Agent.Handoffs;
using PolyAi.Messaging.Agent.Transcripts;

namespace PolyAi.Messaging.Agent.Conversations;

/// <summary>What the agent keeps in the state store: conversations, transcripts, their version keys, the pending-forward index.</summary>
[JsonSourceGenerationOptions(JsonSerializerDefaults.Web)]
[JsonSerializable(typeof(ConversationRecord))]
[JsonSerializable(typeof(Transcript))]
[JsonSerializable(typeof(string))]
[JsonSerializable(typeof(PendingForwards))]
internal sealed partial class AgentStateJsonContext : JsonSerializerContext;

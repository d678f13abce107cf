using System.Text.Json;
using System.Text.Json.Serialization;
using PolyAi.Messaging.Agent.Transcripts;

namespace PolyAi.Messaging.Agent.Conversations;

/// <summary>What the agent keeps in the state store: conversations, transcripts and their version keys.</summary>
[JsonSourceGenerationOptions(JsonSerializerDefaults.Web)]
[JsonSerializable(typeof(ConversationRecord))]
[JsonSerializable(typeof(Transcript))]
[JsonSerializable(typeof(string))]
internal sealed partial class AgentStateJsonContext : JsonSerializerContext;

using System.Text.Json;
using System.Text.Json.Serialization;
using PolyAi.Messaging.Handoff.Sessions;

namespace PolyAi.Messaging.Handoff.Handoffs;

/// <summary>What the handoff service keeps in the state store (sessions, links, the open-session index, request budgets).</summary>
[JsonSourceGenerationOptions(JsonSerializerDefaults.Web)]
[JsonSerializable(typeof(HandoffSession))]
[JsonSerializable(typeof(ConversationLink))]
[JsonSerializable(typeof(ActiveSessions))]
[JsonSerializable(typeof(BudgetMinute))]
internal sealed partial class HandoffStateJsonContext : JsonSerializerContext;

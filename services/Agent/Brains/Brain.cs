using PolyAi.Messaging.Agent.Transcripts;

namespace PolyAi.Messaging.Agent.Brains;

/// <summary>What the AI agent makes of the customer's latest message.</summary>
public interface IBrain
{
    Task<BrainReply> ReplyAsync(BrainTurn turn, CancellationToken cancellationToken);
}

/// <param name="History">The transcript so far, oldest first, including <paramref name="Text"/>.</param>
public sealed record BrainTurn(AgentTenant Tenant, IReadOnlyList<TranscriptMessage> History, string Text, int UnansweredTurns)
{
    public AgentDefinition Definition => Tenant.Definition;
}

/// <param name="Text">What the AI says (null when it says nothing before handing over).</param>
/// <param name="Answered">False when the AI did not know: counts towards the unanswered-turns trigger.</param>
/// <param name="Handoff">Set when the conversation should go to a human.</param>
public sealed record BrainReply(string? Text, bool Answered, HandoffDecision? Handoff = null);

/// <param name="Intent">Why, as a short label: <c>explicit-request</c>, <c>unanswered</c>, an intent name, <c>llm</c>.</param>
/// <param name="QueueId">Empty for the tenant's default queue.</param>
public sealed record HandoffDecision(string Intent, string Summary, string? QueueId = null);

/// <summary>Picks the brain a definition asks for.</summary>
public sealed class BrainSelector(DeterministicBrain deterministic, LlmBrain llm)
{
    public IBrain For(AgentDefinition definition) => definition.Llm is null ? deterministic : llm;
}

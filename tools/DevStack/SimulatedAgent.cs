namespace PolyAi.Messaging.DevStack;

/// <summary>A simulated human agent in the Genesys simulator (its control API's <c>AgentScript</c>).</summary>
public sealed record SimulatedAgent
{
    public string? Name { get; init; }
    public bool OnQueue { get; init; } = true;
    public int AcceptDelayMs { get; init; } = 500;
    public int ReplyDelayMs { get; init; } = 1000;
    public bool TypingBeforeReply { get; init; } = true;
    public IReadOnlyList<string> Replies { get; init; } = ["Hi, I'm Sam from the support team. How can I help?", "Thanks, that's sorted for you now. Anything else?"];

    /// <summary>End the conversation after this many replies; null = never.</summary>
    public int? EndAfterMessages { get; init; } = 2;

    /// <summary>A person drives this agent from the simulator's /desktop page.</summary>
    public bool Manual { get; init; }
}

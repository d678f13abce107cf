using System.Diagnostics;
using System.Globalization;

namespace PolyAi.Messaging.ServiceDefaults;

/// <summary>
/// Named places, before and after each durable step of the webhook, chat-turn and handoff paths, where the crash
/// matrix (tests/EndToEnd.Tests/CrashMatrixTests.cs, docs/reliability.md) makes a process die at once, as a crash would:
/// SIGKILL to itself, no shutdown, nothing flushed. Armed only by the environment variable <see cref="Variable"/>
/// (<c>point</c> or <c>point@n</c>: the n-th time the point is reached, default 1) read once at start; nothing
/// remote can arm one, and no deployment sets it. Unarmed, <see cref="Reach"/> is one comparison with null.
/// </summary>
public static class CrashPoints
{
    public const string Variable = "POLYAI_CRASH_AT";

    // Webhook path: Genesys → edge → verifier (dedupe claim, publish, mark) → pub/sub → agent transcript → SSE.

    /// <summary>Edge: a webhook admitted, not yet forwarded to the verifier.</summary>
    public const string EdgeWebhookBeforeForward = "edge.webhook.before-forward";

    /// <summary>Edge: the verifier answered, the answer not yet sent to Genesys.</summary>
    public const string EdgeWebhookBeforeAnswer = "edge.webhook.before-answer";

    /// <summary>Verifier: the dedupe key claimed (pending), nothing published.</summary>
    public const string VerifierAfterClaim = "verifier.webhook.after-claim";

    /// <summary>Verifier: published, the dedupe key not yet marked published, no answer sent.</summary>
    public const string VerifierAfterPublish = "verifier.webhook.after-publish";

    /// <summary>Agent: a notification's message saved in the transcript, the delivery not yet acknowledged.</summary>
    public const string AgentNotificationAfterSave = "agent.notification.after-save";

    // Chat-turn path: customer → edge → agent (pending turn saved, 202) → brain → answer saved, or forward to the human.

    /// <summary>Agent: the customer's message saved as a pending turn, the 202 not yet sent.</summary>
    public const string AgentTurnAfterAccept = "agent.turn.after-accept";

    /// <summary>Agent: a pending turn taken up, the brain not yet asked.</summary>
    public const string AgentTurnBeforeReply = "agent.turn.before-reply";

    /// <summary>Agent: a handoff requested and saved (the turn answered by it), StartHandoff not yet called.</summary>
    public const string AgentHandoffAfterRequest = "agent.handoff.after-request";

    /// <summary>Agent: a message forwarded to the human, its turn not yet marked answered.</summary>
    public const string AgentForwardAfterSend = "agent.forward.after-send";

    // Handoff path: StartHandoff (link, send, one transaction, outbox), lifecycle (claim, outbox), forwards.

    /// <summary>Handoff: the link saved as sending, nothing sent to Genesys.</summary>
    public const string HandoffStartAfterLink = "handoff.start.after-link";

    /// <summary>Handoff: the first message sent to Genesys, nothing recorded.</summary>
    public const string HandoffStartAfterSend = "handoff.start.after-send";

    /// <summary>Handoff: session, link and index written in one transaction, <c>queued</c> still in the outbox.</summary>
    public const string HandoffStartAfterRecord = "handoff.start.after-record";

    /// <summary>Handoff: a lifecycle status claimed into the session's outbox, not yet published.</summary>
    public const string HandoffStatusAfterClaim = "handoff.status.after-claim";

    /// <summary>Handoff: a customer's message sent to Genesys, not yet recorded as forwarded.</summary>
    public const string HandoffForwardAfterSend = "handoff.forward.after-send";

    /// <summary>Every point, for the matrix to check it covers them all.</summary>
    public static readonly IReadOnlyList<string> All =
    [
        EdgeWebhookBeforeForward, EdgeWebhookBeforeAnswer, VerifierAfterClaim, VerifierAfterPublish, AgentNotificationAfterSave,
        AgentTurnAfterAccept, AgentTurnBeforeReply, AgentHandoffAfterRequest, AgentForwardAfterSend,
        HandoffStartAfterLink, HandoffStartAfterSend, HandoffStartAfterRecord, HandoffStatusAfterClaim, HandoffForwardAfterSend,
    ];

    private static readonly Armed? Point = Parse(Environment.GetEnvironmentVariable(Variable));

    private static int _hits;

    /// <summary>Whether any point is armed in this process (to skip even registering a callback on a hot path).</summary>
    public static bool IsArmed => Point is not null;

    /// <summary>Dies here if this is the armed point, reached for the armed time.</summary>
    public static void Reach(string point)
    {
        if (Point is not { } armed || !string.Equals(armed.Name, point, StringComparison.Ordinal)
            || Interlocked.Increment(ref _hits) != armed.At)
        {
            return;
        }

        Console.Error.WriteLine($"crash point {point} reached (time {armed.At}): killing the process");
        using var self = Process.GetCurrentProcess();
        self.Kill();
        Thread.Sleep(Timeout.Infinite); // the signal is on its way: nothing after this point may run
    }

    /// <summary><c>point</c> or <c>point@n</c>; anything else arms nothing.</summary>
    public static (string Name, int At)? ParseSetting(string? value) => Parse(value) is { } armed ? (armed.Name, armed.At) : null;

    private static Armed? Parse(string? value)
    {
        if (string.IsNullOrWhiteSpace(value))
        {
            return null;
        }

        var at = value.IndexOf('@', StringComparison.Ordinal);
        if (at < 0)
        {
            return All.Contains(value) ? new Armed(value, 1) : null;
        }

        var name = value[..at];
        return All.Contains(name) && int.TryParse(value[(at + 1)..], NumberStyles.None, CultureInfo.InvariantCulture, out var n) && n >= 1
            ? new Armed(name, n)
            : null;
    }

    private sealed record Armed(string Name, int At);
}

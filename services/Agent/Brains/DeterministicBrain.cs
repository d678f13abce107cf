using System.Text;
using PolyAi.Messaging.Agent.Transcripts;

namespace PolyAi.Messaging.Agent.Brains;

/// <summary>
/// The embedded default: matches words, no model. In order: an explicit request for a person, an intent that
/// always goes to a human, the best knowledge entry, else the fallback text — and after
/// <see cref="HandoffTriggers.UnansweredTurns"/> unanswered turns in a row, a handoff.
/// </summary>
public sealed class DeterministicBrain : IBrain
{
    public Task<BrainReply> ReplyAsync(BrainTurn turn, CancellationToken cancellationToken) => Task.FromResult(Reply(turn));

    public static BrainReply Reply(BrainTurn turn)
    {
        var definition = turn.Definition;
        var text = Normalize(turn.Text);
        var summary = Summary(turn.History);

        if (definition.Handoff.Phrases.Any(phrase => ContainsPhrase(text, phrase)))
        {
            return new BrainReply(definition.Texts.HandoffRequested, Answered: true, new HandoffDecision("explicit-request", summary, definition.Handoff.QueueId));
        }

        var intent = definition.Handoff.Intents.FirstOrDefault(i => i.Keywords.Any(keyword => ContainsPhrase(text, keyword)));
        if (intent is not null)
        {
            return new BrainReply(
                definition.Texts.HandoffRequested, Answered: true,
                new HandoffDecision(intent.Name, summary, string.IsNullOrEmpty(intent.QueueId) ? definition.Handoff.QueueId : intent.QueueId));
        }

        var best = definition.Knowledge
            .Select(entry => (Entry: entry, Score: Score(entry, text)))
            .Where(match => match.Score > 0)
            .OrderByDescending(match => match.Score)
            .FirstOrDefault();
        if (best.Entry is not null)
        {
            return new BrainReply(best.Entry.Answer, Answered: true);
        }

        var limit = definition.Handoff.UnansweredTurns;
        if (limit > 0 && turn.UnansweredTurns + 1 >= limit)
        {
            return new BrainReply(definition.Texts.HandoffRequested, Answered: false, new HandoffDecision("unanswered", summary, definition.Handoff.QueueId));
        }

        return new BrainReply(definition.Texts.Fallback, Answered: false);
    }

    /// <summary>The customer's recent words, for the human to read before answering.</summary>
    public static string Summary(IReadOnlyList<TranscriptMessage> history)
    {
        var said = history.Where(m => m.Role == TranscriptRoles.Customer).TakeLast(3).Select(m => m.Text);
        var summary = "Customer said: " + string.Join(" / ", said);
        return summary.Length <= 500 ? summary : summary[..497] + "...";
    }

    private static int Score(KnowledgeEntry entry, string text)
    {
        if (entry.Questions.Any(question => Normalize(question) is { Length: > 0 } q && (text.Contains(q, StringComparison.Ordinal) || q == text)))
        {
            return 100;
        }

        return entry.Keywords.Count(keyword => ContainsPhrase(text, keyword));
    }

    private static bool ContainsPhrase(string normalizedText, string phrase)
    {
        var p = Normalize(phrase);
        return p.Length > 0 && $" {normalizedText} ".Contains($" {p} ", StringComparison.Ordinal);
    }

    /// <summary>Lower case, letters and digits only, single spaces.</summary>
    private static string Normalize(string text)
    {
        var builder = new StringBuilder(text.Length);
        var space = true;
        foreach (var c in text)
        {
            if (char.IsLetterOrDigit(c))
            {
                builder.Append(char.ToLowerInvariant(c));
                space = false;
            }
            else if (!space)
            {
                builder.Append(' ');
                space = true;
            }
        }

        return builder.ToString().TrimEnd();
    }
}

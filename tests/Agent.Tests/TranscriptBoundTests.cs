using PolyAi.Messaging.Agent.Transcripts;
using PolyAi.Messaging.Contracts;

namespace PolyAi.Messaging.Agent.Tests;

public sealed class TranscriptBoundTests
{
    private static readonly DateTimeOffset Start = new(2026, 11, 24, 9, 0, 0, TimeSpan.Zero);

    private static TranscriptMessage Message(int second) => new($"m{second}", TranscriptRoles.Agent, $"text {second}", Start.AddSeconds(second));

    [Fact]
    public void Keeps_only_the_newest_messages_beyond_the_bound()
    {
        var transcript = new Transcript(new TenantKey("a", "p", "e"), "user", []);
        for (var second = 0; second < 5; second++)
        {
            transcript = transcript.With(Message(second), maxMessages: 3);
        }

        Assert.Equal(["m2", "m3", "m4"], transcript.Messages.Select(m => m.Id));
    }

    [Fact]
    public void A_redelivered_message_older_than_everything_kept_stays_out_of_a_full_transcript()
    {
        var transcript = new Transcript(new TenantKey("a", "p", "e"), "user", [Message(2), Message(3), Message(4)]);

        Assert.Equal(["m2", "m3", "m4"], transcript.With(Message(0), maxMessages: 3).Messages.Select(m => m.Id));
    }
}

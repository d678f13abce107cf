using PolyAi.Messaging.Agent.Brains;
using PolyAi.Messaging.Agent.Transcripts;
using PolyAi.Messaging.Contracts;

namespace PolyAi.Messaging.Agent.Tests;

public sealed class DeterministicBrainTests
{
    private const string Yaml = """
        name: shop
        greeting: "Welcome to the shop"
        knowledge:
          - questions: ["do you ship abroad"]
            keywords: ["shipping", "abroad"]
            answer: "We ship to the EU and the UK."
        handoff:
          phrases: ["human"]
          unansweredTurns: 3
          queueId: "queue-main"
          intents:
            - name: cancel-contract
              keywords: ["cancel my contract"]
              queueId: "queue-retention"
        texts:
          fallback: "Say again?"
          handoffRequested: "Connecting you."
        """;

    private static readonly AgentDefinition Shop = AgentDefinition.Parse(Yaml);

    private static BrainReply Reply(string text, int unanswered = 0) => DeterministicBrain.Reply(new BrainTurn(
        new AgentTenant(new TenantRecord("a", "p", "e"), Shop),
        [new TranscriptMessage("m1", TranscriptRoles.Customer, text, DateTimeOffset.UnixEpoch)],
        text,
        unanswered));

    [Fact]
    public void Answers_a_question_from_its_knowledge()
    {
        var reply = Reply("Hi, do you ship abroad?");

        Assert.Equal("We ship to the EU and the UK.", reply.Text);
        Assert.True(reply.Answered);
        Assert.Null(reply.Handoff);
    }

    [Fact]
    public void Hands_over_when_the_customer_asks_for_a_human_to_the_definitions_queue()
    {
        var reply = Reply("Can I talk to a HUMAN?");

        Assert.Equal("explicit-request", reply.Handoff?.Intent);
        Assert.Equal("queue-main", reply.Handoff?.QueueId);
        Assert.Equal("Connecting you.", reply.Text);
    }

    [Fact]
    public void Hands_a_listed_intent_to_its_own_queue()
    {
        var reply = Reply("I'd like to cancel my contract");

        Assert.Equal("cancel-contract", reply.Handoff?.Intent);
        Assert.Equal("queue-retention", reply.Handoff?.QueueId);
    }

    [Fact]
    public void Hands_over_after_the_configured_number_of_unanswered_turns_in_a_row()
    {
        var second = Reply("blorp", unanswered: 1);
        var third = Reply("blorp", unanswered: 2);

        Assert.Equal("Say again?", second.Text);
        Assert.False(second.Answered);
        Assert.Null(second.Handoff);
        Assert.Equal("unanswered", third.Handoff?.Intent);
    }

    [Fact]
    public void A_word_inside_another_word_is_not_a_request_for_a_human()
    {
        Assert.Null(Reply("that was inhumane").Handoff);
    }

    [Fact]
    public void The_embedded_default_definition_has_every_text()
    {
        var definition = AgentDefinition.Default;

        Assert.Equal("default", definition.Name);
        Assert.All(
            new[] { definition.Greeting, definition.Texts.NoAgentsAvailable, definition.Texts.AgentJoined, definition.Texts.AgentLeft, definition.Texts.AiResumes },
            text => Assert.False(string.IsNullOrWhiteSpace(text)));
    }

    [Fact]
    public void A_definition_that_is_not_valid_yaml_says_where()
    {
        var error = Assert.Throws<FormatException>(() => AgentDefinition.Parse("greeting: [unclosed"));

        Assert.Contains("line", error.Message, StringComparison.Ordinal);
    }
}

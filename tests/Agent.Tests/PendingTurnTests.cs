using System.Text.Json.Nodes;
using PolyAi.Messaging.Agent.Transcripts;

namespace PolyAi.Messaging.Agent.Tests;

/// <summary>
/// A customer message the agent accepted (202) and did not live to answer: it is pending in the transcript, and the
/// replica the customer's stream reconnects to answers it, once.
/// </summary>
[Collection(AgentCollection.Name)]
public sealed class PendingTurnTests(AgentFixture fixture)
{
    [Fact]
    public async Task A_message_accepted_by_a_replica_that_died_is_answered_once_when_the_customer_reconnects()
    {
        var tenant = await fixture.RegisterTenantAsync();
        var chat = await ChatClient.StartAsync(fixture.Service.Http, tenant);
        var key = Transcript.StateKey(tenant, chat.ConversationId);

        // What a replica that died after its 202 leaves: the message saved and pending, no answer, nothing queued anywhere.
        var transcript = JsonNode.Parse((await fixture.Service.ReadStateAsync(key))!.Value.GetRawText())!.AsObject();
        transcript["messages"]!.AsArray().Add(new JsonObject
        {
            ["id"] = "m-accepted-by-the-dead",
            ["role"] = "customer",
            ["text"] = "when are you open",
            ["time"] = DateTimeOffset.UtcNow.AddMinutes(-5).ToString("O"),
        });
        transcript["pendingTurns"] = new JsonArray("m-accepted-by-the-dead");
        await fixture.Service.Dapr.SaveStateAsync(ServiceUnderTest<Program>.StateStore, key, transcript);

        await using (var stream = await chat.StreamAsync())
        {
            await stream.WaitForMessageAsync("ai", "Monday");
        }

        // A second reconnect finds nothing pending: no second answer.
        await using (var again = await chat.StreamAsync())
        {
            await again.WaitForMessageAsync("ai", "Monday");
        }

        var saved = (await fixture.Service.ReadStateAsync(key))!.Value;
        Assert.Empty(saved.GetProperty("pendingTurns").EnumerateArray());
        Assert.Single(saved.GetProperty("messages").EnumerateArray(), m => m.GetProperty("role").GetString() == "ai" && m.GetProperty("text").GetString()!.Contains("Monday", StringComparison.Ordinal));
    }

    [Fact]
    public async Task A_message_answered_as_usual_is_pending_until_the_save_of_its_answer()
    {
        var tenant = await fixture.RegisterTenantAsync();
        var chat = await ChatClient.StartAsync(fixture.Service.Http, tenant);
        await using var stream = await chat.StreamAsync();
        (await chat.SendAsync("when are you open")).Dispose();
        await stream.WaitForMessageAsync("ai", "Monday");

        // The answer and the end of the pending turn are one save: once the answer shows, nothing is pending.
        var saved = (await fixture.Service.ReadStateAsync(Transcript.StateKey(tenant, chat.ConversationId)))!.Value;
        Assert.Empty(saved.GetProperty("pendingTurns").EnumerateArray());
        Assert.Single(saved.GetProperty("messages").EnumerateArray(), m => m.GetProperty("role").GetString() == "customer");
    }

    [Fact]
    public async Task Pending_turns_are_bounded_and_the_oldest_go_first()
    {
        var tenant = await fixture.RegisterTenantAsync();
        var chat = await ChatClient.StartAsync(fixture.Service.Http, tenant);
        var key = Transcript.StateKey(tenant, chat.ConversationId);
        // As if the brain had failed on a hundred messages in a row.
        var transcript = JsonNode.Parse((await fixture.Service.ReadStateAsync(key))!.Value.GetRawText())!.AsObject();
        transcript["pendingTurns"] = new JsonArray([.. Enumerable.Range(0, Transcript.MaxPendingTurns).Select(i => (JsonNode)JsonValue.Create($"old-{i}"))]);
        await fixture.Service.Dapr.SaveStateAsync(ServiceUnderTest<Program>.StateStore, key, transcript);

        (await chat.SendAsync("when are you open")).Dispose();

        var pending = (await fixture.Service.ReadStateAsync(key))!.Value.GetProperty("pendingTurns").EnumerateArray().Select(p => p.GetString()).ToList();
        Assert.InRange(pending.Count, Transcript.MaxPendingTurns - 1, Transcript.MaxPendingTurns); // the new one may be answered already
        Assert.DoesNotContain("old-0", pending);
        Assert.Contains($"old-{Transcript.MaxPendingTurns - 1}", pending);
    }

    [Fact]
    public async Task A_message_for_the_human_accepted_by_a_replica_that_died_is_forwarded_though_the_customer_is_gone()
    {
        var tenant = await fixture.RegisterTenantAsync();
        var chat = await ChatClient.StartAsync(fixture.Service.Http, tenant);
        var key = Transcript.StateKey(tenant, chat.ConversationId);

        // The conversation is with a human; a replica listed the message for the human and died before forwarding it.
        // The customer closed the page: nothing reads the transcript again.
        var transcript = JsonNode.Parse((await fixture.Service.ReadStateAsync(key))!.Value.GetRawText())!.AsObject();
        transcript["handoff"] = new JsonObject
        {
            ["status"] = "connected",
            ["requestedAt"] = DateTimeOffset.UtcNow.AddMinutes(-6).ToString("O"),
            ["genesysConversationId"] = "genesys-" + chat.ConversationId,
        };
        transcript["messages"]!.AsArray().Add(new JsonObject
        {
            ["id"] = "m-for-the-human",
            ["role"] = "customer",
            ["text"] = "are you still there?",
            ["time"] = DateTimeOffset.UtcNow.AddMinutes(-5).ToString("O"),
        });
        transcript["pendingTurns"] = new JsonArray("m-for-the-human");
        await fixture.Service.Dapr.SaveStateAsync(ServiceUnderTest<Program>.StateStore, key, transcript);
        var index = Handoffs.PendingForwards.ShardKeyOf(tenant, chat.ConversationId);
        var listed = await fixture.Service.Dapr.GetStateAsync<Handoffs.PendingForwards?>(ServiceUnderTest<Program>.StateStore, index);
        await fixture.Service.Dapr.SaveStateAsync(ServiceUnderTest<Program>.StateStore, index,
            new Handoffs.PendingForwards([.. listed?.Conversations ?? [], new Handoffs.PendingForward(tenant, chat.ConversationId, DateTimeOffset.UtcNow.AddMinutes(-5), 1)]));

        await Eventually.UntilSeen(
            () => fixture.Handoff.CallsOf<Handoff.V1.ForwardMessageRequest>(c => c.MessageId == "m-for-the-human").Count(),
            n => n >= 1, "the forward of the pending message");
        var settled = await Eventually.Until(
            () => fixture.Service.Dapr.GetStateAsync<Handoffs.PendingForwards?>(ServiceUnderTest<Program>.StateStore, index),
            shard => shard is not null && !shard.Conversations.Any(c => c.ConversationId == chat.ConversationId),
            "the conversation off the pending-forward list");

        var saved = (await fixture.Service.ReadStateAsync(key))!.Value;
        Assert.Empty(saved.GetProperty("pendingTurns").EnumerateArray());
        Assert.Single(saved.GetProperty("messages").EnumerateArray(), m => m.GetProperty("role").GetString() == "ai"); // the greeting: the human answers, not the AI
        Assert.Single(fixture.Handoff.CallsOf<Handoff.V1.ForwardMessageRequest>(c => c.MessageId == "m-for-the-human"));
        Assert.NotNull(settled);
    }
}

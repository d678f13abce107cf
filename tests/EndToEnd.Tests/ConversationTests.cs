using System.Net;
using System.Text.Json;

namespace PolyAi.Messaging.EndToEnd.Tests;

/// <summary>The product's story: a customer talks to the AI, asks for a human, gets one in Genesys, and back.</summary>
[Collection(StackCollection.Name)]
public sealed class ConversationTests(StackFixture stack)
{
    [Fact]
    public async Task Customer_gets_ai_answers_then_a_human_then_the_ai_again()
    {
        await using var chat = await ChatSession.StartAsync(stack.Stack.EdgeUrl, stack.Demo.Key.ToString());

        await chat.SendAsync("Hello, what are your opening hours?");
        await chat.WaitForMessageAsync("ai");

        await chat.SendAsync("I want to talk to a human");
        await chat.WaitForHandoffAsync("requested");
        await chat.WaitForHandoffAsync("queued");
        await chat.WaitForHandoffAsync("connected");
        var first = await chat.WaitForMessageAsync("agent");
        Assert.Equal(StackFixture.AgentReplies[0], first.Data.GetProperty("text").GetString());

        await chat.SendAsync("My order 1234 never arrived");
        await chat.WaitForMessageAsync("agent", text => text == StackFixture.AgentReplies[1]);

        // The scripted agent ends after its second reply: the AI takes over again and says so.
        var ended = await chat.WaitForHandoffAsync("ended");
        await chat.WaitForAsync(
            e => e.Type == "message" && e.Data.GetProperty("role").GetString() is "ai" or "system" && chat.IndexOf(e) > chat.IndexOf(ended),
            "a message after the agent left");
        await chat.SendAsync("Thanks! What are your opening hours again?");
        await Eventually.Until(
            () => Task.FromResult(chat.Messages("ai").Count()), n => n >= 2, TimeSpan.FromSeconds(20), n => $"{n} ai messages");

        // Genesys saw the customer's two messages for the human, and nothing twice.
        var received = await stack.Simulator.ReceivedMessagesAsync(stack.Demo.Genesys.IntegrationId);
        var mine = received.Where(r => r.GetRawText().Contains(chat.ConversationId, StringComparison.Ordinal)).ToList();
        Assert.Equal(2, mine.Count);
        var transcript = await chat.TranscriptAsync();
        Assert.Equal(2, transcript.Count(m => m.GetProperty("role").GetString() == "agent"));
    }

    [Fact]
    public async Task With_no_agent_on_queue_the_customer_is_told_and_no_genesys_conversation_is_created()
    {
        var tenant = stack.NoAgents;
        await using var chat = await ChatSession.StartAsync(stack.Stack.EdgeUrl, tenant.Key.ToString());

        await chat.SendAsync("Can I speak to a human please?");

        await chat.WaitForHandoffAsync("unavailable");
        await chat.WaitForAsync(e => e.Type == "message" && e.Data.GetProperty("role").GetString() is "ai" or "system", "an explanation");
        Assert.DoesNotContain("queued", chat.HandoffStatuses);
        Assert.Empty(await stack.Simulator.ConversationsOfAsync(chat.ConversationId));
        Assert.Empty(await stack.Simulator.ReceivedMessagesAsync(tenant.Genesys.IntegrationId));
    }

    [Fact]
    public async Task Customer_ending_while_connected_disconnects_the_genesys_conversation()
    {
        var tenant = stack.Patient;
        await using var chat = await ChatSession.StartAsync(stack.Stack.EdgeUrl, tenant.Key.ToString());
        await chat.SendAsync("human please");
        await chat.WaitForHandoffAsync("connected");
        await chat.WaitForMessageAsync("agent");

        await chat.EndAsync();

        await Eventually.Until(
            () => stack.Simulator.ConversationsOfAsync(chat.ConversationId),
            cs => cs.Count == 1 && IsDisconnected(cs[0]),
            TimeSpan.FromSeconds(20),
            cs => string.Join("\n", cs.Select(c => c.GetRawText())));
    }

    [Fact]
    public async Task Genesys_429_and_503_during_handoff_still_connect_and_send_nothing_twice()
    {
        var tenant = stack.Faulty;
        var inbound = $"/{tenant.Genesys.IntegrationId}/inbound/open/message$";
        await stack.Simulator.FaultAsync("POST", inbound, 429, times: 1, retryAfterSeconds: 1);
        await stack.Simulator.FaultAsync("POST", inbound, 503, times: 1);
        await using var chat = await ChatSession.StartAsync(stack.Stack.EdgeUrl, tenant.Key.ToString());

        await chat.SendAsync("I need a human");

        await chat.WaitForHandoffAsync("connected");
        await chat.WaitForMessageAsync("agent");
        var received = await stack.Simulator.ReceivedMessagesAsync(tenant.Genesys.IntegrationId);
        Assert.Single(received, r => r.GetRawText().Contains(chat.ConversationId, StringComparison.Ordinal));
        Assert.DoesNotContain("failed", chat.HandoffStatuses);
    }

    [Fact]
    public async Task Duplicate_and_out_of_order_webhooks_show_each_human_message_once_in_genesys_time_order()
    {
        await using var chat = await ChatSession.StartAsync(stack.Stack.EdgeUrl, stack.Demo.Key.ToString());
        var early = WebhookPipelineTests.NewId();
        var late = WebhookPipelineTests.NewId();
        var lateBody = Body(late, chat.ConversationId, "second", "2026-11-25T10:00:02.000Z");
        var earlyBody = Body(early, chat.ConversationId, "first", "2026-11-25T10:00:01.000Z");

        foreach (var body in new[] { lateBody, earlyBody, lateBody, earlyBody })
        {
            using var response = await stack.SendAsync(stack.Demo, body);
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        }

        var agentMessages = await Eventually.Until(
            async () => (await chat.TranscriptAsync()).Where(m => m.GetProperty("role").GetString() == "agent").ToList(),
            m => m.Count >= 2,
            TimeSpan.FromSeconds(20),
            m => $"{m.Count} agent messages");
        Assert.Equal(["first", "second"], agentMessages.Select(m => m.GetProperty("text").GetString()));
        await chat.WaitForMessageAsync("agent", t => t == "first");
        Assert.Equal(2, chat.Messages("agent").Count());
    }

    private static string Body(string id, string conversationId, string text, string time) =>
        GenesysWebhook.TextBody(id, conversationId, text).Replace("2026-11-25T10:00:00.000Z", time, StringComparison.Ordinal);

    private static bool IsDisconnected(JsonElement conversation) =>
        conversation.GetRawText().Contains("\"disconnected\"", StringComparison.Ordinal)
        && !conversation.GetProperty("participants").EnumerateArray().Any(p => p.GetProperty("state").GetString() == "connected");
}

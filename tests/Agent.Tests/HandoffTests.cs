using System.Net;
using PolyAi.Messaging.Agent.Transcripts;
using PolyAi.Messaging.Contracts;
using PolyAi.Messaging.Handoff.V1;
using PolyAi.Messaging.Testing;
using static PolyAi.Messaging.Testing.GenesysNotifications;

namespace PolyAi.Messaging.Agent.Tests;

/// <summary>The agent's half of the handoff, against a fake handoff gRPC server and the real sidecar's topics.</summary>
[Collection(AgentCollection.Name)]
public sealed class HandoffTests(AgentFixture fixture)
{
    private readonly ServiceUnderTest<Program> _service = fixture.Service;
    private readonly FakeHandoff _handoff = fixture.Handoff;

    private Task PublishHandoffEventAsync(TenantKey tenant, string conversationId, string status) =>
        _service.Publisher.PublishEventAsync(
            Topics.PubSub, Topics.HandoffEvents,
            new HandoffEvent(tenant, conversationId, status, DateTimeOffset.UtcNow, "genesys-" + conversationId),
            new Dictionary<string, string> { ["cloudevent.id"] = $"{conversationId}:{status}:genesys-{conversationId}" });

    private async Task<(TenantKey Tenant, ChatClient Chat, EventStream Stream)> QueuedAsync()
    {
        var tenant = await fixture.RegisterTenantAsync();
        var chat = await ChatClient.StartAsync(_service.Http, tenant);
        var stream = await chat.StreamAsync();
        (await chat.SendAsync("I want to talk to a human please")).Dispose();
        await stream.WaitForAsync("handoff", e => e.Get("status") == "queued");
        return (tenant, chat, stream);
    }

    private async Task<(TenantKey Tenant, ChatClient Chat, EventStream Stream)> ConnectedAsync()
    {
        var (tenant, chat, stream) = await QueuedAsync();
        await PublishHandoffEventAsync(tenant, chat.ConversationId, HandoffStatus.Connected);
        await stream.WaitForAsync("handoff", e => e.Get("status") == "connected");
        return (tenant, chat, stream);
    }

    [Fact]
    public async Task Asking_for_a_human_requests_then_queues_a_handoff_with_the_customer_and_the_ai_context()
    {
        var (_, chat, stream) = await QueuedAsync();
        await using var _ = stream;

        var requested = await stream.WaitForAsync("handoff", e => e.Get("status") == "requested");
        var queued = await stream.WaitForAsync("handoff", e => e.Get("status") == "queued");
        Assert.True(requested.Id < queued.Id);
        var start = Assert.Single(_handoff.CallsOf<StartHandoffRequest>(r => r.ConversationId == chat.ConversationId));
        Assert.Equal("Ada", start.Customer.FirstName);
        Assert.Equal("ada@example.com", start.Customer.Email);
        Assert.Equal("I want to talk to a human please", start.Text);
        Assert.Equal("explicit-request", start.Intent);
        Assert.Contains("human please", start.Summary, StringComparison.Ordinal);
        Assert.Contains(chat.ConversationId, start.TranscriptUrl, StringComparison.Ordinal);
        Assert.Equal("en-GB", start.Locale);
        Assert.Single(_handoff.CallsOf<CheckAvailabilityRequest>(r => r.Tenant.AccountId == start.Tenant.AccountId));
    }

    [Fact]
    public async Task Every_call_to_the_handoff_service_carries_the_shared_token_read_from_the_secret_store()
    {
        var (_, chat, stream) = await QueuedAsync();
        await using var _ = stream;

        // The fake refuses a call without it (UNAUTHENTICATED), so queued at all means the token went with each call.
        Assert.NotEmpty(_handoff.CallsOf<StartHandoffRequest>(r => r.ConversationId == chat.ConversationId));
        Assert.All(_handoff.Authorizations, a => Assert.Equal("Bearer " + TestComponents.HandoffRpcToken, a));
    }

    [Fact]
    public async Task With_nobody_on_queue_the_customer_is_told_and_no_handoff_is_started()
    {
        var tenant = await fixture.RegisterTenantAsync();
        _handoff.Unavailable[tenant.AccountId] = true;
        var chat = await ChatClient.StartAsync(_service.Http, tenant);
        await using var stream = await chat.StreamAsync();

        (await chat.SendAsync("agent")).Dispose();

        await stream.WaitForAsync("handoff", e => e.Get("status") == "unavailable");
        await stream.WaitForMessageAsync("ai", "no one is available");
        Assert.Empty(_handoff.CallsOf<StartHandoffRequest>(r => r.ConversationId == chat.ConversationId));

        (await chat.SendAsync("when are you open?")).Dispose();
        await stream.WaitForMessageAsync("ai", "Monday to Friday");
    }

    [Fact]
    public async Task The_whole_handoff_connected_human_messages_typing_forwarding_and_the_ai_resuming()
    {
        var (tenant, chat, stream) = await QueuedAsync();
        await using var _ = stream;

        await PublishHandoffEventAsync(tenant, chat.ConversationId, HandoffStatus.Connected);
        await stream.WaitForAsync("handoff", e => e.Get("status") == "connected");
        await stream.WaitForMessageAsync("system", "joined");

        var later = DateTimeOffset.UtcNow;
        var second = NewId();
        var first = NewId();
        await _service.PublishAsync(tenant, Text(second, chat.ConversationId, "second words", time: later.AddSeconds(2)));
        await _service.PublishAsync(tenant, Text(first, chat.ConversationId, "first words", time: later.AddSeconds(1)));
        await _service.PublishAsync(tenant, Text(first, chat.ConversationId, "first words", time: later.AddSeconds(1)));
        await _service.PublishAsync(tenant, Typing(NewId(), chat.ConversationId));
        await stream.WaitForMessageAsync("agent", "first words");
        await stream.WaitForMessageAsync("agent", "second words");
        await stream.WaitForAsync("typing", e => e.Get("role") == "agent");
        await Eventually.UntilSeen(
            () => _handoff.CallsOf<ReportDeliveryRequest>(r => r.ConversationId == chat.ConversationId && r.Delivered).Select(r => r.GenesysMessageId).Distinct().Count(),
            n => n == 2, "Delivered receipts for both human messages");
        Assert.Single(stream.Events, e => e.Type == "message" && e.Get("text") == "first words");
        var agentLines = (await chat.TranscriptAsync()).Where(m => m.GetProperty("role").GetString() == "agent").Select(m => m.GetProperty("text").GetString());
        Assert.Equal(["first words", "second words"], agentLines);

        (await chat.SendAsync("thanks, and one more thing")).Dispose();
        (await chat.PostAsync("typing")).Dispose();
        await Eventually.UntilSeen(
            () => _handoff.CallsOf<ForwardMessageRequest>(r => r.ConversationId == chat.ConversationId).ToList(), c => c.Count == 1, "the forwarded message");
        await Eventually.UntilSeen(
            () => _handoff.CallsOf<ForwardTypingRequest>(r => r.ConversationId == chat.ConversationId).Count(), n => n >= 1, "forwarded typing");
        Assert.DoesNotContain(stream.Events, e => e.Get("text") == "Sorry, I don't know that one yet. Could you put it another way?");

        await PublishHandoffEventAsync(tenant, chat.ConversationId, HandoffStatus.Ended);
        await PublishHandoffEventAsync(tenant, chat.ConversationId, HandoffStatus.Ended);
        await stream.WaitForAsync("handoff", e => e.Get("status") == "ended");
        await stream.WaitForMessageAsync("system", "left");
        await stream.WaitForMessageAsync("ai", "I'm back");
        (await chat.SendAsync("when are you open")).Dispose();
        await stream.WaitForMessageAsync("ai", "Monday to Friday");
        Assert.Single(stream.Events, e => e.Type == "handoff" && e.Get("status") == "ended");
    }

    [Fact]
    public async Task A_forward_that_fails_for_a_moment_is_retried_and_the_human_keeps_the_conversation()
    {
        var (_, chat, stream) = await ConnectedAsync();
        await using var _ = stream;
        _handoff.ForwardFailures[chat.ConversationId] = 5; // more than one call's own gRPC retries

        (await chat.SendAsync("are you still there?")).Dispose();

        await Eventually.UntilSeen(
            () => _handoff.CallsOf<ForwardMessageRequest>(r => r.ConversationId == chat.ConversationId).Count(), n => n == 6, "the forward, retried until it got through");
        (await chat.SendAsync("hello again")).Dispose();
        await Eventually.UntilSeen(
            () => _handoff.CallsOf<ForwardMessageRequest>(r => r.ConversationId == chat.ConversationId && r.Text == "hello again").Count(), n => n == 1, "the next message forwarded too");
        Assert.DoesNotContain(stream.Events, e => e.Type == "handoff" && e.Get("status") is "failed" or "ended");
        Assert.DoesNotContain(stream.Events, e => e.Type == "message" && e.Get("role") == "ai" && e.Id > stream.Events.First(h => h.Get("status") == "connected").Id);
        Assert.Empty(_handoff.CallsOf<EndHandoffRequest>(r => r.ConversationId == chat.ConversationId));
    }

    [Fact]
    public async Task Forwards_that_hang_hold_up_only_their_own_conversations()
    {
        // Enough hung conversations to have covered any fixed set of lanes (with 8 lanes: all of them but for a
        // chance of 8 × (7/8)^40 ≈ 0.4 %), so the conversation below would have waited behind one of them.
        const int hung = 40;
        var connected = await Task.WhenAll(Enumerable.Range(0, hung).Select(_ => ConnectedAsync()));
        try
        {
            var begunBefore = _handoff.HungForwardsBegun;
            var endedBefore = _handoff.HungForwardsEnded;
            foreach (var (_, chat, _) in connected)
            {
                _handoff.ForwardHangs[chat.ConversationId] = true;
            }

            await Task.WhenAll(connected.Select(async c => (await c.Chat.SendAsync("are you still there?")).Dispose()));
            await Eventually.UntilSeen(() => _handoff.HungForwardsBegun - begunBefore, n => n == hung, "every forward hanging");

            var tenant = await fixture.RegisterTenantAsync();
            var other = await ChatClient.StartAsync(_service.Http, tenant);
            await using var stream = await other.StreamAsync();
            (await other.SendAsync("when are you open")).Dispose();
            await stream.WaitForMessageAsync("ai", "Monday to Friday");

            // Answered while every hung forward was still waiting for its deadline.
            Assert.Equal(endedBefore, _handoff.HungForwardsEnded);
        }
        finally
        {
            foreach (var (_, chat, stream) in connected)
            {
                _handoff.ForwardHangs.TryRemove(chat.ConversationId, out _);
                await stream.DisposeAsync();
            }
        }
    }

    [Fact]
    public async Task A_forward_that_keeps_failing_ends_the_handoff_in_the_open_and_the_ai_takes_the_next_message()
    {
        var (_, chat, stream) = await ConnectedAsync();
        await using var _ = stream;
        _handoff.ForwardFailures[chat.ConversationId] = 1000;

        (await chat.SendAsync("are you still there?")).Dispose();

        await stream.WaitForAsync("handoff", e => e.Get("status") == "failed");
        await stream.WaitForMessageAsync("ai", "couldn't reach a colleague");
        await Eventually.UntilSeen(
            () => _handoff.CallsOf<EndHandoffRequest>(r => r.ConversationId == chat.ConversationId).Count(), n => n == 1, "the Genesys side ended");
        (await chat.SendAsync("when are you open")).Dispose();
        await stream.WaitForMessageAsync("ai", "Monday to Friday");
        Assert.Single(stream.Events, e => e.Type == "message" && e.Get("role") == "ai" && e.Get("text")!.Contains("couldn't reach", StringComparison.Ordinal));
        Assert.DoesNotContain(stream.Events, e => e.Type == "message" && e.Get("role") == "ai" && e.Get("text")!.Contains("don't know", StringComparison.Ordinal));
    }

    [Fact]
    public async Task A_handoff_the_handoff_service_no_longer_knows_ends_visibly_and_the_ai_answers()
    {
        var (_, chat, stream) = await ConnectedAsync();
        await using var _ = stream;
        _handoff.Forgotten[chat.ConversationId] = true;

        (await chat.SendAsync("when are you open")).Dispose();

        await stream.WaitForAsync("handoff", e => e.Get("status") == "ended");
        await stream.WaitForMessageAsync("ai", "I'm back");
        await stream.WaitForMessageAsync("ai", "Monday to Friday");
    }

    [Fact]
    public async Task A_customer_who_ends_the_conversation_ends_the_handoff_and_later_human_messages_fail_as_customer_gone()
    {
        var (tenant, chat, stream) = await QueuedAsync();
        await using var _ = stream;

        using var ended = await chat.PostAsync("end");
        var late = NewId();
        await _service.PublishAsync(tenant, Text(late, chat.ConversationId, "are you still there?"));

        Assert.Equal(HttpStatusCode.NoContent, ended.StatusCode);
        Assert.Single(_handoff.CallsOf<EndHandoffRequest>(r => r.ConversationId == chat.ConversationId && r.Reason == "customer-ended"));
        var failed = await Eventually.UntilSeen(
            () => _handoff.CallsOf<ReportDeliveryRequest>(r => r.GenesysMessageId == late).FirstOrDefault(), r => r is not null, "a Failed receipt");
        Assert.False(failed!.Delivered);
        Assert.Equal("customer-gone", failed.Reason);
        Assert.DoesNotContain(stream.Events, e => e.Get("text") == "are you still there?");
        using var afterEnd = await chat.SendAsync("hello?");
        Assert.Equal(HttpStatusCode.Conflict, afterEnd.StatusCode);
    }
}

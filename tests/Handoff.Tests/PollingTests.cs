using Google.Protobuf.WellKnownTypes;
using PolyAi.Messaging.Contracts;
using PolyAi.Messaging.GenesysSimulator;
using PolyAi.Messaging.Handoff.V1;
using PolyAi.Messaging.Testing;

namespace PolyAi.Messaging.Handoff.Tests;

/// <summary>With the notifications channel off, polling GET conversation alone follows the handoff.</summary>
[Collection(PollingCollection.Name)]
public sealed class PollingTests(PollingFixture fixture)
{
    [Fact]
    public async Task Polling_alone_sees_the_agent_connect_and_end()
    {
        var world = await fixture.NewWorldAsync(new AgentScript { Manual = true });
        var conversationId = "conv-" + Guid.NewGuid().ToString("N")[..12];
        var start = await fixture.Handoff.StartHandoffAsync(new StartHandoffRequest
        {
            Tenant = world.Proto, ConversationId = conversationId, MessageId = "m1", Text = "A person, please",
            Time = Timestamp.FromDateTimeOffset(DateTimeOffset.UtcNow),
        });
        var genesysId = start.GenesysConversationId;

        Assert.True(fixture.Genesys.Control.Accept(genesysId));
        await fixture.EventuallyPublishedAsync(conversationId, HandoffStatus.Connected);
        Assert.True(fixture.Genesys.Control.End(genesysId));
        var events = await fixture.EventuallyPublishedAsync(conversationId, HandoffStatus.Ended);

        Assert.Equal([HandoffStatus.Queued, HandoffStatus.Connected, HandoffStatus.Ended], events.Select(GenesysSideFixture.StatusOf));
        var session = await fixture.ReadStateAsync(HandoffFixture.SessionKey(world.Tenant, genesysId));
        Assert.Equal("poll", session!.Value.GetProperty("endDetectedBy").GetString());
        // The end is published first, then the session leaves the active list (HandoffLifecycle.EndedAsync).
        var active = await Eventually.Until(
            () => fixture.ReadStateAsync(Handoffs.ActiveSessions.ShardKeyOf(world.Tenant, genesysId)),
            a => !a!.Value.GetProperty("sessions").EnumerateArray().Any(s => s.GetProperty("genesysConversationId").GetString() == genesysId),
            "the session off the active list");
        Assert.DoesNotContain(active!.Value.GetProperty("sessions").EnumerateArray(), s => s.GetProperty("genesysConversationId").GetString() == genesysId);
    }

    [Fact]
    public async Task A_scripted_agent_that_takes_the_conversation_before_anything_watches_it_is_seen_connecting_by_the_queue_sweep()
    {
        // StartHandoff does not look at the new conversation (one Genesys request per start saved): an agent who took
        // it before the notification subscription existed shows in the poller's next sweep, with notifications or not.
        var world = await fixture.NewWorldAsync(new AgentScript { Replies = ["Hello!"] });
        var conversationId = "conv-" + Guid.NewGuid().ToString("N")[..12];

        var response = await fixture.Handoff.StartHandoffAsync(new StartHandoffRequest
        {
            Tenant = world.Proto, ConversationId = conversationId, MessageId = "m1", Text = "A person, please",
            Time = Timestamp.FromDateTimeOffset(DateTimeOffset.UtcNow),
        });

        Assert.Equal(StartHandoffResponse.Types.Outcome.Started, response.Outcome);
        var events = await fixture.EventuallyPublishedAsync(conversationId, HandoffStatus.Connected);
        Assert.Single(events, e => GenesysSideFixture.StatusOf(e) == HandoffStatus.Connected);
    }

    [Fact]
    public async Task Polling_reads_one_queue_observation_per_round_and_a_conversation_only_when_it_left_the_queue()
    {
        var world = await fixture.NewWorldAsync(new AgentScript { Manual = true });
        var firstMinute = DateTimeOffset.UtcNow.ToUnixTimeSeconds() / 60;
        var genesysIds = new List<string>();
        for (var i = 0; i < 20; i++)
        {
            var start = await fixture.Handoff.StartHandoffAsync(new StartHandoffRequest
            {
                Tenant = world.Proto, ConversationId = $"conv-{Guid.NewGuid():N}"[..17], MessageId = "m1", Text = "A person, please",
                Time = Timestamp.FromDateTimeOffset(DateTimeOffset.UtcNow),
            });
            genesysIds.Add(start.GenesysConversationId);
        }

        // Wait until every conversation is readable and one sweep has run since: from then on nothing changes.
        var readableAt = DateTimeOffset.UtcNow + GenesysSideFixture.ReadableDelay;
        var calls = fixture.Genesys.Control;
        await Eventually.Until(
            () => Task.FromResult(calls.ApiCalls(world.Genesys.ClientId).Count(c => c.Path.EndsWith("/observations/query", StringComparison.Ordinal) && c.At > readableAt + TimeSpan.FromSeconds(1))),
            n => n >= 1,
            "a queue sweep after the conversations became readable");
        var quiet = calls.ApiCalls(world.Genesys.ClientId).Count;
        await Eventually.Until(
            () => Task.FromResult(calls.ApiCalls(world.Genesys.ClientId).Skip(quiet).Count(c => c.Path.EndsWith("/observations/query", StringComparison.Ordinal))),
            n => n >= 5,
            "five more queue sweeps");

        var during = calls.ApiCalls(world.Genesys.ClientId).Skip(quiet).ToList();
        Assert.DoesNotContain(during, c => c.Method == "GET" && c.Path.StartsWith("/api/v2/conversations/messages/", StringComparison.Ordinal));

        // One conversation ends: only it is read, and its end is published.
        var ended = genesysIds[7];
        var before = calls.ApiCalls(world.Genesys.ClientId).Count;
        Assert.True(calls.End(ended));
        await Eventually.Until(
            async () => (await fixture.ReadStateAsync(HandoffFixture.SessionKey(world.Tenant, ended)))?.GetProperty("status").GetString(),
            status => status == HandoffStatus.Ended,
            "the ended conversation's session");
        var reads = calls.ApiCalls(world.Genesys.ClientId).Skip(before)
            .Where(c => c.Method == "GET" && c.Path.StartsWith("/api/v2/conversations/messages/", StringComparison.Ordinal)).ToList();
        Assert.All(reads, c => Assert.Equal($"/api/v2/conversations/messages/{ended}", c.Path));
        Assert.NotEmpty(reads);

        // Every one of those calls was charged to the tenant's shared budget (leases are taken before calls are made).
        var taken = 0;
        for (var minute = firstMinute; minute <= DateTimeOffset.UtcNow.ToUnixTimeSeconds() / 60; minute++)
        {
            var key = $"handoff/budget/{Uri.EscapeDataString($"{fixture.Genesys.BaseUrl.Authority}|{world.Genesys.ClientId}")}/{minute}";
            taken += (await fixture.ReadStateAsync(key))?.GetProperty("taken").GetInt32() ?? 0;
        }

        Assert.InRange(calls.ApiCalls(world.Genesys.ClientId).Count, 1, taken);
    }
}

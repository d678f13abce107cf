using Google.Protobuf.WellKnownTypes;
using PolyAi.Messaging.GenesysSimulator;
using PolyAi.Messaging.Handoff.V1;
using PolyAi.Messaging.ServiceDefaults;

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
        var active = await fixture.ReadStateAsync("handoff/active-sessions");
        Assert.DoesNotContain(active!.Value.GetProperty("sessions").EnumerateArray(), s => s.GetProperty("genesysConversationId").GetString() == genesysId);
    }
}

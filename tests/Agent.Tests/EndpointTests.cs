using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using PolyAi.Messaging.Agent.Transcripts;
using PolyAi.Messaging.Testing;
using static PolyAi.Messaging.Testing.GenesysNotifications;

namespace PolyAi.Messaging.Agent.Tests;

[Collection(AgentCollection.Name)]
public sealed class EndpointTests(AgentFixture fixture)
{
    private readonly ServiceUnderTest<Program> _service = fixture.Service;

    [Fact]
    public async Task Dapr_subscribe_lists_the_notifications_and_handoff_topics_with_their_dead_letter_topics()
    {
        var subscriptions = (await _service.Http.GetFromJsonAsync<JsonElement>(new Uri("/dapr/subscribe", UriKind.Relative))).EnumerateArray().ToList();

        Assert.Equal(2, subscriptions.Count);
        var handoff = Assert.Single(subscriptions, s => s.GetProperty("topic").GetString() == "handoff-events");
        Assert.Equal("handoff-events-dead", handoff.GetProperty("deadLetterTopic").GetString());
        Assert.Equal("events/handoff-events", handoff.GetProperty("route").GetString());
        var subscription = Assert.Single(subscriptions, s => s.GetProperty("topic").GetString() == "genesys-notifications");
        Assert.Equal("pubsub", subscription.GetProperty("pubsubName").GetString());
        Assert.Equal("genesys-notifications", subscription.GetProperty("topic").GetString());
        Assert.Equal("genesys-notifications-dead", subscription.GetProperty("deadLetterTopic").GetString());
        Assert.Equal("events/genesys-notifications", subscription.GetProperty("route").GetString());
    }

    [Fact]
    public async Task Healthz_answers_healthy()
    {
        using var response = await _service.Http.GetAsync(new Uri("/healthz", UriKind.Relative));

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("Healthy", await response.Content.ReadAsStringAsync());
    }
}

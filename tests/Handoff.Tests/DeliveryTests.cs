using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Microsoft.AspNetCore.Mvc.Testing;
using PolyAi.Messaging.Handoff.Sessions;
using PolyAi.Messaging.Testing;
using static PolyAi.Messaging.Testing.GenesysNotifications;

namespace PolyAi.Messaging.Handoff.Tests;

/// <summary>How the handoff service answers Dapr, and what it serves besides.</summary>
[Collection(HandoffCollection.Name)]
public sealed class DeliveryTests(HandoffFixture fixture)
{
    private const string Route = "/events/genesys-notifications";
    private readonly ServiceUnderTest<Program> _service = fixture.Service;

    private Task<IReadOnlyList<string?>> DeadLetteredAsync(string id) =>
        Eventually.UntilSeen(_service.DeadLetteredIds, ids => ids.Contains(id), $"{id} on the dead-letter topic");

    [Fact]
    public async Task A_payload_that_is_not_a_received_notification_goes_to_the_dead_letter_topic()
    {
        var id = NewId();

        await _service.PublishRawAsync("not even an object", id);

        Assert.Contains(id, await DeadLetteredAsync(id));
    }

    [Fact]
    public async Task A_notification_with_neither_conversation_nor_customer_goes_to_the_dead_letter_topic()
    {
        var id = NewId();
        var notification = JsonSerializer.SerializeToElement(new { id, channel = new { id = IntegrationId }, type = "Receipt", status = "Sent" });

        await _service.PublishAsync(HandoffFixture.NewTenant(), notification);

        Assert.Contains(id, await DeadLetteredAsync(id));
    }

    [Fact]
    public async Task A_delivery_is_acked_with_success_only_once_the_session_is_saved()
    {
        var tenant = HandoffFixture.NewTenant();

        var (status, ack) = await CloudEvents.DeliverAsync(_service.Http, Route, tenant, Typing(NewId(), "user-direct", "conv-direct"));

        Assert.Equal((200, "SUCCESS"), (status, ack));
        var session = await _service.ReadStateAsync(HandoffFixture.SessionKey(tenant, "conv-direct"));
        Assert.Equal(1, session!.Value.GetProperty("typingEvents").GetInt32());
    }

    [Fact]
    public async Task A_state_store_failure_is_answered_with_500_so_dapr_retries()
    {
        var sidecar = _service.Sidecar;
        await using var broken = new WebApplicationFactory<Program>().WithWebHostBuilder(web =>
        {
            web.UseSetting("DAPR_GRPC_ENDPOINT", sidecar.GrpcEndpoint(HandoffFixture.AppId).ToString());
            web.UseSetting("DAPR_HTTP_ENDPOINT", sidecar.HttpEndpoint(HandoffFixture.AppId).ToString());
            web.UseSetting("HandoffSessions:StateStore", "no-such-store");
        });
        using var client = broken.CreateClient();

        var (status, _) = await CloudEvents.DeliverAsync(client, Route, HandoffFixture.NewTenant(), Typing(NewId(), "user-x"));

        Assert.Equal(500, status);
    }

    [Fact]
    public async Task Dapr_subscribe_lists_the_notifications_topic_with_its_dead_letter_topic()
    {
        var subscriptions = await _service.Http.GetFromJsonAsync<JsonElement>(new Uri("/dapr/subscribe", UriKind.Relative));

        var subscription = Assert.Single(subscriptions.EnumerateArray());
        Assert.Equal("pubsub", subscription.GetProperty("pubsubName").GetString());
        Assert.Equal("genesys-notifications", subscription.GetProperty("topic").GetString());
        Assert.Equal("genesys-notifications-dead", subscription.GetProperty("deadLetterTopic").GetString());
    }

    [Fact]
    public async Task Healthz_answers_healthy()
    {
        using var response = await _service.Http.GetAsync(new Uri("/healthz", UriKind.Relative));

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("Healthy", await response.Content.ReadAsStringAsync());
    }
}

using System.Net;
using System.Text.Json;
using Microsoft.AspNetCore.Mvc.Testing;
using PolyAi.Messaging.Agent.Transcripts;
using PolyAi.Messaging.Contracts;
using PolyAi.Messaging.Testing;
using static PolyAi.Messaging.Testing.GenesysNotifications;

namespace PolyAi.Messaging.Agent.Tests;

/// <summary>How the agent answers Dapr: ack after save, DROP for poison, a retriable failure when it cannot save.</summary>
[Collection(AgentCollection.Name)]
public sealed class DeliveryTests(AgentFixture fixture)
{
    private const string Route = "/events/genesys-notifications";
    private readonly ServiceUnderTest<Program> _service = fixture.Service;

    private Task<IReadOnlyList<string?>> DeadLetteredAsync(string id) =>
        Eventually.UntilSeen(_service.DeadLetteredIds, ids => ids.Contains(id), $"{id} on the dead-letter topic");

    [Fact]
    public async Task A_payload_that_is_not_a_received_notification_goes_to_the_dead_letter_topic()
    {
        var id = NewId();

        await _service.PublishRawAsync(new { hello = "world" }, id);

        Assert.Contains(id, await DeadLetteredAsync(id));
    }

    [Fact]
    public async Task An_agent_message_without_a_customer_id_goes_to_the_dead_letter_topic()
    {
        var id = NewId();
        var notification = JsonSerializer.SerializeToElement(new
        {
            id,
            channel = new { id = IntegrationId, platform = "Open" },
            type = "Text",
            text = "to nobody",
            originatingEntity = "Human",
        });

        await _service.PublishAsync(AgentFixture.NewTenant(), notification);

        Assert.Contains(id, await DeadLetteredAsync(id));
    }

    [Fact]
    public async Task A_delivery_is_acked_with_success_only_once_the_message_is_saved()
    {
        var tenant = AgentFixture.NewTenant();
        var notification = Text(NewId(), "user-direct", "straight from the sidecar");

        var (status, ack) = await CloudEvents.DeliverAsync(_service.Http, Route, tenant, notification);

        Assert.Equal(200, status);
        Assert.Equal("SUCCESS", ack);
        // No polling: the ack itself promises the transcript is saved.
        var transcript = await _service.ReadStateAsync(AgentFixture.TranscriptKey(tenant, "user-direct"));
        Assert.NotNull(transcript);
        Assert.Single(transcript.Value.GetProperty("messages").EnumerateArray());
    }

    [Fact]
    public async Task A_delivery_without_the_sidecars_app_token_is_refused_and_changes_nothing()
    {
        var tenant = AgentFixture.NewTenant();
        using var stranger = new HttpClient { BaseAddress = _service.AppUrl };
        using var guesser = new HttpClient { BaseAddress = _service.AppUrl };
        guesser.DefaultRequestHeaders.Add("dapr-api-token", "guessed-token");

        var (withoutToken, _) = await CloudEvents.DeliverAsync(stranger, Route, tenant, Text(NewId(), "user-forged", "forged"));
        var (wrongToken, _) = await CloudEvents.DeliverAsync(guesser, Route, tenant, Text(NewId(), "user-forged", "forged"));
        using var discovery = await stranger.GetAsync(new Uri("/dapr/subscribe", UriKind.Relative));
        using var health = await stranger.GetAsync(new Uri("/healthz", UriKind.Relative));

        Assert.Equal(401, withoutToken);
        Assert.Equal(401, wrongToken);
        Assert.Equal(HttpStatusCode.Unauthorized, discovery.StatusCode);
        Assert.Equal(HttpStatusCode.OK, health.StatusCode);
        Assert.Null(await _service.ReadStateAsync(AgentFixture.TranscriptKey(tenant, "user-forged")));
    }

    [Fact]
    public async Task Concurrent_deliveries_retry_on_etag_conflicts_and_all_land()
    {
        var tenant = AgentFixture.NewTenant();
        var notifications = Enumerable.Range(0, 16).Select(i => Text(NewId(), "user-race", $"race {i}")).ToList();

        // As Dapr does: a RETRY or a 5xx is delivered again.
        var acks = await Task.WhenAll(notifications.Select(async notification =>
        {
            for (var attempt = 0; attempt < 20; attempt++)
            {
                var (status, ack) = await CloudEvents.DeliverAsync(_service.Http, Route, tenant, notification);
                if (status == 200 && ack == "SUCCESS")
                {
                    return ack;
                }
            }

            return "gave up";
        }));

        Assert.All(acks, ack => Assert.Equal("SUCCESS", ack));
        var transcript = await _service.ReadStateAsync(AgentFixture.TranscriptKey(tenant, "user-race"));
        Assert.Equal(notifications.Count, transcript!.Value.GetProperty("messages").GetArrayLength());
    }

    [Fact]
    public async Task A_state_store_failure_is_answered_with_500_so_dapr_retries()
    {
        var sidecar = _service.Sidecar;
        await using var broken = new WebApplicationFactory<Program>().WithWebHostBuilder(web =>
        {
            web.UseSetting("DAPR_GRPC_ENDPOINT", sidecar.GrpcEndpoint(AgentFixture.AppId).ToString());
            web.UseSetting("DAPR_HTTP_ENDPOINT", sidecar.HttpEndpoint(AgentFixture.AppId).ToString());
            web.UseSetting("Transcripts:StateStore", "no-such-store");
        });
        using var client = broken.CreateClient();

        var (status, _) = await CloudEvents.DeliverAsync(client, Route, AgentFixture.NewTenant(), Text(NewId(), "user-x", "lost?"));

        Assert.Equal(500, status);
    }

    [Fact]
    public async Task Invalid_tenant_in_the_data_is_dropped_not_retried()
    {
        var (status, ack) = await CloudEvents.DeliverAsync(
            _service.Http, Route, new TenantKey("bad tenant!", "p", "e"), Text(NewId(), "user-y", "hi"));

        Assert.Equal(200, status);
        Assert.Equal("DROP", ack);
    }
}

using System.Net;
using System.Text.Json;
using PolyAi.Messaging.Verifier.Tests.Support;
using static PolyAi.Messaging.Verifier.Tests.Support.VerifierFixture;

namespace PolyAi.Messaging.Verifier.Tests;

[Collection(VerifierCollection.Name)]
public sealed class AcceptanceTests(VerifierFixture fixture)
{
    private HttpClient Http => fixture.Verifier.Http;

    [Fact]
    public async Task Publishes_a_signed_notification_once_with_the_Genesys_id_as_CloudEvent_id()
    {
        var id = Notifications.NewId();

        using var response = await Http.SendAsync(Notifications.SignedRequest(Acme, Notifications.AgentText(id), AcmeSecret));

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("accepted", JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement.GetProperty("status").GetString());
        var envelope = Assert.Single(fixture.PublishedWithId(id));
        var data = envelope["data"]!;
        Assert.Equal(Acme.AccountId, data["tenant"]!["accountId"]!.GetValue<string>());
        Assert.Equal(Acme.ProjectId, data["tenant"]!["projectId"]!.GetValue<string>());
        Assert.Equal(Acme.ClientEnv, data["tenant"]!["clientEnv"]!.GetValue<string>());
        Assert.Equal(Now, data["receivedAt"]!.GetValue<DateTimeOffset>());
        Assert.Equal(id, data["notification"]!["id"]!.GetValue<string>());
        Assert.Equal("Hello from a human", data["notification"]!["text"]!.GetValue<string>());
        Assert.True(data["notification"]!["futureField"]!["kept"]!.GetValue<bool>());
        Assert.Equal("published", await fixture.DedupeStatusAsync(Acme, id));
    }

    [Fact]
    public async Task Acknowledges_a_redelivery_without_publishing_it_again()
    {
        var id = Notifications.NewId();
        var body = Notifications.AgentText(id);

        using var first = await Http.SendAsync(Notifications.SignedRequest(Acme, body, AcmeSecret));
        using var second = await Http.SendAsync(Notifications.SignedRequest(Acme, body, AcmeSecret));

        Assert.Equal(HttpStatusCode.OK, first.StatusCode);
        Assert.Equal(HttpStatusCode.OK, second.StatusCode);
        Assert.Equal("duplicate", JsonDocument.Parse(await second.Content.ReadAsStringAsync()).RootElement.GetProperty("status").GetString());
        Assert.Single(fixture.PublishedWithId(id));
    }

    [Fact]
    public async Task Accepts_a_body_signed_with_the_previous_secret_during_rotation()
    {
        var id = Notifications.NewId();

        using var response = await Http.SendAsync(Notifications.SignedRequest(Acme, Notifications.AgentText(id), AcmePreviousSecret));

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Single(fixture.PublishedWithId(id));
    }

    [Fact]
    public async Task Publishes_a_redelivery_whose_earlier_attempt_was_left_pending()
    {
        var id = Notifications.NewId();
        await fixture.Dapr.SaveStateAsync(StateStore, DedupeKey(Acme, id), new { status = "pending" });

        using var response = await Http.SendAsync(Notifications.SignedRequest(Acme, Notifications.AgentText(id), AcmeSecret));

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Single(fixture.PublishedWithId(id));
        Assert.Equal("published", await fixture.DedupeStatusAsync(Acme, id));
    }

    [Fact]
    public async Task Acknowledges_an_id_recorded_as_published_by_another_replica_without_publishing()
    {
        var id = Notifications.NewId();
        await fixture.Dapr.SaveStateAsync(StateStore, DedupeKey(Acme, id), new { status = "published" });

        using var response = await Http.SendAsync(Notifications.SignedRequest(Acme, Notifications.AgentText(id), AcmeSecret));

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Empty(fixture.PublishedWithId(id));
    }

    [Fact]
    public async Task Dedupes_per_tenant_so_the_same_id_from_two_tenants_is_published_for_each()
    {
        var id = Notifications.NewId();
        var body = Notifications.AgentText(id);

        using var acme = await Http.SendAsync(Notifications.SignedRequest(Acme, body, AcmeSecret));
        using var globex = await Http.SendAsync(Notifications.SignedRequest(Globex, body, GlobexSecret));

        Assert.Equal(HttpStatusCode.OK, acme.StatusCode);
        Assert.Equal(HttpStatusCode.OK, globex.StatusCode);
        Assert.Equal(
            ["acme", "globex"],
            fixture.PublishedWithId(id).Select(e => e["data"]!["tenant"]!["accountId"]!.GetValue<string>()).Order());
    }

    [Fact]
    public async Task Accepts_a_chunked_body_within_the_limit()
    {
        var id = Notifications.NewId();
        var body = System.Text.Encoding.UTF8.GetBytes(Notifications.AgentText(id, new string('x', 20_000)));
        var signature = Genesys.OpenMessaging.WebhookSignature.Compute(AcmeSecret, body);

        using var response = await Http.SendAsync(Notifications.Request(Notifications.Path(Acme), body, signature, new ChunkedContent(body, 1000)));

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Single(fixture.PublishedWithId(id));
    }

    [Fact]
    public async Task Serves_health_and_webhook_metrics()
    {
        using var accepted = await Http.SendAsync(Notifications.SignedRequest(Acme, Notifications.AgentText(Notifications.NewId()), AcmeSecret));

        using var health = await Http.GetAsync(new Uri("/healthz", UriKind.Relative));
        var metrics = await Http.GetStringAsync(new Uri("/metrics", UriKind.Relative));

        Assert.Equal(HttpStatusCode.OK, health.StatusCode);
        Assert.Contains("polyai_messaging_webhooks_total{outcome=\"accepted\"}", metrics, StringComparison.Ordinal);
        Assert.Contains("polyai_messaging_webhooks_total{outcome=\"overloaded\"}", metrics, StringComparison.Ordinal);
        Assert.Contains("polyai_messaging_webhook_duration_seconds_bucket", metrics, StringComparison.Ordinal);
        Assert.Contains("polyai_messaging_webhook_publish_failures_total", metrics, StringComparison.Ordinal);
    }
}

using System.Net;
using System.Text;
using Microsoft.Extensions.DependencyInjection;
using PolyAi.Messaging.Genesys.OpenMessaging;
using PolyAi.Messaging.Verifier.Tests.Support;
using PolyAi.Messaging.Verifier.Webhooks;
using static PolyAi.Messaging.Verifier.Tests.Support.VerifierFixture;

namespace PolyAi.Messaging.Verifier.Tests;

[Collection(VerifierCollection.Name)]
public sealed class AvailabilityTests(VerifierFixture fixture)
{
    [Fact]
    public async Task Answers_503_with_Retry_After_when_the_publish_fails_and_publishes_when_Genesys_retries()
    {
        var id = Notifications.NewId();
        var body = Notifications.AgentText(id);
        await using var broken = fixture.StartVerifier(new Dictionary<string, string> { ["Verifier:PubSub"] = "no-such-pubsub" });

        using var failed = await broken.Http.SendAsync(Notifications.SignedRequest(Acme, body, AcmeSecret));

        Assert.Equal(HttpStatusCode.ServiceUnavailable, failed.StatusCode);
        Assert.Equal("application/problem+json", failed.Content.Headers.ContentType?.MediaType);
        Assert.Equal(TimeSpan.FromSeconds(5), failed.Headers.RetryAfter?.Delta);
        Assert.Empty(fixture.PublishedWithId(id));
        Assert.Null(await fixture.DedupeStatusAsync(Acme, id));

        using var retried = await fixture.Verifier.Http.SendAsync(Notifications.SignedRequest(Acme, body, AcmeSecret));

        Assert.Equal(HttpStatusCode.OK, retried.StatusCode);
        Assert.Single(fixture.PublishedWithId(id));
    }

    [Fact]
    public async Task Answers_503_when_the_tenant_store_cannot_be_reached()
    {
        var closedPort = FreePort.Pick();
        await using var cutOff = fixture.StartVerifier(new Dictionary<string, string>
        {
            ["DAPR_GRPC_ENDPOINT"] = $"http://127.0.0.1:{closedPort}",
            ["DAPR_HTTP_ENDPOINT"] = $"http://127.0.0.1:{closedPort}",
        });
        var id = Notifications.NewId();

        using var response = await cutOff.Http.SendAsync(Notifications.SignedRequest(Acme, Notifications.AgentText(id), AcmeSecret));

        Assert.Equal(HttpStatusCode.ServiceUnavailable, response.StatusCode);
        Assert.NotNull(response.Headers.RetryAfter);
        Assert.Empty(fixture.PublishedWithId(id));
    }

    [Fact]
    public async Task Answers_503_at_once_when_too_many_verified_webhooks_are_in_flight_then_serves_the_next()
    {
        await using var narrow = fixture.StartVerifier(new Dictionary<string, string> { ["Verifier:MaxConcurrentRequests"] = "1" });
        var admission = narrow.Services.GetRequiredService<WebhookAdmission>();
        var refusedId = Notifications.NewId();

        HttpResponseMessage refused;
        using (Assert.IsType<WebhookAdmission.Permit>(admission.TryEnter(Globex)))
        {
            refused = await narrow.Http.SendAsync(Notifications.SignedRequest(Acme, Notifications.AgentText(refusedId), AcmeSecret));
        }

        using (refused)
        {
            using var retried = await narrow.Http.SendAsync(Notifications.SignedRequest(Acme, Notifications.AgentText(refusedId), AcmeSecret));

            Assert.Equal(HttpStatusCode.ServiceUnavailable, refused.StatusCode);
            Assert.Equal("application/problem+json", refused.Content.Headers.ContentType?.MediaType);
            Assert.NotNull(refused.Headers.RetryAfter);
            Assert.Equal(HttpStatusCode.OK, retried.StatusCode);
            Assert.Single(fixture.PublishedWithId(refusedId));
            Assert.Equal(0, admission.InFlight);
        }
    }

    [Fact]
    public async Task One_tenant_at_its_own_limit_leaves_room_for_the_others()
    {
        await using var narrow = fixture.StartVerifier(new Dictionary<string, string> { ["Verifier:MaxConcurrentRequestsPerTenant"] = "1" });
        var admission = narrow.Services.GetRequiredService<WebhookAdmission>();

        using var busy = admission.TryEnter(Acme);
        using var acme = await narrow.Http.SendAsync(Notifications.SignedRequest(Acme, Notifications.AgentText(Notifications.NewId()), AcmeSecret));
        using var globex = await narrow.Http.SendAsync(Notifications.SignedRequest(Globex, Notifications.AgentText(Notifications.NewId()), GlobexSecret));

        Assert.NotNull(busy);
        Assert.Equal(HttpStatusCode.ServiceUnavailable, acme.StatusCode);
        Assert.Equal(HttpStatusCode.OK, globex.StatusCode);
    }

    [Fact]
    public async Task A_body_still_arriving_holds_no_permit_so_other_webhooks_are_served_meanwhile()
    {
        var bodyRead = new BodyReadSignal();
        await using var narrow = fixture.StartVerifier(new Dictionary<string, string> { ["Verifier:MaxConcurrentRequests"] = "1" }, observer: bodyRead);
        var heldId = Notifications.NewId();
        var heldBody = Encoding.UTF8.GetBytes(Notifications.AgentText(heldId));
        var content = new HeldBackContent(heldBody[..10], heldBody[10..]);
        // Its own client (own connection), so the request below cannot queue behind it for a pooled connection.
        using var heldClient = new HttpClient { BaseAddress = narrow.Http.BaseAddress };
        var held = heldClient.SendAsync(Notifications.Request(
            Notifications.Path(Acme), heldBody, WebhookSignature.Compute(AcmeSecret, heldBody), content));

        await bodyRead.FirstRead.WaitAsync(TimeSpan.FromSeconds(15));
        var otherId = Notifications.NewId();
        using var other = await narrow.Http.SendAsync(Notifications.SignedRequest(Acme, Notifications.AgentText(otherId), AcmeSecret));
        content.Release();
        using var served = await held;

        Assert.Equal(HttpStatusCode.OK, other.StatusCode);
        Assert.Single(fixture.PublishedWithId(otherId));
        Assert.Equal(HttpStatusCode.OK, served.StatusCode);
        Assert.Single(fixture.PublishedWithId(heldId));
    }

    [Fact]
    public async Task Answers_408_when_a_body_does_not_arrive_within_the_body_read_timeout_and_publishes_nothing()
    {
        await using var strict = fixture.StartVerifier(new Dictionary<string, string> { ["Verifier:BodyReadTimeout"] = "00:00:00.300" });
        var id = Notifications.NewId();
        var body = Encoding.UTF8.GetBytes(Notifications.AgentText(id));
        var content = new HeldBackContent(body[..10], body[10..]);

        var timedOutBefore = VerifierMetrics.Webhooks.WithLabels("timed_out").Value;

        var sending = strict.Http.SendAsync(Notifications.Request(
            Notifications.Path(Acme), body, WebhookSignature.Compute(AcmeSecret, body), content));
        // The client hands over the answer only once its body is sent: let the rest go once the verifier gave up.
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(15);
        while (VerifierMetrics.Webhooks.WithLabels("timed_out").Value == timedOutBefore)
        {
            Assert.True(DateTime.UtcNow < deadline, "the verifier never gave up on the body");
            await Task.Delay(20);
        }

        content.Release();
        using var response = await sending;

        Assert.Equal(HttpStatusCode.RequestTimeout, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        Assert.Empty(fixture.PublishedWithId(id));
        Assert.Null(await fixture.DedupeStatusAsync(Acme, id));
    }
}

using System.Net;
using System.Text;
using PolyAi.Messaging.Genesys.OpenMessaging;
using PolyAi.Messaging.Verifier.Tests.Support;
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
        var closedPort = FreePort();
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
    public async Task Answers_503_at_once_when_too_many_webhooks_are_in_flight_then_serves_the_held_one()
    {
        var bodyRead = new BodyReadSignal();
        await using var narrow = fixture.StartVerifier(
            new Dictionary<string, string> { ["Verifier:MaxConcurrentRequests"] = "1", ["Verifier:QueueLimit"] = "0" },
            observer: bodyRead);
        var heldId = Notifications.NewId();
        var heldBody = Encoding.UTF8.GetBytes(Notifications.AgentText(heldId));
        var content = new HeldBackContent(heldBody[..10], heldBody[10..]);
        // Its own client (own connection), so the probes below cannot queue behind it for a pooled connection.
        using var heldClient = new HttpClient { BaseAddress = narrow.Http.BaseAddress };
        var held = heldClient.SendAsync(Notifications.Request(
            Notifications.Path(Acme), heldBody, WebhookSignature.Compute(AcmeSecret, heldBody), content));

        // The verifier reads a body only once the request holds the permit: from then on it is taken.
        await bodyRead.FirstRead.WaitAsync(TimeSpan.FromSeconds(15));
        using var refused = await narrow.Http.SendAsync(
            Notifications.SignedRequest(Acme, Notifications.AgentText(Notifications.NewId()), AcmeSecret));
        content.Release();
        using var served = await held;

        Assert.Equal(HttpStatusCode.ServiceUnavailable, refused.StatusCode);
        Assert.Equal("application/problem+json", refused.Content.Headers.ContentType?.MediaType);
        Assert.NotNull(refused.Headers.RetryAfter);
        Assert.Equal(HttpStatusCode.OK, served.StatusCode);
        Assert.Single(fixture.PublishedWithId(heldId));
    }
}

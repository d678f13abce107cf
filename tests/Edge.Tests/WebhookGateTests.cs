using System.Net;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Time.Testing;
using PolyAi.Messaging.Edge.Tests.Support;
using PolyAi.Messaging.Testing;
using static PolyAi.Messaging.Edge.Tests.Support.EdgeInstance;

namespace PolyAi.Messaging.Edge.Tests;

/// <summary>
/// The webhook route as an attacker without any tenant's secret sees it: requests from other loopback addresses
/// (127.0.0.2 and up) play the attacker, the default client (127.0.0.1) plays Genesys.
/// </summary>
[Collection(EdgeCollection.Name)]
public sealed class WebhookGateTests(EdgeFixture fixture)
{
    [Fact]
    public async Task Unsigned_requests_cannot_use_up_a_tenants_allowance_and_their_sender_is_cut_off()
    {
        await using var edge = Start(fixture.Verifier.Address, new Dictionary<string, string>
        {
            ["Edge:RateLimit:PermitsPerSecond"] = "1",
            ["Edge:RateLimit:Burst"] = "2",
            ["Edge:UnverifiedLimit:PermitsPerSecond"] = "1",
            ["Edge:UnverifiedLimit:Burst"] = "10",
        }, time: new FakeTimeProvider(DateTimeOffset.UtcNow)); // no refill while the test runs: the limits are exact
        var tenant = EdgeFixture.NewAccount();
        using var attacker = edge.ClientFrom(IPAddress.Parse("127.0.0.2"));

        var answers = new List<HttpStatusCode>();
        for (var i = 0; i < 60; i++)
        {
            using var response = await attacker.SendAsync(Webhook(WebhookPath(tenant), new StringContent("{}"), FakeVerifier.BadSignature));
            answers.Add(response.StatusCode);
        }

        var reachedVerifier = fixture.Verifier.ReceivedFor(tenant).Count();
        using var genuine = await edge.Http.SendAsync(Webhook(WebhookPath(tenant), new StringContent("{}")));

        Assert.Equal(HttpStatusCode.OK, genuine.StatusCode);
        Assert.All(answers, status => Assert.True(status is HttpStatusCode.Unauthorized or HttpStatusCode.TooManyRequests, $"answered {status}"));
        Assert.Contains(HttpStatusCode.TooManyRequests, answers);
        Assert.Equal(10, reachedVerifier); // the address's burst of rejected requests, and not one more
        Assert.Equal(50, answers.Count(status => status == HttpStatusCode.TooManyRequests));
    }

    [Fact]
    public async Task Behind_the_ingress_each_caller_is_limited_by_the_address_the_ingress_added_not_one_it_sent()
    {
        // What the chart sets on the edge behind an ingress or gateway (ASPNETCORE_FORWARDEDHEADERS_ENABLED=true).
        await using var edge = Start(fixture.Verifier.Address, new Dictionary<string, string>
        {
            ["FORWARDEDHEADERS_ENABLED"] = "true",
            ["Edge:UnverifiedLimit:PermitsPerSecond"] = "1",
            ["Edge:UnverifiedLimit:Burst"] = "3",
        }, time: new FakeTimeProvider(DateTimeOffset.UtcNow));
        var tenant = EdgeFixture.NewAccount();

        // One proxy connection carries every caller; the rightmost X-Forwarded-For hop is the one the ingress appended.
        async Task<HttpStatusCode> FromAsync(string forwardedFor)
        {
            using var request = Webhook(WebhookPath(tenant), new StringContent("{}"), FakeVerifier.BadSignature);
            request.Headers.TryAddWithoutValidation("X-Forwarded-For", forwardedFor);
            using var response = await edge.Http.SendAsync(request);
            return response.StatusCode;
        }

        var attacker = new List<HttpStatusCode>();
        for (var i = 0; i < 12; i++)
        {
            // A made-up leftmost hop each time: it must not buy a fresh allowance.
            attacker.Add(await FromAsync($"198.51.100.{i + 1}, 203.0.113.7"));
        }

        Assert.Equal(3, attacker.Count(s => s == HttpStatusCode.Unauthorized)); // its burst, not one more
        Assert.Equal(9, attacker.Count(s => s == HttpStatusCode.TooManyRequests));
        // Another caller through the same proxy still has its own allowance.
        Assert.Equal(HttpStatusCode.Unauthorized, await FromAsync("192.0.2.44"));
    }

    [Fact]
    public async Task An_address_that_delivered_a_verified_webhook_is_not_cut_off_by_another_tenants_bad_secret()
    {
        await using var edge = Start(fixture.Verifier.Address, new Dictionary<string, string>
        {
            ["Edge:UnverifiedLimit:Burst"] = "5",
        });
        using var genesys = edge.ClientFrom(IPAddress.Parse("127.0.0.3"));
        using (var verified = await genesys.SendAsync(Webhook(WebhookPath(EdgeFixture.NewAccount()), new StringContent("{}"))))
        {
            Assert.Equal(HttpStatusCode.OK, verified.StatusCode);
        }

        var misconfigured = EdgeFixture.NewAccount();
        var answers = new List<HttpStatusCode>();
        for (var i = 0; i < 40; i++)
        {
            using var response = await genesys.SendAsync(Webhook(WebhookPath(misconfigured), new StringContent("{}"), FakeVerifier.BadSignature));
            answers.Add(response.StatusCode);
        }

        Assert.All(answers, status => Assert.Equal(HttpStatusCode.Unauthorized, status));
        Assert.Equal(40, fixture.Verifier.ReceivedFor(misconfigured).Count());
    }

    [Fact]
    public async Task Limits_how_many_unverified_requests_one_address_keeps_open_at_once()
    {
        await using var edge = Start(fixture.Verifier.Address, new Dictionary<string, string>
        {
            ["Edge:UnverifiedLimit:MaxInFlight"] = "2",
            ["Edge:UnverifiedLimit:Burst"] = "1000",
        });
        var tenant = EdgeFixture.NewAccount();
        var slowloris = IPAddress.Parse("127.0.0.4");
        var release = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);

        // Each held request on a client of its own, so the probe cannot take its connection from the pool.
        using var first = edge.ClientFrom(slowloris);
        using var second = edge.ClientFrom(slowloris);
        var open = new[] { first, second }
            .Select(holder => holder.SendAsync(Webhook(WebhookPath(tenant), new HeldBackContent("{"u8.ToArray(), "}"u8.ToArray(), release.Task), FakeVerifier.BadSignature)))
            .ToList();
        try
        {
            // Both are past the gate once the verifier has their headers; only then is the third one too many.
            await Eventually.UntilSeen(() => fixture.Verifier.StartedFor(tenant), n => n == 2, "the two held requests reaching the verifier", TimeSpan.FromSeconds(20));
            using var prober = edge.ClientFrom(slowloris);
            using var refused = await prober.SendAsync(Webhook(WebhookPath(tenant), new StringContent("{}"), FakeVerifier.BadSignature));
            using var other = edge.ClientFrom(IPAddress.Parse("127.0.0.5"));
            using var otherAddress = await other.SendAsync(Webhook(WebhookPath(tenant), new StringContent("{}"), FakeVerifier.BadSignature));

            Assert.Equal(HttpStatusCode.TooManyRequests, refused.StatusCode);
            Assert.Contains("at once", await refused.Content.ReadAsStringAsync(), StringComparison.Ordinal);
            Assert.Equal(HttpStatusCode.Unauthorized, otherAddress.StatusCode);
            Assert.Equal(3, fixture.Verifier.StartedFor(tenant));
        }
        finally
        {
            release.TrySetResult();
        }

        foreach (var request in open)
        {
            using var answered = await request;
            Assert.Equal(HttpStatusCode.Unauthorized, answered.StatusCode);
        }

        using var prober2 = edge.ClientFrom(slowloris);
        using var afterwards = await prober2.SendAsync(Webhook(WebhookPath(tenant), new StringContent("{}"), FakeVerifier.BadSignature));
        Assert.Equal(HttpStatusCode.Unauthorized, afterwards.StatusCode);
    }

    [Fact]
    public async Task Tracks_at_most_MaxClients_addresses_and_answers_the_others_unlimited()
    {
        await using var edge = Start(fixture.Verifier.Address, new Dictionary<string, string>
        {
            ["Edge:UnverifiedLimit:MaxClients"] = "10",
        });
        var gate = edge.Services.GetRequiredService<WebhookGate>();
        var untrackedBefore = EdgeMetrics.Untracked.Value;
        var tenant = EdgeFixture.NewAccount();

        var answers = new List<HttpStatusCode>();
        var mostTracked = 0;
        for (var host = 1; host <= 30; host++)
        {
            using var client = edge.ClientFrom(IPAddress.Parse($"127.0.1.{host}"));
            using var response = await client.SendAsync(Webhook(WebhookPath(tenant), new StringContent("{}"), FakeVerifier.BadSignature));
            answers.Add(response.StatusCode);
            mostTracked = Math.Max(mostTracked, gate.TrackedClients);
        }

        Assert.All(answers, status => Assert.Equal(HttpStatusCode.Unauthorized, status));
        Assert.InRange(mostTracked, 1, 10);
        Assert.True(EdgeMetrics.Untracked.Value - untrackedBefore >= 1, "no request was counted as untracked");
    }

    [Fact]
    public async Task Keeps_a_bucket_only_for_tenants_with_verified_webhooks_and_at_most_MaxTenants()
    {
        await using var edge = Start(fixture.Verifier.Address, new Dictionary<string, string>
        {
            ["Edge:RateLimit:MaxTenants"] = "10",
        });
        var gate = edge.Services.GetRequiredService<WebhookGate>();
        using (var first = await edge.Http.SendAsync(Webhook(WebhookPath(EdgeFixture.NewAccount()), new StringContent("{}"))))
        {
            Assert.Equal(HttpStatusCode.OK, first.StatusCode);
        }

        for (var i = 0; i < 20; i++)
        {
            using var rejected = await edge.Http.SendAsync(Webhook(WebhookPath(EdgeFixture.NewAccount()), new StringContent("{}"), FakeVerifier.BadSignature));
            Assert.Equal(HttpStatusCode.Unauthorized, rejected.StatusCode);
        }

        var afterRejections = gate.TrackedTenants;
        var mostTracked = 0;
        for (var i = 0; i < 30; i++)
        {
            using var accepted = await edge.Http.SendAsync(Webhook(WebhookPath(EdgeFixture.NewAccount()), new StringContent("{}")));
            Assert.Equal(HttpStatusCode.OK, accepted.StatusCode);
            mostTracked = Math.Max(mostTracked, gate.TrackedTenants);
        }

        Assert.Equal(1, afterRejections);
        Assert.InRange(mostTracked, 1, 10);
    }
}

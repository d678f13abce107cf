using System.Net;
using System.Text;
using System.Text.Json;
using PolyAi.Messaging.Edge.Tests.Support;
using static PolyAi.Messaging.Edge.Tests.Support.EdgeInstance;

namespace PolyAi.Messaging.Edge.Tests;

[Collection(EdgeCollection.Name)]
public sealed class EdgeTests(EdgeFixture fixture)
{
    private const int DefaultLimit = 128 * 1024;

    private HttpClient Http => fixture.Edge.Http;

    [Fact]
    public async Task Forwards_a_webhook_to_the_verifier_with_path_body_and_signature_unchanged()
    {
        var account = EdgeFixture.NewAccount();
        var body = Encoding.UTF8.GetBytes("""{"id":"g-1","channel":{},"type":"Text","text":"héllo"}""");

        using var response = await Http.SendAsync(Webhook(WebhookPath(account), new ByteArrayContent(body), "sha256=exact-header-value"));

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var received = Assert.Single(fixture.Verifier.ReceivedFor(account));
        Assert.Equal(WebhookPath(account), received.Path);
        Assert.Equal(body, received.Body);
        Assert.Equal("sha256=exact-header-value", received.Signature);
    }

    [Fact]
    public async Task Forwards_a_chunked_body_within_the_limit()
    {
        var account = EdgeFixture.NewAccount();
        var body = Encoding.UTF8.GetBytes(new string('x', DefaultLimit - 10));

        using var response = await Http.SendAsync(Webhook(WebhookPath(account), new ChunkedContent(body)));

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal(body, Assert.Single(fixture.Verifier.ReceivedFor(account)).Body);
    }

    [Fact]
    public async Task Passes_the_verifiers_own_answer_through()
    {
        using var response = await Http.SendAsync(Webhook(WebhookPath(FakeVerifier.UnauthorizedAccount), new StringContent("{}")));

        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
        Assert.Equal("from the verifier", (await ProblemAsync(response)).GetProperty("detail").GetString());
    }

    [Fact]
    public async Task Rejects_a_body_whose_content_length_is_over_the_limit_without_forwarding_it()
    {
        var account = EdgeFixture.NewAccount();

        using var response = await Http.SendAsync(Webhook(WebhookPath(account), new ByteArrayContent(new byte[DefaultLimit + 1])));

        Assert.Equal(HttpStatusCode.RequestEntityTooLarge, response.StatusCode);
        Assert.Equal(413, (await ProblemAsync(response)).GetProperty("status").GetInt32());
        Assert.Empty(fixture.Verifier.ReceivedFor(account));
    }

    [Fact]
    public async Task Rejects_a_chunked_body_that_grows_over_the_limit_while_streaming()
    {
        var account = EdgeFixture.NewAccount();

        using var response = await Http.SendAsync(Webhook(WebhookPath(account), new ChunkedContent(new byte[DefaultLimit * 2])));

        Assert.Equal(HttpStatusCode.RequestEntityTooLarge, response.StatusCode);
        Assert.Equal(413, (await ProblemAsync(response)).GetProperty("status").GetInt32());
        Assert.Empty(fixture.Verifier.ReceivedFor(account));
    }

    [Fact]
    public async Task A_tenant_with_its_own_allowance_is_limited_by_it_and_the_default_carries_a_large_contact_centers_burst()
    {
        await using var edge = Start(fixture.Verifier.Address);
        var small = EdgeFixture.NewAccount();
        var large = EdgeFixture.NewAccount();
        fixture.Verifier.TenantRates[small] = "1; burst=2";

        var smallAnswers = new List<HttpStatusCode>();
        for (var i = 0; i < 10; i++)
        {
            using var response = await edge.Http.SendAsync(Webhook(WebhookPath(small), new StringContent("{}")));
            smallAnswers.Add(response.StatusCode);
            Assert.False(response.Headers.Contains(TenantWebhookRate.HeaderName), "the verifier's word on the allowance stays in the edge");
        }

        // The default (Edge:RateLimit, sized in the README for a 2,000-agent tenant's peaks) lets a burst through that
        // the small tenant's own allowance does not. One webhook first, so the tenant's bucket exists before the burst:
        // a burst racing the first answer mostly finds no bucket yet, which hid appsettings.json's 20/40 until 2026-12-06.
        using (var first = await edge.Http.SendAsync(Webhook(WebhookPath(large), new StringContent("{}"))))
        {
            Assert.Equal(HttpStatusCode.OK, first.StatusCode);
        }

        var largeAnswers = await Task.WhenAll(Enumerable.Range(0, 100).Select(async _ =>
        {
            using var response = await edge.Http.SendAsync(Webhook(WebhookPath(large), new StringContent("{}")));
            return response.StatusCode;
        }));

        Assert.Contains(HttpStatusCode.TooManyRequests, smallAnswers);
        Assert.InRange(smallAnswers.Count(s => s == HttpStatusCode.OK), 2, 4); // the burst of 2, and what 1/s refilled meanwhile
        Assert.All(largeAnswers, status => Assert.Equal(HttpStatusCode.OK, status));
        Assert.Equal(1500, new TenantRateLimitOptions().PermitsPerSecond);
        Assert.Equal(7500, new TenantRateLimitOptions().Burst);
        var configured = Microsoft.Extensions.DependencyInjection.ServiceProviderServiceExtensions.GetRequiredService<Microsoft.Extensions.Options.IOptions<TenantRateLimitOptions>>(edge.Services).Value;
        Assert.Equal((1500, 7500), (configured.PermitsPerSecond, configured.Burst)); // what the shipped appsettings.json gives
    }

    [Fact]
    public void The_allowance_header_is_read_strictly()
    {
        Assert.Equal(new TenantWebhookRate(1500, 7500), TenantWebhookRate.Parse("1500; burst=7500"));
        Assert.Equal(new TenantWebhookRate(1, 2), TenantWebhookRate.Parse("1;burst=2"));
        foreach (var bad in new[] { null, "", "1500", "0; burst=10", "10; burst=0", "-1; burst=5", "5; burst=abc", "5; size=10", "100001; burst=10", "5; burst=1000001" })
        {
            Assert.Null(TenantWebhookRate.Parse(bad));
        }
    }

    [Fact]
    public async Task Answers_429_with_Retry_After_when_a_tenant_exceeds_its_rate_and_leaves_other_tenants_alone()
    {
        await using var edge = Start(fixture.Verifier.Address, new Dictionary<string, string>
        {
            ["Edge:RateLimit:PermitsPerSecond"] = "1",
            ["Edge:RateLimit:Burst"] = "2",
        });
        var noisy = EdgeFixture.NewAccount();
        var quiet = EdgeFixture.NewAccount();

        // A burst of 2 and 1/s: ten quick requests cannot all fit, whatever the replenishment timer does.
        HttpResponseMessage? limited = null;
        for (var attempt = 0; attempt < 10 && limited is null; attempt++)
        {
            var response = await edge.Http.SendAsync(Webhook(WebhookPath(noisy), new StringContent("{}")));
            if (response.StatusCode == HttpStatusCode.TooManyRequests)
            {
                limited = response;
            }
            else
            {
                Assert.Equal(HttpStatusCode.OK, response.StatusCode);
                response.Dispose();
            }
        }

        using var quietResponse = await edge.Http.SendAsync(Webhook(WebhookPath(quiet), new StringContent("{}")));

        Assert.NotNull(limited);
        using (limited)
        {
            Assert.True(limited.Headers.RetryAfter?.Delta >= TimeSpan.FromSeconds(1), $"Retry-After was {limited.Headers.RetryAfter}");
            Assert.Equal(429, (await ProblemAsync(limited)).GetProperty("status").GetInt32());
        }

        Assert.Equal(HttpStatusCode.OK, quietResponse.StatusCode);
    }

    [Fact]
    public async Task Answers_503_with_Retry_After_when_the_verifier_is_unreachable()
    {
        await using var edge = Start(new Uri($"http://127.0.0.1:{FreePort.Pick()}"));

        using var response = await edge.Http.SendAsync(Webhook(WebhookPath(EdgeFixture.NewAccount()), new StringContent("{}")));

        Assert.Equal(HttpStatusCode.ServiceUnavailable, response.StatusCode);
        Assert.NotNull(response.Headers.RetryAfter);
        Assert.Equal(503, (await ProblemAsync(response)).GetProperty("status").GetInt32());
    }

    [Theory]
    [InlineData("/")]
    [InlineData("/webhooks/genesys/acme/support-bot/events")]
    [InlineData("/webhooks/genesys/acme/support-bot/prod/extra/events")]
    [InlineData("/webhooks/other/acme/support-bot/prod/events")]
    public async Task Answers_404_for_paths_it_does_not_route(string path)
    {
        var before = fixture.Verifier.Received.Count;

        using var response = await Http.SendAsync(Webhook(path, new StringContent("{}")));

        Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
        Assert.Equal(before, fixture.Verifier.Received.Count);
    }

    [Fact]
    public async Task Serves_health_and_rejection_metrics()
    {
        using var tooLarge = await Http.SendAsync(Webhook(WebhookPath(EdgeFixture.NewAccount()), new ByteArrayContent(new byte[DefaultLimit + 1])));

        using var health = await Http.GetAsync(new Uri("/healthz", UriKind.Relative));
        var metrics = await Http.GetStringAsync(new Uri("/metrics", UriKind.Relative));

        Assert.Equal(HttpStatusCode.OK, health.StatusCode);
        var sample = metrics.Split('\n').Single(line => line.StartsWith("polyai_messaging_edge_rejections_total{reason=\"too_large\"}", StringComparison.Ordinal));
        Assert.True(double.Parse(sample.Split(' ')[^1], System.Globalization.CultureInfo.InvariantCulture) >= 1);
        Assert.Contains("polyai_messaging_edge_rejections_total{reason=\"rate_limited\"}", metrics, StringComparison.Ordinal);
        Assert.Contains("polyai_messaging_edge_rejections_total{reason=\"verifier_unavailable\"}", metrics, StringComparison.Ordinal);
    }

    private static async Task<JsonElement> ProblemAsync(HttpResponseMessage response)
    {
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        var problem = JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement;
        Assert.False(string.IsNullOrEmpty(problem.GetProperty("title").GetString()));
        return problem;
    }
}

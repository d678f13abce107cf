using System.Net;
using Microsoft.Extensions.Time.Testing;
using PolyAi.Messaging.GenesysSimulator.Tests.Support;
using static PolyAi.Messaging.GenesysSimulator.Tests.AuthenticationTests;

namespace PolyAi.Messaging.GenesysSimulator.Tests;

public sealed class RateLimitAndFaultTests
{
    [Fact]
    public async Task Every_api_answer_carries_inin_ratelimit_headers_and_the_request_over_the_limit_gets_429_with_retry_after()
    {
        await using var sim = await Sim.StartAsync(o => o with { RateLimitPerMinute = 3 });
        var org = sim.Control.SeedOrg();
        using var client = await GenesysClient.LoginAsync(sim.BaseUrl, org.ClientId, org.ClientSecret);

        var answers = new List<HttpResponseMessage>();
        for (var i = 0; i < 4; i++)
        {
            answers.Add(await client.GetAsync("api/v2/tokens/me"));
        }

        Assert.Equal([200, 200, 200, 429], answers.Select(a => (int)a.StatusCode));
        Assert.Equal(["1", "2", "3", "4"], answers.Select(a => a.Headers.GetValues("inin-ratelimit-count").Single()));
        Assert.All(answers, a => Assert.Equal("3", a.Headers.GetValues("inin-ratelimit-allowed").Single()));
        Assert.All(answers, a => Assert.InRange(int.Parse(a.Headers.GetValues("inin-ratelimit-reset").Single(), System.Globalization.CultureInfo.InvariantCulture), 1, 60));
        Assert.NotNull(answers[3].Headers.RetryAfter?.Delta);
        await AssertError(answers[3], 429, "too.many.requests");
        answers.ForEach(a => a.Dispose());
    }

    [Fact]
    public async Task The_api_call_log_of_a_client_is_readable_over_http_with_method_path_status_and_time()
    {
        await using var sim = await Sim.StartAsync(o => o with { RateLimitPerMinute = 2 });
        var org = sim.Control.SeedOrg();
        using var client = await GenesysClient.LoginAsync(sim.BaseUrl, org.ClientId, org.ClientSecret);
        for (var i = 0; i < 3; i++)
        {
            (await client.GetAsync("api/v2/tokens/me")).Dispose();
        }

        using var http = new HttpClient { BaseAddress = sim.BaseUrl };
        var calls = System.Text.Json.Nodes.JsonNode.Parse(await http.GetStringAsync($"_sim/api-calls?clientId={Uri.EscapeDataString(org.ClientId)}"))!.AsArray();
        using var missing = await http.GetAsync("_sim/api-calls");

        Assert.Equal([200, 200, 429], calls.Select(c => (int)c!["status"]!));
        Assert.All(calls, c => Assert.Equal("GET", (string?)c!["method"]));
        Assert.All(calls, c => Assert.Equal("/api/v2/tokens/me", (string?)c!["path"]));
        Assert.All(calls, c => Assert.True(DateTimeOffset.TryParse((string?)c!["at"], System.Globalization.CultureInfo.InvariantCulture, out _)));
        Assert.Empty(System.Text.Json.Nodes.JsonNode.Parse(await http.GetStringAsync("_sim/api-calls?clientId=someone-else"))!.AsArray());
        Assert.Equal(HttpStatusCode.BadRequest, missing.StatusCode);
    }

    [Fact]
    public async Task Injected_503_with_retry_after_is_answered_the_given_number_of_times_then_the_api_recovers()
    {
        await using var sim = await Sim.StartAsync();
        var org = sim.Control.SeedOrg();
        using var client = await GenesysClient.LoginAsync(sim.BaseUrl, org.ClientId, org.ClientSecret);
        sim.Control.AddFault(new FaultRule { Method = "GET", PathPattern = "/tokens/me$", Status = 503, RetryAfterSeconds = 2, Times = 2 });

        using var first = await client.GetAsync("api/v2/tokens/me");
        using var second = await client.GetAsync("api/v2/tokens/me");
        using var third = await client.GetAsync("api/v2/tokens/me");

        await AssertError(first, 503, "service.unavailable");
        Assert.Equal(TimeSpan.FromSeconds(2), first.Headers.RetryAfter?.Delta);
        Assert.Equal(HttpStatusCode.ServiceUnavailable, second.StatusCode);
        Assert.Equal(HttpStatusCode.OK, third.StatusCode);
    }

    [Fact]
    public async Task Injected_malformed_body_is_truncated_json()
    {
        await using var sim = await Sim.StartAsync();
        var org = sim.Control.SeedOrg();
        using var client = await GenesysClient.LoginAsync(sim.BaseUrl, org.ClientId, org.ClientSecret);
        sim.Control.AddFault(new FaultRule { PathPattern = "/divisions/home$", MalformedBody = true, Times = 1 });

        using var response = await client.GetAsync("api/v2/authorization/divisions/home");
        var text = await response.Content.ReadAsStringAsync();

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.ThrowsAny<System.Text.Json.JsonException>(() => System.Text.Json.JsonDocument.Parse(text));
    }

    [Fact]
    public async Task Injected_429_applies_to_the_token_endpoint_too()
    {
        await using var sim = await Sim.StartAsync();
        var org = sim.Control.SeedOrg();
        using var client = new GenesysClient(sim.BaseUrl);
        sim.Control.AddFault(new FaultRule { Method = "POST", PathPattern = "^/oauth/token$", Status = 429, RetryAfterSeconds = 1, Times = 1 });

        using var limited = await client.RequestTokenAsync(org.ClientId, org.ClientSecret);
        using var next = await client.RequestTokenAsync(org.ClientId, org.ClientSecret);

        Assert.Equal(HttpStatusCode.TooManyRequests, limited.StatusCode);
        Assert.Equal(TimeSpan.FromSeconds(1), limited.Headers.RetryAfter?.Delta);
        Assert.Equal(HttpStatusCode.OK, next.StatusCode);
    }

    [Fact]
    public async Task Injected_latency_delays_the_answer()
    {
        var time = new FakeTimeProvider(DateTimeOffset.UtcNow);
        await using var sim = await Sim.StartAsync(options => options with { TimeProvider = time });
        var org = sim.Control.SeedOrg();
        using var client = await GenesysClient.LoginAsync(sim.BaseUrl, org.ClientId, org.ClientSecret);
        sim.Control.AddFault(new FaultRule { PathPattern = "/tokens/me$", LatencyMs = 300, Times = 1 });

        var call = client.GetAsync("api/v2/tokens/me");
        var held = await FakeClock.AdvanceUntilDoneAsync(time, call, TimeSpan.FromMilliseconds(10));

        using var response = await call;
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.InRange(held, TimeSpan.FromMilliseconds(300), TimeSpan.FromMilliseconds(2000));
    }
}

using System.Net;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Time.Testing;
using PolyAi.Messaging.Genesys.Tests.Client;
using PolyAi.Messaging.GenesysSimulator;

namespace PolyAi.Messaging.Genesys.Tests.Simulator;

/// <summary>Token expiry, 429, 5xx, timeouts and malformed answers, injected through the simulator's fault API.</summary>
public sealed class ResilienceTests(SimulatorFixture sim) : IClassFixture<SimulatorFixture>, IDisposable
{
    public void Dispose() => sim.Control.ClearFaults();

    [Fact]
    public async Task Expired_tokens_are_replaced_after_one_401_and_the_call_succeeds()
    {
        var logs = new CapturingLoggerProvider();
        using var factory = LoggerFactory.Create(b => b.SetMinimumLevel(LogLevel.Trace).AddProvider(logs));
        using var admin = sim.AdminClient(logs: factory);
        await admin.Authorization.GetHomeDivisionAsync();

        sim.Control.ExpireAllTokens();
        var home = await admin.Authorization.GetHomeDivisionAsync();

        Assert.NotNull(home.Id);
        Assert.Equal(2, logs.Lines.Count(l => l.Contains("Fetched a Genesys access token", StringComparison.Ordinal)));
        Assert.Single(logs.Lines, l => l.Contains("fetching a new access token", StringComparison.Ordinal));
    }

    [Fact]
    public async Task A_429_is_retried_after_its_retry_after()
    {
        var time = new FakeTimeProvider(DateTimeOffset.UtcNow);
        using var admin = sim.AdminClient(time: time);
        await admin.Authorization.GetHomeDivisionAsync();
        sim.Control.AddFault(new FaultRule { Method = "POST", PathPattern = "^/api/v2/routing/queues$", Status = 429, RetryAfterSeconds = 1, Times = 1 });

        var create = admin.Routing.CreateQueueAsync(new CreateQueueRequest { Name = SimulatorFixture.Unique("After 429") });
        var waited = await FakeClock.AdvanceUntilDoneAsync(time, create, TimeSpan.FromMilliseconds(50));

        var queue = await create;
        Assert.InRange(waited, TimeSpan.FromSeconds(1), TimeSpan.FromSeconds(2.5)); // at least the Retry-After, and not the 5 s cap
        Assert.Equal(queue.Id, (await admin.Routing.FindQueueByNameAsync(queue.Name!))?.Id);
    }

    [Fact]
    public async Task A_429_asking_for_too_long_a_wait_surfaces_with_its_retry_after()
    {
        using var admin = sim.AdminClient();
        sim.Control.AddFault(new FaultRule { PathPattern = "^/api/v2/authorization/divisions/home$", Status = 429, RetryAfterSeconds = 600, Times = 5 });

        var error = await Assert.ThrowsAsync<GenesysApiException>(() => admin.Authorization.GetHomeDivisionAsync());

        Assert.Equal(HttpStatusCode.TooManyRequests, error.Status);
        Assert.Equal("too.many.requests", error.Code);
        Assert.Equal(TimeSpan.FromSeconds(600), error.RetryAfter);
        Assert.NotNull(error.CorrelationId);
    }

    [Fact]
    public async Task Reads_are_retried_through_5xx_but_inbound_messages_and_creates_are_not()
    {
        var world = sim.Control.SeedWorld(new WorldSeed(new Uri("http://127.0.0.1:9/hook"), "webhook-secret-0123456789")
        {
            QueueName = SimulatorFixture.Unique("Retry"),
            FlowName = SimulatorFixture.Unique("Retry Flow"),
            IntegrationName = SimulatorFixture.Unique("Retry"),
        });
        using var admin = sim.AdminClient();
        using var provider = sim.Client(world.ClientId, world.ClientSecret);

        sim.Control.AddFault(new FaultRule { Method = "GET", PathPattern = "^/api/v2/routing/queues/", Status = 503, Times = 2 });
        Assert.Equal(world.QueueId, (await admin.Routing.GetQueueAsync(world.QueueId)).Id);

        sim.Control.AddFault(new FaultRule { PathPattern = "/inbound/open/message$", Status = 502, AfterProcessing = true, Times = 1 });
        var gateway = await Assert.ThrowsAsync<GenesysApiException>(() => provider.OpenMessaging.SendMessageAsync(world.IntegrationId, new OpenMessaging.InboundOpenMessage
        {
            Channel = new OpenMessaging.InboundChannel { MessageId = "retry-1", Time = DateTimeOffset.UtcNow, From = new OpenMessaging.InboundParty { Id = "u-retry" } },
            Text = "hello through a 502",
        }));
        Assert.Equal(HttpStatusCode.BadGateway, gateway.Status);
        Assert.Single(sim.Control.Received("message"), m => (string?)m.Body["channel"]?["from"]?["id"] == "u-retry"); // it arrived, once

        var name = SimulatorFixture.Unique("Not twice");
        sim.Control.AddFault(new FaultRule { Method = "POST", PathPattern = "^/api/v2/routing/queues$", Status = 504, Times = 1 });
        var error = await Assert.ThrowsAsync<GenesysApiException>(() => admin.Routing.CreateQueueAsync(new CreateQueueRequest { Name = name }));
        Assert.Equal(HttpStatusCode.GatewayTimeout, error.Status);
        Assert.Null(await admin.Routing.FindQueueByNameAsync(name));
    }

    [Fact]
    public async Task A_slow_genesys_times_out_each_attempt_and_the_call_fails_with_a_timeout()
    {
        var options = StubGenesys.FastOptions();
        options.AttemptTimeout = TimeSpan.FromMilliseconds(300);
        options.MaxRetries = 1;
        var time = new FakeTimeProvider(DateTimeOffset.UtcNow);
        using var admin = sim.AdminClient(options, time: time);
        await admin.Authorization.GetHomeDivisionAsync();
        sim.Control.AddFault(new FaultRule { PathPattern = "^/api/v2/authorization/divisions/home$", LatencyMs = 5000, Times = 2 });

        var call = admin.Authorization.GetHomeDivisionAsync();
        var waited = await FakeClock.AdvanceUntilDoneAsync(time, call, TimeSpan.FromMilliseconds(10));

        await Assert.ThrowsAsync<TimeoutException>(() => call);
        // Two attempts of 300 ms and the short backoff between them; nothing waited for the simulator's 5 s.
        Assert.InRange(waited, TimeSpan.FromMilliseconds(600), TimeSpan.FromMilliseconds(2500)); // two attempts of 300 ms, not the 5 s latency
    }

    [Fact]
    public async Task Malformed_json_from_genesys_is_a_clear_error()
    {
        using var admin = sim.AdminClient();
        await admin.Authorization.GetHomeDivisionAsync();
        sim.Control.AddFault(new FaultRule { PathPattern = "^/api/v2/authorization/divisions/home$", MalformedBody = true, Times = 1 });

        var error = await Assert.ThrowsAsync<GenesysResponseException>(() => admin.Authorization.GetHomeDivisionAsync());

        Assert.Contains("malformed JSON", error.Message, StringComparison.Ordinal);
        Assert.Equal("GET /api/v2/authorization/divisions/home", error.Endpoint);
        Assert.NotNull(error.CorrelationId);
    }

    [Fact]
    public async Task Unknown_resources_surface_as_not_found_with_a_correlation_id()
    {
        using var admin = sim.AdminClient();

        var error = await Assert.ThrowsAsync<GenesysApiException>(() => admin.Routing.GetQueueAsync("no-such-queue"));

        Assert.Equal(HttpStatusCode.NotFound, error.Status);
        Assert.Equal("not.found", error.Code);
        Assert.NotNull(error.CorrelationId);
    }

    [Fact]
    public async Task Wrong_client_credentials_surface_as_the_login_hosts_401()
    {
        using var stranger = sim.Client(sim.Admin.ClientId, "not-the-secret");

        var error = await Assert.ThrowsAsync<GenesysApiException>(() => stranger.OAuth.GetTokenInfoAsync());

        Assert.Equal(HttpStatusCode.Unauthorized, error.Status);
        Assert.Equal("POST /oauth/token", error.Endpoint);
    }

    [Fact]
    public async Task A_client_without_the_permission_gets_genesys_403()
    {
        using var admin = sim.AdminClient();
        var home = await admin.Authorization.GetHomeDivisionAsync();
        var role = await admin.Authorization.CreateRoleAsync(new RoleRequest
        {
            Name = SimulatorFixture.Unique("Messages only"),
            PermissionPolicies = [new PermissionPolicy { Domain = "conversation", EntityName = "message", ActionSet = ["*"] }],
        });
        await admin.Authorization.GrantRoleAsync(sim.Admin.ClientId, home.Id!, role.Id!, SubjectTypes.OAuthClient);
        var limited = await admin.OAuth.CreateClientAsync(new OAuthClientRequest
        {
            Name = SimulatorFixture.Unique("limited"),
            RoleDivisions = [new RoleDivision { RoleId = role.Id!, DivisionId = home.Id! }],
        });
        using var provider = sim.Client(limited.Id!, limited.Secret!);

        var error = await Assert.ThrowsAsync<GenesysApiException>(() => provider.Authorization.CreateRoleAsync(new RoleRequest { Name = "escalate" }));

        Assert.Equal(HttpStatusCode.Forbidden, error.Status);
        Assert.Equal("missing.permissions", error.Code);
    }
}

/// <summary>Behaviour that needs the simulator's own limits or clock.</summary>
public sealed class SimulatorLimitsTests
{
    [Fact]
    public async Task Genesys_rate_limiting_surfaces_instead_of_sleeping_past_the_allowed_wait()
    {
        await using var sim = await GenesysSimulatorHost.StartAsync(new GenesysSimulatorOptions { Port = 0, SeedOrg = true, RateLimitPerMinute = 3 });
        var time = new FakeTimeProvider(DateTimeOffset.UtcNow);
        using var admin = new GenesysClient(
            GenesysEnvironment.ForBaseUrl(sim.BaseUrl), new GenesysCredentials(sim.SeededOrg!.ClientId, sim.SeededOrg.ClientSecret), StubGenesys.FastOptions(), timeProvider: time);

        var calls = Task.Run(async () =>
        {
            for (var i = 0; i < 10; i++)
            {
                await admin.Authorization.GetHomeDivisionAsync();
            }
        });
        var waited = await FakeClock.AdvanceUntilDoneAsync(time, calls, TimeSpan.FromMilliseconds(50));

        var error = await Assert.ThrowsAsync<GenesysApiException>(() => calls);

        Assert.Equal(HttpStatusCode.TooManyRequests, error.Status);
        Assert.True(error.RetryAfter > StubGenesys.FastOptions().MaxRetryAfter);
        Assert.True(waited < StubGenesys.FastOptions().MaxRetryAfter, $"waited {waited} before giving up");
    }

    [Fact]
    public async Task Tokens_are_refreshed_before_they_expire_so_genesys_never_sees_an_expired_one()
    {
        var time = new FakeTimeProvider(DateTimeOffset.UtcNow);
        await using var sim = await GenesysSimulatorHost.StartAsync(new GenesysSimulatorOptions { Port = 0, SeedOrg = true, TimeProvider = time, RateLimitPerMinute = 10_000 });
        var logs = new CapturingLoggerProvider();
        using var factory = LoggerFactory.Create(b => b.SetMinimumLevel(LogLevel.Trace).AddProvider(logs));
        using var admin = new GenesysClient(
            GenesysEnvironment.ForBaseUrl(sim.BaseUrl), new GenesysCredentials(sim.SeededOrg!.ClientId, sim.SeededOrg.ClientSecret),
            StubGenesys.FastOptions(), timeProvider: time, loggerFactory: factory);
        var home = await admin.Authorization.GetHomeDivisionAsync();
        var shortLived = await admin.OAuth.CreateClientAsync(new OAuthClientRequest
        {
            Name = "short-lived",
            AccessTokenValiditySeconds = 300,
            RoleDivisions = [new RoleDivision { RoleId = (await AdminRoleId(admin)), DivisionId = home.Id! }],
        });
        using var client = new GenesysClient(
            GenesysEnvironment.ForBaseUrl(sim.BaseUrl), new GenesysCredentials(shortLived.Id!, shortLived.Secret!),
            StubGenesys.FastOptions(), timeProvider: time, loggerFactory: factory);

        for (var i = 0; i < 5; i++)
        {
            await client.OAuth.GetTokenInfoAsync();
            time.Advance(TimeSpan.FromSeconds(200)); // 5 × 200 s: every token outlived, none ever used expired
        }

        Assert.DoesNotContain(logs.Lines, l => l.Contains("fetching a new access token", StringComparison.Ordinal));
        Assert.True(logs.Lines.Count(l => l.Contains($"OAuth client {shortLived.Id}", StringComparison.Ordinal)) >= 3);
    }

    private static async Task<string> AdminRoleId(GenesysClient admin) =>
        (await admin.OAuth.GetTokenInfoAsync()).OAuthClient!.RoleDivisions![0].RoleId;
}

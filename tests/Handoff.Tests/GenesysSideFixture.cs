using System.Net;
using System.Net.Sockets;
using System.Text.Json;
using System.Text.Json.Nodes;
using Dapr.Client;
using Grpc.Core.Interceptors;
using Grpc.Net.Client;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Mvc.Testing;
using PolyAi.Messaging.Contracts;
using PolyAi.Messaging.DevSidecar;
using PolyAi.Messaging.GenesysSimulator;
using PolyAi.Messaging.Handoff.Sessions;
using PolyAi.Messaging.Testing;
using HandoffClient = PolyAi.Messaging.Handoff.V1.Handoff.HandoffClient;

namespace PolyAi.Messaging.Handoff.Tests;

/// <summary>
/// The handoff service on two Kestrel endpoints (HTTP/1.1 and HTTP/2 for gRPC) beside the dev sidecar (with a local
/// secrets file) and an in-process Genesys simulator. Each test seeds its own Genesys world and tenant.
/// </summary>
public abstract class GenesysSideFixture : IAsyncLifetime
{
    public const string AppId = "handoff";

    /// <summary>The secret the handoff service checks gRPC callers against (Handoff:RpcTokenSecret) and its token.</summary>
    public const string RpcTokenSecret = "handoff-rpc";
    public const string RpcToken = "test-handoff-rpc-token";

    private readonly Lock _secretsGate = new();
    private readonly Dictionary<string, Dictionary<string, string>> _secrets = new()
    {
        [RpcTokenSecret] = new() { ["token"] = RpcToken },
    };
    private WebApplicationFactory<Program> _factory = null!;
    private string _componentsPath = null!;
    private GrpcChannel _channel = null!;

    public GenesysSimulatorHost Genesys { get; private set; } = null!;

    public DevSidecarHost Sidecar { get; private set; } = null!;

    public DaprClient Dapr { get; private set; } = null!;

    public HttpClient Http { get; private set; } = null!;

    /// <summary>The gRPC API as the agent calls it: with the shared token.</summary>
    public HandoffClient Handoff { get; private set; } = null!;

    /// <summary>The gRPC API with no token at all (add your own <c>authorization</c> header per call).</summary>
    public HandoffClient Stranger { get; private set; } = null!;

    /// <summary>How long a new Genesys conversation answers 404 (Corrections 5).</summary>
    public static readonly TimeSpan ReadableDelay = TimeSpan.FromSeconds(1);

    /// <summary>The service's container (to reach its notification watcher, lifecycle and options).</summary>
    public IServiceProvider Services => _factory.Services;

    /// <summary>Service settings that differ between fixtures (notifications on or off, poll interval).</summary>
    protected abstract IReadOnlyDictionary<string, string> Settings { get; }

    /// <summary>How often the simulator sends notification heartbeats (Genesys: about 30 s).</summary>
    protected virtual TimeSpan NotificationHeartbeatInterval => TimeSpan.FromSeconds(30);

    public async Task InitializeAsync()
    {
        Genesys = await GenesysSimulatorHost.StartAsync(new GenesysSimulatorOptions
        {
            Port = 0,
            WebhookRetryInterval = TimeSpan.FromMilliseconds(20),
            WebhookTimeout = TimeSpan.FromSeconds(1),
            WebhookMaxRetries = 1,
            RateLimitPerMinute = 100_000,
            AsyncCompletionDelay = TimeSpan.Zero,
            ConversationReadableDelay = ReadableDelay, // every test runs against a Genesys that is slow to serve new conversations
            NotificationHeartbeatInterval = NotificationHeartbeatInterval,
        });

        _componentsPath = TestComponents.WriteTemporaryCopy();
        File.Copy(Path.Combine(Repo.Root, "components", "local", "secretstore.yaml"), Path.Combine(_componentsPath, "secretstore.yaml"), overwrite: true);
        WriteSecrets();

        var httpUrl = new Uri($"http://127.0.0.1:{FreePort.Pick()}");
        var grpcUrl = new Uri($"http://127.0.0.1:{FreePort.Pick()}");
        Sidecar = await DevSidecarHost.StartAsync(new DevSidecarOptions
        {
            ComponentsPath = _componentsPath,
            Apps = { new DevSidecarApp(AppId, AppUrl: httpUrl) },
        });

        _factory = new WebApplicationFactory<Program>().WithWebHostBuilder(web =>
        {
            web.UseSetting("DAPR_GRPC_ENDPOINT", Sidecar.GrpcEndpoint(AppId).ToString());
            web.UseSetting("DAPR_HTTP_ENDPOINT", Sidecar.HttpEndpoint(AppId).ToString());
            // What DevStack passes as Kestrel__Endpoints__...: HTTP/1.1 for health, metrics and Dapr; HTTP/2 for gRPC.
            web.UseSetting("Kestrel:Endpoints:Http:Url", httpUrl.ToString());
            web.UseSetting("Kestrel:Endpoints:Grpc:Url", grpcUrl.ToString());
            web.UseSetting("Kestrel:Endpoints:Grpc:Protocols", "Http2");
            web.UseSetting("Handoff:RpcTokenSecret", RpcTokenSecret);
            web.UseSetting("Tenancy:CacheTtl", "00:00:00");
            web.UseSetting("Handoff:AvailabilityCacheTtl", "00:00:00");
            web.UseSetting("Handoff:ReadableRecheckDelay", "00:00:00.100");
            web.UseSetting("Handoff:GenesysRequestsPerMinute", "100000"); // as the simulator's limit here
            web.UseSetting("Genesys:RetryBaseDelay", "00:00:00.050");
            web.UseSetting("Genesys:AttemptTimeout", "00:00:01"); // an answer held back longer is a timeout
            foreach (var (key, value) in Settings)
            {
                web.UseSetting(key, value);
            }
        });
        _factory.UseKestrel();
        _factory.StartServer();

        Http = new HttpClient { BaseAddress = httpUrl };
        Dapr = new DaprClientBuilder()
            .UseGrpcEndpoint(Sidecar.GrpcEndpoint(AppId).ToString())
            .UseHttpEndpoint(Sidecar.HttpEndpoint(AppId).ToString())
            .Build();
        _channel = GrpcChannel.ForAddress(grpcUrl);
        Handoff = new HandoffClient(_channel.Intercept(metadata =>
        {
            metadata.Add("authorization", "Bearer " + RpcToken);
            return metadata;
        }));
        Stranger = new HandoffClient(_channel);
    }

    /// <summary>A Genesys org with queue, flow and integration, and a tenant of ours pointing at it.</summary>
    public async Task<TestWorld> NewWorldAsync(params AgentScript[] agents)
    {
        var tenant = new TenantKey("acct-" + Guid.NewGuid().ToString("N")[..8], "project-1", "prod");
        // Names are per world: the simulator provisions idempotently by name, and agents must not be shared.
        var world = Genesys.Control.SeedWorld(new WorldSeed(new Uri("http://127.0.0.1:9/webhook"), "webhook-secret")
        {
            TypingEnabled = true,
            Agents = agents,
            QueueName = $"Queue {tenant.AccountId}",
            FlowName = $"Flow {tenant.AccountId}",
            IntegrationName = $"Integration {tenant.AccountId}",
        });
        var record = new TenantRecord(tenant.AccountId, tenant.ProjectId, tenant.ClientEnv,
            GenesysBaseUrl: Genesys.BaseUrl, IntegrationId: world.IntegrationId, QueueId: world.QueueId);
        await Dapr.SaveStateAsync("statestore", tenant.RecordStateKey, record);
        lock (_secretsGate)
        {
            _secrets[tenant.SecretName] = new()
            {
                [TenantSecrets.WebhookSecretField] = "webhook-secret",
                [TenantSecrets.OAuthClientIdField] = world.ClientId,
                [TenantSecrets.OAuthClientSecretField] = world.ClientSecret,
            };
            WriteSecrets();
        }

        // The secret store reads the file again when it changes: wait until the tenant's secrets are served.
        await Eventually.Until(
            async () => (await Dapr.GetSecretAsync("secretstore", tenant.SecretName)).GetValueOrDefault(TenantSecrets.OAuthClientIdField),
            id => id == world.ClientId,
            "the tenant's secrets in the secret store");
        return new TestWorld(tenant, world);
    }

    /// <summary>Writes (or, with null, removes) a secret and waits until the secret store serves it so.</summary>
    public async Task SetSecretAsync(string name, Dictionary<string, string>? values)
    {
        lock (_secretsGate)
        {
            if (values is null)
            {
                _secrets.Remove(name);
            }
            else
            {
                _secrets[name] = values;
            }

            WriteSecrets();
        }

        var expected = values is null ? "" : JsonSerializer.Serialize(values.OrderBy(v => v.Key, StringComparer.Ordinal));
        await Eventually.Until(
            async () =>
            {
                try
                {
                    return JsonSerializer.Serialize((await Dapr.GetSecretAsync("secretstore", name)).OrderBy(v => v.Key, StringComparer.Ordinal));
                }
                catch (Dapr.DaprException)
                {
                    return "";
                }
            },
            served => served == expected,
            $"secret {name} as written");
    }

    /// <summary>The handoff-events published so far for one of our conversations, oldest first.</summary>
    public IReadOnlyList<JsonObject> HandoffEvents(string conversationId) =>
        Sidecar.Published(Topics.PubSub, Topics.HandoffEvents)
            .Where(e => e["data"]?["conversationId"]?.GetValue<string>() == conversationId)
            .ToList();

    public static string? StatusOf(JsonObject cloudEvent) => cloudEvent["data"]?["status"]?.GetValue<string>();

    public Task<IReadOnlyList<JsonObject>> EventuallyPublishedAsync(string conversationId, string status) =>
        Eventually.UntilSeen(
            () => HandoffEvents(conversationId),
            events => events.Any(e => StatusOf(e) == status),
            $"handoff-events {status} for {conversationId}");

    /// <summary>Until Genesys serves the new conversation (the simulator's readable delay, Corrections 5, is over).</summary>
    public Task EventuallyReadableAsync(string genesysConversationId) =>
        Eventually.UntilSeen(
            () => Genesys.Control.Conversation(genesysConversationId)?["readable"]?.GetValue<bool>(),
            readable => readable == true,
            $"Genesys serving conversation {genesysConversationId}");

    public async Task<JsonElement?> ReadStateAsync(string key)
    {
        var value = await Dapr.GetStateAsync<JsonElement>("statestore", key);
        return value.ValueKind is JsonValueKind.Undefined or JsonValueKind.Null ? null : value;
    }

    public async Task DisposeAsync()
    {
        _channel.Dispose();
        Http.Dispose();
        Dapr.Dispose();
        await _factory.DisposeAsync();
        await Sidecar.DisposeAsync();
        await Genesys.DisposeAsync();
        try
        {
            Directory.Delete(_componentsPath, recursive: true);
        }
        catch (IOException)
        {
            // A temp directory left behind is harmless.
        }
    }

    private void WriteSecrets()
    {
        var path = Path.Combine(_componentsPath, "secrets.json");
        var temporary = path + ".tmp";
        File.WriteAllText(temporary, JsonSerializer.Serialize(_secrets));
        File.Move(temporary, path, overwrite: true);
    }
}

/// <summary>One test's Genesys world and the tenant that points at it.</summary>
public sealed record TestWorld(TenantKey Tenant, SeededWorld Genesys)
{
    public V1.Tenant Proto => new() { AccountId = Tenant.AccountId, ProjectId = Tenant.ProjectId, ClientEnv = Tenant.ClientEnv };
}

/// <summary>Notifications channel on; polling so slow it never happens during a test.</summary>
public sealed class NotificationsFixture : GenesysSideFixture
{
    protected override IReadOnlyDictionary<string, string> Settings => new Dictionary<string, string>
    {
        ["Handoff:NotificationsEnabled"] = "true",
        ["Handoff:PollInterval"] = "01:00:00",
    };
}

/// <summary>No notifications channel: polling alone.</summary>
public sealed class PollingFixture : GenesysSideFixture
{
    protected override IReadOnlyDictionary<string, string> Settings => new Dictionary<string, string>
    {
        ["Handoff:NotificationsEnabled"] = "false",
        ["Handoff:PollInterval"] = "00:00:00.200",
    };
}

/// <summary>
/// Notifications with test-sized liveness: the simulator heartbeats every 200 ms and a socket silent for 2 s is dead;
/// two channels per OAuth client; sweeps only when a test asks;
/// tenant records and queue observations are cached as in production, so thousands of handoffs run quickly.
/// </summary>
public sealed class NotificationChannelsFixture : GenesysSideFixture
{
    protected override IReadOnlyDictionary<string, string> Settings => new Dictionary<string, string>
    {
        ["Handoff:NotificationsEnabled"] = "true",
        ["Handoff:PollInterval"] = "01:00:00",
        ["Handoff:NotificationsHeartbeatTimeout"] = "00:00:02",
        ["Handoff:NotificationsMaxChannels"] = "2", // this replica's share of the 20: small enough that a leak runs out
        ["Handoff:NotificationsSweepInterval"] = "01:00:00", // tests sweep when they mean to
        ["Handoff:NotificationsIdleTimeout"] = "00:00:00",
        ["Handoff:NotificationsReconnectDelay"] = "00:00:00.100",
        ["Handoff:NotificationsSubscribeInterval"] = "00:00:00.500", // batching and lazy removal as in production, test-sized
        ["Handoff:NotificationsTopicRemovalDelay"] = "00:00:02",
        ["Handoff:AvailabilityCacheTtl"] = "00:00:05",
        ["Tenancy:CacheTtl"] = "00:00:30",
        ["Logging:LogLevel:Default"] = "Warning", // thousands of handoffs: every Genesys call logged would dominate the run
    };

    protected override TimeSpan NotificationHeartbeatInterval => TimeSpan.FromMilliseconds(200);
}

[CollectionDefinition(Name)]
public sealed class NotificationChannelsCollection : ICollectionFixture<NotificationChannelsFixture>
{
    public const string Name = "handoff with Genesys notification channels as Genesys runs them";
}

[CollectionDefinition(Name)]
public sealed class NotificationsCollection : ICollectionFixture<NotificationsFixture>
{
    public const string Name = "handoff with Genesys notifications";
}

[CollectionDefinition(Name)]
public sealed class PollingCollection : ICollectionFixture<PollingFixture>
{
    public const string Name = "handoff with polling only";
}

using System.Net;
using System.Net.Sockets;
using System.Text.Json;
using System.Text.Json.Nodes;
using Dapr.Client;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.AspNetCore.TestHost;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Time.Testing;
using PolyAi.Messaging.Contracts;
using PolyAi.Messaging.DevSidecar;

namespace PolyAi.Messaging.Verifier.Tests.Support;

/// <summary>
/// The real dev sidecar (in-process) with two tenants registered, and the verifier on Kestrel beside it. Tests start
/// extra verifier instances with other settings against the same sidecar, as a second replica would run.
/// </summary>
public sealed class VerifierFixture : IAsyncLifetime
{
    public const string AppId = "verifier";
    public const string StateStore = "statestore";

    public static readonly TenantKey Acme = new("acme", "support-bot", "prod");
    public const string AcmeSecret = "acme-current-webhook-secret";
    public const string AcmePreviousSecret = "acme-previous-webhook-secret";

    public static readonly TenantKey Globex = new("globex", "sales", "prod");
    public const string GlobexSecret = "globex-webhook-secret";

    /// <summary>A tenant whose secret is in the secret store but whose record no test fixture writes.</summary>
    public static readonly TenantKey Initech = new("initech", "support", "prod");
    public const string InitechSecret = "initech-webhook-secret";

    /// <summary>The verifier's clock: every receivedAt it publishes is this instant.</summary>
    public static readonly DateTimeOffset Now = new(2026, 3, 1, 12, 0, 0, TimeSpan.Zero);

    private string _componentsPath = null!;

    public DevSidecarHost Sidecar { get; private set; } = null!;

    public DaprClient Dapr { get; private set; } = null!;

    /// <summary>The verifier most tests talk to, on a fake clock.</summary>
    public VerifierInstance Verifier { get; private set; } = null!;

    public async Task InitializeAsync()
    {
        var secrets = new JsonObject
        {
            [Acme.SecretName] = new JsonObject
            {
                [TenantSecrets.WebhookSecretField] = AcmeSecret,
                [TenantSecrets.PreviousWebhookSecretField] = AcmePreviousSecret,
            },
            [Globex.SecretName] = new JsonObject { [TenantSecrets.WebhookSecretField] = GlobexSecret },
            [Initech.SecretName] = new JsonObject { [TenantSecrets.WebhookSecretField] = InitechSecret },
        };
        _componentsPath = Components.WriteTemporaryCopy(secrets.ToJsonString());
        Sidecar = await DevSidecarHost.StartAsync(new DevSidecarOptions
        {
            ComponentsPath = _componentsPath,
            Apps = { new DevSidecarApp(AppId) },
        });
        Dapr = new DaprClientBuilder()
            .UseGrpcEndpoint(Sidecar.GrpcEndpoint(AppId).ToString())
            .UseHttpEndpoint(Sidecar.HttpEndpoint(AppId).ToString())
            .Build();
        foreach (var tenant in new[] { Acme, Globex })
        {
            await Dapr.SaveStateAsync(StateStore, tenant.RecordStateKey,
                new TenantRecord(tenant.AccountId, tenant.ProjectId, tenant.ClientEnv, GenesysRegion: "usw2.pure.cloud"));
        }

        Verifier = StartVerifier(time: new FakeTimeProvider(Now));
    }

    /// <summary>Another verifier against the same sidecar, with <paramref name="settings"/> over the defaults.</summary>
    public VerifierInstance StartVerifier(
        IReadOnlyDictionary<string, string>? settings = null,
        TimeProvider? time = null,
        IStartupFilter? observer = null,
        Action<IServiceCollection>? configureServices = null)
    {
        var port = FreePort.Pick();
        var factory = new WebApplicationFactory<Program>().WithWebHostBuilder(web =>
        {
            web.UseSetting("urls", $"http://127.0.0.1:{port}");
            web.UseSetting("DAPR_GRPC_ENDPOINT", Sidecar.GrpcEndpoint(AppId).ToString());
            web.UseSetting("DAPR_HTTP_ENDPOINT", Sidecar.HttpEndpoint(AppId).ToString());
            foreach (var (key, value) in settings ?? new Dictionary<string, string>())
            {
                web.UseSetting(key, value);
            }

            web.ConfigureTestServices(services =>
            {
                if (time is not null)
                {
                    services.AddSingleton(time);
                }

                if (observer is not null)
                {
                    services.AddSingleton(observer);
                }

                configureServices?.Invoke(services);
            });
        });
        factory.UseKestrel();
        factory.StartServer();
        return new VerifierInstance(factory, new Uri($"http://127.0.0.1:{port}"));
    }

    /// <summary>CloudEvents published on genesys-notifications whose id is <paramref name="notificationId"/>.</summary>
    public IReadOnlyList<JsonObject> PublishedWithId(string notificationId) =>
        Sidecar.Published(Topics.PubSub, Topics.GenesysNotifications)
            .Where(envelope => envelope["id"]?.GetValue<string>() == notificationId)
            .ToList();

    /// <summary>The dedupe record the verifier keeps for a notification, or null if there is none.</summary>
    public async Task<string?> DedupeStatusAsync(TenantKey tenant, string notificationId)
    {
        var value = await Dapr.GetStateAsync<JsonElement>(StateStore, DedupeKey(tenant, notificationId));
        return value.ValueKind == JsonValueKind.Object ? value.GetProperty("status").GetString() : null;
    }

    /// <summary>The documented key, spelled out here so a change to it fails a test.</summary>
    public static string DedupeKey(TenantKey tenant, string notificationId) =>
        $"verifier/dedupe/{tenant.AccountId}/{tenant.ProjectId}/{tenant.ClientEnv}/{Uri.EscapeDataString(notificationId)}";

    public async Task DisposeAsync()
    {
        await Verifier.DisposeAsync();
        Dapr.Dispose();
        await Sidecar.DisposeAsync();
        try
        {
            Directory.Delete(_componentsPath, recursive: true);
        }
        catch (IOException)
        {
            // A temp directory left behind is harmless.
        }
    }
}

/// <summary>One running verifier and a client for it.</summary>
public sealed class VerifierInstance(WebApplicationFactory<Program> factory, Uri baseAddress) : IAsyncDisposable
{
    public HttpClient Http { get; } = new() { BaseAddress = baseAddress };

    public IServiceProvider Services => factory.Services;

    public async ValueTask DisposeAsync()
    {
        Http.Dispose();
        await factory.DisposeAsync();
    }
}

[CollectionDefinition(Name)]
public sealed class VerifierCollection : ICollectionFixture<VerifierFixture>
{
    public const string Name = "verifier with dev sidecar";
}

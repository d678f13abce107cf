using System.Text.Json;
using Dapr.Client;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Mvc.Testing;
using PolyAi.Messaging.Contracts;
using PolyAi.Messaging.DevSidecar;

namespace PolyAi.Messaging.Testing;

/// <summary>
/// A service started for real on a free 127.0.0.1 port, beside the dev sidecar (in-process) that delivers
/// <c>genesys-notifications</c> to it. A second app id, <see cref="PublisherAppId"/>, publishes as the verifier does.
/// </summary>
/// <typeparam name="TEntry">Any public type of the service's assembly.</typeparam>
public sealed class ServiceUnderTest<TEntry> : IAsyncDisposable
    where TEntry : class
{
    public const string PublisherAppId = "verifier";
    public const string StateStore = "statestore";

    /// <summary>What the sidecar sends the service as <c>dapr-api-token</c>; the service is told it as APP_API_TOKEN.</summary>
    public const string AppApiToken = "test-app-api-token";

    private readonly WebApplicationFactory<TEntry> _factory;
    private readonly string _componentsPath;

    internal ServiceUnderTest(string appId, DevSidecarHost sidecar, WebApplicationFactory<TEntry> factory, Uri appUrl, string componentsPath)
    {
        AppId = appId;
        Sidecar = sidecar;
        _factory = factory;
        _componentsPath = componentsPath;
        AppUrl = appUrl;
        Http = new HttpClient { BaseAddress = appUrl };
        Http.DefaultRequestHeaders.Add("dapr-api-token", AppApiToken);
        Dapr = ClientFor(sidecar, appId);
        Publisher = ClientFor(sidecar, PublisherAppId);
    }

    public string AppId { get; }

    public DevSidecarHost Sidecar { get; }

    public Uri AppUrl { get; }

    /// <summary>Straight to the service, as the sidecar reaches it.</summary>
    public HttpClient Http { get; }

    /// <summary>The service's own sidecar: read what it saved.</summary>
    public DaprClient Dapr { get; }

    /// <summary>The verifier's sidecar: publish what the verifier publishes.</summary>
    public DaprClient Publisher { get; }

    /// <summary>Publishes exactly as the verifier does: the received notification as data, its id as CloudEvent id.</summary>
    public Task PublishAsync(TenantKey tenant, JsonElement notification, DateTimeOffset? receivedAt = null) =>
        Publisher.PublishEventAsync(
            Topics.PubSub,
            Topics.GenesysNotifications,
            new GenesysNotificationReceived(tenant, receivedAt ?? DateTimeOffset.UtcNow, notification),
            new Dictionary<string, string> { ["cloudevent.id"] = notification.GetProperty("id").GetString()! });

    /// <summary>Publishes any data with a chosen CloudEvent id (for payloads the verifier would never send).</summary>
    public Task PublishRawAsync<T>(T data, string cloudEventId) =>
        Publisher.PublishEventAsync(
            Topics.PubSub,
            Topics.GenesysNotifications,
            data,
            new Dictionary<string, string> { ["cloudevent.id"] = cloudEventId });

    /// <summary>The saved JSON under <paramref name="key"/>, or null when nothing is saved.</summary>
    public async Task<JsonElement?> ReadStateAsync(string key)
    {
        var value = await Dapr.GetStateAsync<JsonElement>(StateStore, key);
        return value.ValueKind == JsonValueKind.Undefined || value.ValueKind == JsonValueKind.Null ? null : value;
    }

    /// <summary>Ids of the CloudEvents that reached the dead-letter topic.</summary>
    public IReadOnlyList<string?> DeadLetteredIds() =>
        Sidecar.Published(Topics.PubSub, Topics.GenesysNotificationsDeadLetter)
            .Select(envelope => envelope["id"]?.GetValue<string>())
            .ToList();

    /// <summary>The sum of a metric's samples whose labels include <paramref name="labels"/>, from <c>/metrics</c>.</summary>
    public async Task<double> MetricAsync(string name, params (string Name, string Value)[] labels)
    {
        var text = await Http.GetStringAsync(new Uri("/metrics", UriKind.Relative));
        return PrometheusText.Sum(text, name, labels);
    }

    public async ValueTask DisposeAsync()
    {
        Http.Dispose();
        Dapr.Dispose();
        Publisher.Dispose();
        await _factory.DisposeAsync();
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

    private static DaprClient ClientFor(DevSidecarHost sidecar, string appId) => new DaprClientBuilder()
        .UseGrpcEndpoint(sidecar.GrpcEndpoint(appId).ToString())
        .UseHttpEndpoint(sidecar.HttpEndpoint(appId).ToString())
        .Build();
}

/// <summary>Starts a <see cref="ServiceUnderTest{TEntry}"/>.</summary>
public static class ServiceUnderTest
{
    public static async Task<ServiceUnderTest<TEntry>> StartAsync<TEntry>(string appId, IReadOnlyDictionary<string, string>? settings = null)
        where TEntry : class
    {
        var componentsPath = TestComponents.WriteTemporaryCopy();
        var appUrl = FreePort.LoopbackUrl();

        // The sidecar first, told where the app will be: it keeps asking /dapr/subscribe until the app answers.
        var sidecar = await DevSidecarHost.StartAsync(new DevSidecarOptions
        {
            ComponentsPath = componentsPath,
            AppApiToken = ServiceUnderTest<TEntry>.AppApiToken,
            Apps = { new DevSidecarApp(appId, AppUrl: appUrl), new DevSidecarApp(ServiceUnderTest<TEntry>.PublisherAppId) },
        });

        var factory = new WebApplicationFactory<TEntry>().WithWebHostBuilder(web =>
        {
            // The port goes in as the server URL: UseKestrel(port) is not honoured by a WithWebHostBuilder factory.
            web.UseUrls(appUrl.ToString());
            web.UseSetting("DAPR_GRPC_ENDPOINT", sidecar.GrpcEndpoint(appId).ToString());
            web.UseSetting("DAPR_HTTP_ENDPOINT", sidecar.HttpEndpoint(appId).ToString());
            web.UseSetting("APP_API_TOKEN", ServiceUnderTest<TEntry>.AppApiToken);
            foreach (var (key, value) in settings ?? new Dictionary<string, string>())
            {
                web.UseSetting(key, value);
            }
        });
        factory.UseKestrel();
        factory.StartServer();
        return new ServiceUnderTest<TEntry>(appId, sidecar, factory, appUrl, componentsPath);
    }
}

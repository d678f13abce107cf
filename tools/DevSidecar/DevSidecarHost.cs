using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Connections;
using PolyAi.Messaging.DevSidecar.Api;
using PolyAi.Messaging.DevSidecar.Components;
using PolyAi.Messaging.DevSidecar.Hosting;
using PolyAi.Messaging.DevSidecar.PubSub;

namespace PolyAi.Messaging.DevSidecar;

/// <summary>
/// A running dev sidecar: one Dapr HTTP port and one Dapr gRPC port per app, in-memory state and pub/sub shared
/// by all of them, and delivery of subscribed topics to each app's URL. A test double for daprd — never production.
/// </summary>
public sealed partial class DevSidecarHost : IAsyncDisposable
{
    private readonly ILoggerFactory _loggerFactory;
    private readonly PubSubBroker _broker;
    private readonly Dictionary<string, DevSidecarApp> _apps;
    private readonly List<WebApplication> _servers = [];
    private readonly List<Task> _subscribers = [];
    private readonly HttpClient _appClient = new(new SocketsHttpHandler { PooledConnectionLifetime = TimeSpan.FromSeconds(30) })
    {
        Timeout = Timeout.InfiniteTimeSpan,
    };

    private readonly CancellationTokenSource _stopping = new();

    private DevSidecarHost(ILoggerFactory loggerFactory, PubSubBroker broker, IEnumerable<DevSidecarApp> apps)
    {
        _loggerFactory = loggerFactory;
        _broker = broker;
        _apps = apps.ToDictionary(a => a.AppId, StringComparer.Ordinal);
    }

    public static async Task<DevSidecarHost> StartAsync(DevSidecarOptions options, CancellationToken cancellationToken = default)
    {
        Validate(options);
        var loggerFactory = LoggerFactory.Create(logging => logging
            .AddSimpleConsole(console => console.SingleLine = true)
            .SetMinimumLevel(LogLevel.Information)
            .AddFilter("Microsoft", LogLevel.Warning)
            .AddFilter("Grpc", LogLevel.Warning)
            .AddFilter("System.Net.Http", LogLevel.Warning));
        DevSidecarHost? host = null;
        try
        {
            var catalog = ComponentCatalog.Load(options.ComponentsPath, options.TimeProvider, loggerFactory.CreateLogger<ComponentCatalog>());
            var broker = new PubSubBroker(catalog, options.TimeProvider);
            host = new DevSidecarHost(loggerFactory, broker, []);
            if (options.AppApiToken is { Length: > 0 } appToken)
            {
                host._appClient.DefaultRequestHeaders.Add(ApiTokenMiddleware.HeaderName, appToken);
            }
            foreach (var requested in options.Apps)
            {
                // A port picked here may be taken by another process before Kestrel binds it: pick again.
                for (var attempt = 1; ; attempt++)
                {
                    var app = requested with
                    {
                        HttpPort = requested.HttpPort == 0 ? FreePort.Pick() : requested.HttpPort,
                        GrpcPort = requested.GrpcPort == 0 ? FreePort.Pick() : requested.GrpcPort,
                    };
                    var server = SidecarAppServer.Build(app, catalog, broker, options, loggerFactory);
                    try
                    {
                        await server.StartAsync(cancellationToken);
                    }
                    catch (IOException e) when (e.InnerException is AddressInUseException && attempt < 5 && (requested.HttpPort == 0 || requested.GrpcPort == 0))
                    {
                        await server.DisposeAsync();
                        continue;
                    }
                    catch
                    {
                        await server.DisposeAsync();
                        throw;
                    }

                    host._servers.Add(server);
                    host._apps[app.AppId] = app;
                    break;
                }
            }

            var apps = host._apps.Values.ToList();

            var subscriber = new AppSubscriber(
                catalog,
                broker,
                new SubscriptionDiscovery(host._appClient, options.TimeProvider, loggerFactory.CreateLogger<SubscriptionDiscovery>()),
                new HttpPostman(host._appClient),
                options.TimeProvider,
                loggerFactory);
            foreach (var app in apps)
            {
                if (app.AppUrl is { } appUrl)
                {
                    host._subscribers.Add(host.RunSubscriberAsync(subscriber, app, appUrl));
                }
            }

            return host;
        }
        catch
        {
            if (host is null)
            {
                loggerFactory.Dispose();
            }
            else
            {
                await host.DisposeAsync();
            }

            throw;
        }
    }

    /// <summary>The app's Dapr HTTP endpoint, what a service gets as <c>DAPR_HTTP_ENDPOINT</c>.</summary>
    public Uri HttpEndpoint(string appId) => new($"http://127.0.0.1:{App(appId).HttpPort}");

    /// <summary>The app's Dapr gRPC endpoint, what a service gets as <c>DAPR_GRPC_ENDPOINT</c>.</summary>
    public Uri GrpcEndpoint(string appId) => new($"http://127.0.0.1:{App(appId).GrpcPort}");

    /// <summary>The CloudEvent envelopes published to a topic so far, in publish order.</summary>
    public IReadOnlyList<JsonObject> Published(string pubsub, string topic) => _broker.Envelopes(pubsub, topic);

    public async ValueTask DisposeAsync()
    {
        await _stopping.CancelAsync();
        await Task.WhenAll(_subscribers);
        foreach (var server in _servers)
        {
            await server.StopAsync();
            await server.DisposeAsync();
        }

        _appClient.Dispose();
        _stopping.Dispose();
        _loggerFactory.Dispose();
    }

    private DevSidecarApp App(string appId) =>
        _apps.TryGetValue(appId, out var app) ? app : throw new ArgumentException($"no app '{appId}' in this dev sidecar", nameof(appId));

    private async Task RunSubscriberAsync(AppSubscriber subscriber, DevSidecarApp app, Uri appUrl)
    {
        await Task.Yield();
        try
        {
            await subscriber.RunAsync(app, appUrl, _stopping.Token);
        }
        catch (OperationCanceledException) when (_stopping.IsCancellationRequested)
        {
            // Shutting down; undelivered messages are lost with the process, as with an in-memory broker.
        }
        catch (Exception e)
        {
            var logger = _loggerFactory.CreateLogger<DevSidecarHost>();
            LogDeliveryStopped(logger, e, app.AppId);
        }
    }

    private static void Validate(DevSidecarOptions options)
    {
        if (options.Apps.Count == 0)
        {
            throw new ArgumentException("at least one app is required", nameof(options));
        }

        if (options.Apps.Any(a => string.IsNullOrWhiteSpace(a.AppId)))
        {
            throw new ArgumentException("every app needs an app id", nameof(options));
        }

        if (options.Apps.Select(a => a.AppId).Distinct(StringComparer.Ordinal).Count() != options.Apps.Count)
        {
            throw new ArgumentException("app ids must be unique", nameof(options));
        }
    }

    [LoggerMessage(Level = LogLevel.Critical, Message = "Pub/sub delivery to app {AppId} stopped")]
    private static partial void LogDeliveryStopped(ILogger logger, Exception exception, string appId);
}

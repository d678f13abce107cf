using System.Net;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using PolyAi.Messaging.GenesysSimulator.Apis;
using PolyAi.Messaging.GenesysSimulator.Control;
using PolyAi.Messaging.GenesysSimulator.Http;
using PolyAi.Messaging.GenesysSimulator.Notifications;
using PolyAi.Messaging.GenesysSimulator.Webhooks;
using PolyAi.Messaging.GenesysSimulator.World;

namespace PolyAi.Messaging.GenesysSimulator;

/// <summary>
/// A running Genesys simulator on 127.0.0.1: login and API paths on one base URL, the <c>/_sim/</c> control API and
/// the <c>/desktop</c> page. A test double for Genesys Cloud — never production.
/// </summary>
public sealed class GenesysSimulatorHost : IAsyncDisposable
{
    private readonly WebApplication _app;
    private readonly CancellationTokenSource _stopping;

    private GenesysSimulatorHost(WebApplication app, Uri baseUrl, SimulatorControl control, SeededOrg? seeded, CancellationTokenSource stopping)
    {
        _app = app;
        BaseUrl = baseUrl;
        Control = control;
        SeededOrg = seeded;
        _stopping = stopping;
    }

    /// <summary>Base URL for both hosts: <c>{BaseUrl}oauth/token</c> and <c>{BaseUrl}api/v2/...</c>.</summary>
    public Uri BaseUrl { get; }

    public SimulatorControl Control { get; }

    /// <summary>The admin client seeded at start when <see cref="GenesysSimulatorOptions.SeedOrg"/> is set.</summary>
    public SeededOrg? SeededOrg { get; }

    public static async Task<GenesysSimulatorHost> StartAsync(GenesysSimulatorOptions options, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(options);
        options.Validate();
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.Logging.AddSimpleConsole(console => console.SingleLine = true).SetMinimumLevel(options.MinimumLogLevel);
        builder.WebHost.UseKestrel(kestrel => kestrel.Listen(IPAddress.Loopback, options.Port));
        builder.Services.ConfigureHttpJsonOptions(json => json.SerializerOptions.TypeInfoResolverChain.Insert(0, SimulatorJson.Default));
        builder.Services.AddSingleton(options);
        // Created by the container so it is disposed with the host; per-attempt timeouts come from the dispatcher.
        builder.Services.AddSingleton(_ => new HttpClient(new SocketsHttpHandler { PooledConnectionLifetime = TimeSpan.FromMinutes(1) }) { Timeout = Timeout.InfiniteTimeSpan });
        builder.Services.AddSingleton<WebhookDispatcher>();
        // Created by the container so it is disposed with the host (its channel expiry timers).
        builder.Services.AddSingleton(_ => new NotificationHub(options.TimeProvider));
        builder.Services.AddSingleton<Org>();
        builder.Services.AddSingleton<FaultBook>();
        builder.Services.AddSingleton<ApiGate>();
        builder.Services.AddSingleton(sp => new SimulatorControl(sp.GetRequiredService<Org>(), sp.GetRequiredService<FaultBook>()));

        var app = builder.Build();
        app.UseWebSockets();
        var gate = app.Services.GetRequiredService<ApiGate>();
        app.Use((context, next) => gate.InvokeAsync(context, _ => next()));
        app.MapOAuthApi();
        app.MapOpenMessagingApi();
        app.MapConversationsApi();
        app.MapNotificationsApi();
        app.MapAuthorizationApi();
        app.MapOAuthClientsApi();
        app.MapMessagingApi();
        app.MapRoutingApi();
        app.MapFlowsApi();
        app.MapAnalyticsApi();
        app.MapControlApi();
        app.MapDesktopPage();
        app.MapFallback((HttpContext context) => context.Request.Path.StartsWithSegments("/api/v2", StringComparison.OrdinalIgnoreCase)
            ? GenesysErrors.NotFound($"No resource at {context.Request.Method} {context.Request.Path}.")
            : Results.NotFound());

        var stopping = new CancellationTokenSource();
        await app.StartAsync(ct);
        var address = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
        var baseUrl = new Uri(new Uri(address).GetLeftPart(UriPartial.Authority) + "/");
        var org = app.Services.GetRequiredService<Org>();
        org.BaseUrl = baseUrl;
        org.Stopping = stopping.Token;
        var control = app.Services.GetRequiredService<SimulatorControl>();
        var seeded = options.SeedOrg ? control.SeedOrg() : null;
        return new GenesysSimulatorHost(app, baseUrl, control, seeded, stopping);
    }

    public async ValueTask DisposeAsync()
    {
        await _stopping.CancelAsync();
        await _app.StopAsync();
        await _app.DisposeAsync();
        _stopping.Dispose();
    }
}

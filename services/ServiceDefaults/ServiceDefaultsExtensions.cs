using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using PolyAi.Messaging.ServiceDefaults.Time;
using Prometheus;

namespace PolyAi.Messaging.ServiceDefaults;

/// <summary>What every service does the same way: logs, health, metrics, error handling, options, time. Hosting only.</summary>
public static class ServiceDefaultsExtensions
{
    public static IHostApplicationBuilder AddServiceDefaults(this IHostApplicationBuilder builder)
    {
        builder.Logging.ClearProviders();
        builder.Logging.AddJsonConsole(options =>
        {
            options.IncludeScopes = true;
            options.UseUtcTimestamp = true;
            options.TimestampFormat = "yyyy-MM-ddTHH:mm:ss.fffZ";
        });

        // Our own series, the HTTP metrics and the process metrics (CPU, memory) are what the dashboard and alerts
        // read. The adapters that turn every .NET EventCounter and Meter measurement into Prometheus series are
        // not: they observe every Kestrel request and every gRPC call to the sidecar, on the hot path.
        Metrics.SuppressDefaultMetrics(new SuppressDefaultMetricOptions { SuppressEventCounters = true, SuppressMeters = true });
        // Kestrel reads its endpoints from "Kestrel" but not its limits: bind Kestrel:Limits too, so a service's
        // appsettings can cap connections and header timeouts (the edge does).
        builder.Services.Configure<KestrelServerOptions>(kestrel => builder.Configuration.GetSection("Kestrel:Limits").Bind(kestrel.Limits));
        MetricsListener.Listen(builder.Configuration);
        builder.Services.AddHealthChecks();
        // No traceId in bodies: answers stay byte-for-byte what the endpoint wrote (a rejection for a known and an
        // unknown tenant must not differ in anything).
        builder.Services.AddProblemDetails(problems => problems.CustomizeProblemDetails = context => context.ProblemDetails.Extensions.Remove("traceId"));
        builder.Services.AddExceptionHandler<UnexpectedErrorHandler>();
        // Real time unless a benchmark compresses it (Time:Scale, Time:Epoch). One registration: a TimeProvider.System
        // added first made this one a no-op, and from 2026-12-03 compressed runs had every service on real time.
        builder.Services.TryAddSingleton(TimeOptions.FromConfiguration(builder.Configuration));
        return builder;
    }

    /// <summary>Adds options bound to <paramref name="section"/>, validated at start-up.</summary>
    public static OptionsBuilder<T> AddValidatedOptions<T>(this IServiceCollection services, string section)
        where T : class =>
        services.AddOptions<T>().BindConfiguration(section).ValidateDataAnnotations().ValidateOnStart();

    /// <summary>
    /// The first middleware of every service: an unplanned failure becomes a short problem+json (503 + Retry-After for a
    /// dependency outage, else 500), the same in every environment (<see cref="UnexpectedErrorHandler"/>).
    /// </summary>
    public static WebApplication UseUnexpectedErrorHandling(this WebApplication app)
    {
        app.UseExceptionHandler();
        return app;
    }

    /// <summary>With <c>APP_API_TOKEN</c> set, subscription discovery and topic endpoints accept only the sidecar (<see cref="DaprAppToken"/>).</summary>
    public static WebApplication UseDaprAppToken(this WebApplication app)
    {
        app.UseMiddleware<DaprAppToken>();
        return app;
    }

    /// <summary>
    /// With <c>Metrics:Url</c> set, requests on that listener get <c>/metrics</c> and nothing else, before any other
    /// middleware sees them (<see cref="MetricsListener"/>). Without it, nothing: <see cref="MapDefaultEndpoints"/>
    /// maps <c>/metrics</c> on the service's own listener.
    /// </summary>
    public static WebApplication UseMetricsListener(this WebApplication app)
    {
        if (MetricsListener.Port(app.Configuration) is { } port)
        {
            MetricsListener.Use(app, port);
        }

        return app;
    }

    /// <summary>Records HTTP metrics (<c>http_request_duration_seconds</c> …) for every request that gets this far.</summary>
    public static WebApplication UseRequestMetrics(this WebApplication app)
    {
        app.UseHttpMetrics(options => options.ReduceStatusCodeCardinality());
        return app;
    }

    /// <summary>
    /// Maps <c>/healthz</c>, and <c>/metrics</c> unless it has a listener of its own (<see cref="UseMetricsListener"/>).
    /// </summary>
    public static WebApplication MapDefaultEndpoints(this WebApplication app)
    {
        app.MapHealthChecks("/healthz");
        if (MetricsListener.Port(app.Configuration) is null)
        {
            app.MapMetrics("/metrics");
        }

        return app;
    }
}

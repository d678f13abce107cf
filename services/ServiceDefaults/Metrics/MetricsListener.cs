using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Configuration;
using Prometheus;

namespace PolyAi.Messaging.ServiceDefaults;

/// <summary>
/// <c>/metrics</c> on a listener of its own (<c>Metrics:Url</c>, e.g. <c>http://0.0.0.0:8090</c>), so a port that an
/// Ingress routes never serves it: the chart sets it for every service and exposes only the service port publicly.
/// That listener answers <c>/metrics</c> and nothing else (404); the service's own listeners then answer 404 for
/// <c>/metrics</c>. Without <c>Metrics:Url</c> (a service run alone with <c>dotnet run</c>), <c>/metrics</c> is on the
/// service's listener as before.
/// </summary>
internal static class MetricsListener
{
    public const string UrlKey = "Metrics:Url";

    /// <summary>The metrics listener's port, or null when <c>Metrics:Url</c> is not set.</summary>
    public static int? Port(IConfiguration configuration)
    {
        var url = configuration[UrlKey];
        if (string.IsNullOrWhiteSpace(url))
        {
            return null;
        }

        var address = BindingAddress.Parse(url);
        if (address.Port <= 0 || !string.Equals(address.Scheme, "http", StringComparison.OrdinalIgnoreCase))
        {
            throw new InvalidOperationException($"{UrlKey} must be http://<host>:<port> with a fixed port, not '{url}'.");
        }

        return address.Port;
    }

    /// <summary>
    /// Adds the metrics listener as a Kestrel endpoint. Kestrel ignores <c>urls</c> (ASPNETCORE_URLS, --urls,
    /// ASPNETCORE_HTTP_PORTS) once any endpoint is configured, so those become named endpoints too (Kestrel then logs
    /// once at start that it overrides them: the addresses are the same).
    /// </summary>
    public static void Listen(IConfigurationManager configuration)
    {
        if (Port(configuration) is null)
        {
            return;
        }

        var endpoints = new Dictionary<string, string?> { ["Kestrel:Endpoints:Metrics:Url"] = configuration[UrlKey] };
        if (!configuration.GetSection("Kestrel:Endpoints").GetChildren().Any())
        {
            var urls = ServiceUrls(configuration);
            for (var i = 0; i < urls.Count; i++)
            {
                endpoints[$"Kestrel:Endpoints:Service{i}:Url"] = urls[i];
            }
        }

        configuration.AddInMemoryCollection(endpoints);
    }

    /// <summary>Before the rest of the pipeline: the metrics listener serves <c>/metrics</c> and 404 for anything else.</summary>
    public static void Use(WebApplication app, int port)
    {
        app.MapWhen(
            context => context.Connection.LocalPort == port,
            metrics =>
            {
                // Exactly /metrics (Map would also take /metrics/anything).
                metrics.MapWhen(context => context.Request.Path == "/metrics", scrape => scrape.UseMetricServer(url: null));
                metrics.Run(context =>
                {
                    context.Response.StatusCode = StatusCodes.Status404NotFound;
                    return Task.CompletedTask;
                });
            });
    }

    private const string UrlsKey = "urls";
    private const string HttpPortsKey = "http_ports";

    private static List<string> ServiceUrls(IConfiguration configuration)
    {
        var urls = Split(configuration[UrlsKey]);
        if (urls.Count == 0)
        {
            urls = Split(configuration[HttpPortsKey]).Select(port => $"http://*:{port}").ToList();
        }

        if (urls.Count == 0)
        {
            throw new InvalidOperationException($"With {UrlKey} set, tell the service where to listen too (ASPNETCORE_URLS or Kestrel:Endpoints).");
        }

        return urls;
    }

    private static List<string> Split(string? value) =>
        (value ?? "").Split(';', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).ToList();
}

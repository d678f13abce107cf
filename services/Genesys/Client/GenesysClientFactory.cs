using System.Collections.Concurrent;
using System.Security.Cryptography;
using System.Text;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Http.Resilience;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace PolyAi.Messaging.Genesys;

/// <summary>
/// Makes <see cref="GenesysClient"/>s for any org and OAuth client (one service serves many tenants) over
/// <see cref="IHttpClientFactory"/>, sharing one token cache per OAuth client however many clients are made.
/// </summary>
public sealed class GenesysClientFactory
{
    private readonly IHttpClientFactory _httpFactory;
    private readonly GenesysClientOptions _options;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;
    private readonly ConcurrentDictionary<string, AccessTokenCache> _tokens = new(StringComparer.Ordinal);

    public GenesysClientFactory(IHttpClientFactory httpFactory, IOptions<GenesysClientOptions> options, TimeProvider time, ILogger<GenesysClient> logger)
    {
        _httpFactory = httpFactory;
        _options = options.Value;
        _time = time;
        _logger = logger;
    }

    public GenesysClient Create(GenesysEnvironment environment, GenesysCredentials credentials)
    {
        ArgumentNullException.ThrowIfNull(environment);
        ArgumentNullException.ThrowIfNull(credentials);
        var tokens = _tokens.GetOrAdd(CacheKey(environment, credentials), _ => new AccessTokenCache(
            ct => OAuthToken.FetchAsync(NewHttpClient(), environment, credentials, _time, _logger, ct), _time, _logger));
        return new GenesysClient(new GenesysTransport(NewHttpClient, environment, tokens, _time, _logger, GenesysTransportKeys.Budget(environment, credentials)), credentials);
    }

    /// <summary>The client for the org configured in <see cref="GenesysClientOptions"/> (single-tenant tools).</summary>
    public GenesysClient CreateDefault()
    {
        if (_options.Environment is null || string.IsNullOrEmpty(_options.ClientId) || string.IsNullOrEmpty(_options.ClientSecret))
        {
            throw new InvalidOperationException(
                $"No default Genesys org: set {GenesysClientOptions.SectionName}:Environment, :ClientId and :ClientSecret, or use GenesysClientFactory.Create.");
        }

        return Create(GenesysEnvironment.Parse(_options.Environment), new GenesysCredentials(_options.ClientId, _options.ClientSecret));
    }

    private HttpClient NewHttpClient() => _httpFactory.CreateClient(GenesysHttp.HttpClientName);

    // A rotated secret gets its own cache entry; the key holds a digest, never the secret.
    private static string CacheKey(GenesysEnvironment environment, GenesysCredentials credentials) =>
        $"{environment.TokenUri}|{credentials.ClientId}|{Convert.ToHexString(SHA256.HashData(Encoding.UTF8.GetBytes(credentials.ClientSecret)))}";
}

public static class GenesysServiceCollectionExtensions
{
    /// <summary>
    /// Registers <see cref="GenesysClientFactory"/> (and, when a default org is configured, <see cref="GenesysClient"/>)
    /// over a named HttpClient with Genesys' retry/timeout policy and metrics. Options come from the
    /// <c>Genesys</c> configuration section when bound by the caller, then <paramref name="configure"/>.
    /// </summary>
    public static IHttpClientBuilder AddGenesysClient(this IServiceCollection services, Action<GenesysClientOptions>? configure = null)
    {
        GenesysMetricsHandler.ExportKnownSeries();
        var options = services.AddOptions<GenesysClientOptions>();
        if (configure is not null)
        {
            options.Configure(configure);
        }

        options.ValidateOnStart();
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<GenesysClientOptions>, GenesysClientOptionsValidator>());
        services.TryAddSingleton(TimeProvider.System);
        services.TryAddSingleton<GenesysClientFactory>();
        services.TryAddSingleton(sp => sp.GetRequiredService<GenesysClientFactory>().CreateDefault());
        services.TryAddTransient(sp => new GenesysMetricsHandler(sp.GetRequiredService<TimeProvider>()));
        services.TryAddTransient(sp => new GenesysBudgetHandler(sp.GetService<IGenesysRequestBudget>()));
        GenesysBudgetHandler.ExportKnownSeries();

        var http = services.AddHttpClient(GenesysHttp.HttpClientName, client => client.Timeout = Timeout.InfiniteTimeSpan);
        http.AddResilienceHandler("genesys", (pipeline, context) =>
        {
            pipeline.TimeProvider = context.ServiceProvider.GetRequiredService<TimeProvider>();
            GenesysResilience.Configure(
                pipeline,
                context.ServiceProvider.GetRequiredService<IOptions<GenesysClientOptions>>().Value,
                context.ServiceProvider.GetRequiredService<ILogger<GenesysClient>>());
        });
        http.AddHttpMessageHandler<GenesysMetricsHandler>();
        http.AddHttpMessageHandler<GenesysBudgetHandler>(); // innermost: every attempt, retries included, is charged
        return http;
    }
}

internal sealed class GenesysClientOptionsValidator : IValidateOptions<GenesysClientOptions>
{
    public ValidateOptionsResult Validate(string? name, GenesysClientOptions options)
    {
        var errors = options.Validate(new System.ComponentModel.DataAnnotations.ValidationContext(options))
            .Select(r => r.ErrorMessage ?? "Invalid Genesys client options.")
            .ToList();
        return errors.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(errors);
    }
}

internal static class GenesysTransportKeys
{
    /// <summary>Environment and OAuth client id: what Genesys counts requests against (no secret in it).</summary>
    public static string Budget(GenesysEnvironment environment, GenesysCredentials credentials) => $"{environment.ApiBaseUri.Authority}|{credentials.ClientId}";
}

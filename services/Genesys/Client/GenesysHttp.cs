using System.Diagnostics;
using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using System.Text.Json.Serialization.Metadata;
using Microsoft.Extensions.Http.Resilience;
using Microsoft.Extensions.Logging;
using Polly;
using Polly.Retry;
using Polly.Timeout;
using Prometheus;

namespace PolyAi.Messaging.Genesys;

/// <summary>What every Genesys call shares: the handler chain, error mapping and JSON reading.</summary>
internal static class GenesysHttp
{
    public const string HttpClientName = "PolyAi.Messaging.Genesys";

    /// <summary>Tells the resilience pipeline and the metrics handler which operation a request is.</summary>
    public static readonly HttpRequestOptionsKey<GenesysEndpoint> EndpointKey = new("genesys.endpoint");

    /// <summary>The OAuth client an API request is made as, for <see cref="IGenesysRequestBudget"/>.</summary>
    public static readonly HttpRequestOptionsKey<string> BudgetKey = new("genesys.budget-key");

    private const int MaxExcerpt = 300;

    /// <summary>The chain a client without DI uses: resilience (total timeout → retry → attempt timeout) → metrics → network.</summary>
    public static HttpClient CreateHttpClient(GenesysClientOptions options, HttpMessageHandler? primaryHandler, TimeProvider time, ILogger logger)
    {
        var pipeline = new ResiliencePipelineBuilder<HttpResponseMessage> { TimeProvider = time };
        GenesysResilience.Configure(pipeline, options, logger);
        var handler = new ResilienceHandler(pipeline.Build())
        {
            InnerHandler = new GenesysMetricsHandler(time)
            {
                InnerHandler = primaryHandler ?? new SocketsHttpHandler { PooledConnectionLifetime = TimeSpan.FromMinutes(2) },
            },
        };
        return new HttpClient(handler) { Timeout = Timeout.InfiniteTimeSpan };
    }

    /// <summary>Sends, turning the pipeline's timeout into a <see cref="TimeoutException"/> that names the endpoint.</summary>
    public static async Task<HttpResponseMessage> SendAsync(HttpClient http, HttpRequestMessage request, GenesysEndpoint endpoint, CancellationToken cancellationToken)
    {
        try
        {
            return await http.SendAsync(request, HttpCompletionOption.ResponseContentRead, cancellationToken);
        }
        catch (TimeoutRejectedException ex)
        {
            throw new TimeoutException($"Genesys {endpoint.Name} did not answer in time ({ex.Timeout.TotalSeconds:0.###} s).", ex);
        }
    }

    /// <summary>Throws <see cref="GenesysApiException"/> unless the status is 2xx.</summary>
    public static async Task EnsureSuccessAsync(HttpResponseMessage response, GenesysEndpoint endpoint, CancellationToken cancellationToken)
    {
        if (response.IsSuccessStatusCode)
        {
            return;
        }

        var bytes = await response.Content.ReadAsByteArrayAsync(cancellationToken);
        GenesysErrorBody? body = null;
        try
        {
            body = bytes.Length > 0 ? JsonSerializer.Deserialize(bytes, GenesysJsonContext.Default.GenesysErrorBody) : null;
        }
        catch (JsonException)
        {
            // Not Genesys' JSON (a gateway's HTML page, say): the excerpt below says what it was.
        }

        var excerpt = body?.Message is null && body?.Description is null && bytes.Length > 0 ? Excerpt(bytes) : null;
        throw new GenesysApiException(endpoint.Name, response.StatusCode, body, CorrelationId(response), RetryAfter(response, TimeProvider.System), excerpt);
    }

    /// <summary>Reads a 2xx JSON body as <typeparamref name="T"/>, or throws saying what was wrong with it.</summary>
    public static async Task<T> ReadAsync<T>(HttpResponseMessage response, GenesysEndpoint endpoint, JsonTypeInfo<T> type, CancellationToken cancellationToken)
        where T : class
    {
        await EnsureSuccessAsync(response, endpoint, cancellationToken);
        var bytes = await response.Content.ReadAsByteArrayAsync(cancellationToken);
        if (bytes.Length == 0)
        {
            throw new GenesysResponseException(endpoint.Name, response.StatusCode, "an empty body where JSON was expected", CorrelationId(response));
        }

        try
        {
            return JsonSerializer.Deserialize(bytes, type)
                ?? throw new GenesysResponseException(endpoint.Name, response.StatusCode, "JSON null where an object was expected", CorrelationId(response));
        }
        catch (JsonException ex)
        {
            throw new GenesysResponseException(
                endpoint.Name, response.StatusCode, $"malformed JSON ({ex.Message}): {Excerpt(bytes)}", CorrelationId(response), ex);
        }
    }

    public static string? CorrelationId(HttpResponseMessage response) =>
        response.Headers.TryGetValues("ININ-Correlation-Id", out var values) ? values.FirstOrDefault() : null;

    /// <summary>The <c>Retry-After</c> delay (seconds or a date), never negative.</summary>
    public static TimeSpan? RetryAfter(HttpResponseMessage response, TimeProvider time)
    {
        var header = response.Headers.RetryAfter;
        var delay = header?.Delta ?? (header?.Date is { } date ? date - time.GetUtcNow() : null);
        return delay is null ? null : delay < TimeSpan.Zero ? TimeSpan.Zero : delay;
    }

    public static ByteArrayContent JsonContent(byte[] body)
    {
        var content = new ByteArrayContent(body);
        content.Headers.ContentType = new MediaTypeHeaderValue("application/json") { CharSet = "utf-8" };
        return content;
    }

    private static string Excerpt(byte[] bytes)
    {
        var text = Encoding.UTF8.GetString(bytes, 0, Math.Min(bytes.Length, MaxExcerpt * 4));
        return text.Length > MaxExcerpt ? text[..MaxExcerpt] + "…" : text;
    }
}

/// <summary>
/// Retry and timeouts: a 429 is retried after its <c>Retry-After</c> (a longer wait than allowed surfaces at once),
/// 502/503/504, timeouts and network errors only for retry-safe endpoints, with jittered exponential backoff; every
/// attempt and the whole call are time-bounded.
/// </summary>
internal static partial class GenesysResilience
{
    public static void Configure(ResiliencePipelineBuilder<HttpResponseMessage> builder, GenesysClientOptions options, ILogger logger)
    {
        var time = builder.TimeProvider ?? TimeProvider.System;
        builder
            .AddTimeout(options.TotalTimeout)
            .AddRetry(new RetryStrategyOptions<HttpResponseMessage>
            {
                MaxRetryAttempts = Math.Max(options.MaxRetries, 1),
                BackoffType = DelayBackoffType.Exponential,
                UseJitter = true,
                Delay = options.RetryBaseDelay,
                MaxDelay = TimeSpan.FromSeconds(30),
                ShouldHandle = args => ValueTask.FromResult(
                    options.MaxRetries > 0 && ShouldRetry(args.Outcome, args.Context.GetRequestMessage(), options.MaxRetryAfter, time)),
                DelayGenerator = args => ValueTask.FromResult(
                    args.Outcome.Result is { StatusCode: HttpStatusCode.TooManyRequests or HttpStatusCode.ServiceUnavailable } response
                        ? GenesysHttp.RetryAfter(response, time)
                        : null),
                OnRetry = args =>
                {
                    var endpoint = args.Context.GetRequestMessage()?.Options.TryGetValue(GenesysHttp.EndpointKey, out var e) == true ? e.Name : "unknown";
                    var outcome = args.Outcome.Result is { } r ? ((int)r.StatusCode).ToString(System.Globalization.CultureInfo.InvariantCulture) : args.Outcome.Exception?.GetType().Name;
                    LogRetrying(logger, endpoint, args.AttemptNumber + 1, outcome, (long)args.RetryDelay.TotalMilliseconds);
                    return ValueTask.CompletedTask;
                },
            })
            .AddTimeout(options.AttemptTimeout);
    }

    internal static bool ShouldRetry(Outcome<HttpResponseMessage> outcome, HttpRequestMessage? request, TimeSpan maxRetryAfter, TimeProvider time)
    {
        var retrySafe = request?.Options.TryGetValue(GenesysHttp.EndpointKey, out var endpoint) == true
            ? endpoint.RetrySafe
            : request?.Method == HttpMethod.Get;
        return outcome switch
        {
            // Genesys refused without doing anything: safe for every endpoint, if the wait is one we accept.
            { Result.StatusCode: HttpStatusCode.TooManyRequests } => GenesysHttp.RetryAfter(outcome.Result, time) is not { } wait || wait <= maxRetryAfter,
            { Result.StatusCode: HttpStatusCode.BadGateway or HttpStatusCode.ServiceUnavailable or HttpStatusCode.GatewayTimeout } => retrySafe,
            { Exception: TimeoutRejectedException or HttpRequestException } => retrySafe,
            _ => false,
        };
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Genesys {Endpoint} attempt {Attempt} ended with {Outcome}; retrying in {DelayMs} ms")]
    private static partial void LogRetrying(ILogger logger, string endpoint, int attempt, string? outcome, long delayMs);
}

/// <summary>Counts and times every attempt (below the retry, so each 429 and 503 shows) by endpoint template.</summary>
internal sealed class GenesysMetricsHandler : DelegatingHandler
{
    private static readonly Counter Requests = Metrics.CreateCounter(
        "polyai_messaging_genesys_requests_total",
        "HTTP attempts sent to Genesys Cloud, by endpoint template and status (HTTP code, or timeout/error/canceled).",
        new CounterConfiguration { LabelNames = ["endpoint", "status"] });

    private static readonly Histogram Duration = Metrics.CreateHistogram(
        "polyai_messaging_genesys_request_duration_seconds",
        "Duration of HTTP attempts sent to Genesys Cloud, by endpoint template.",
        new HistogramConfiguration { LabelNames = ["endpoint"], Buckets = Histogram.ExponentialBuckets(0.005, 2, 14) });

    private readonly TimeProvider _time;

    public GenesysMetricsHandler(TimeProvider time) => _time = time;

    internal static Counter RequestsCounter => Requests;

    /// <summary>
    /// Creates the series alerts read before the first call is made (a labelled family only appears on /metrics once
    /// it has a child): token refusals (400/401) and rate limiting (429) on the token endpoint.
    /// </summary>
    internal static void ExportKnownSeries()
    {
        foreach (var status in (string[])["400", "401", "429"])
        {
            Requests.WithLabels(GenesysEndpoints.Token.Name, status);
        }
    }

    protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        var endpoint = request.Options.TryGetValue(GenesysHttp.EndpointKey, out var e) ? e.Name : "other";
        var started = _time.GetTimestamp();
        var status = "error";
        try
        {
            var response = await base.SendAsync(request, cancellationToken);
            status = ((int)response.StatusCode).ToString(System.Globalization.CultureInfo.InvariantCulture);
            return response;
        }
        catch (OperationCanceledException)
        {
            // The attempt timeout cancels the attempt; a caller's own cancellation looks the same from here.
            status = "timeout";
            throw;
        }
        finally
        {
            Requests.WithLabels(endpoint, status).Inc();
            Duration.WithLabels(endpoint).Observe(_time.GetElapsedTime(started).TotalSeconds);
        }
    }
}

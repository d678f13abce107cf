using System.Net;
using System.Net.Http.Headers;
using System.Text.Json;
using System.Text.Json.Serialization.Metadata;
using Microsoft.Extensions.Logging;

namespace PolyAi.Messaging.Genesys;

/// <summary>One org seen through one OAuth client: authorised JSON calls, with one token refresh on 401.</summary>
internal sealed partial class GenesysTransport
{
    private readonly Func<HttpClient> _http;
    private readonly AccessTokenCache _tokens;
    private readonly ILogger _logger;
    private readonly TimeProvider _time;

    public GenesysTransport(Func<HttpClient> http, GenesysEnvironment environment, AccessTokenCache tokens, TimeProvider time, ILogger logger, string budgetKey)
    {
        _http = http;
        BudgetKey = budgetKey;
        Environment = environment;
        _tokens = tokens;
        _time = time;
        _logger = logger;
    }

    public GenesysEnvironment Environment { get; }

    /// <summary>Which OAuth client's request budget the API calls are charged to.</summary>
    public string BudgetKey { get; }

    public TimeProvider Time => _time;

    public async Task<TResponse> SendAsync<TRequest, TResponse>(
        GenesysEndpoint endpoint, string pathAndQuery, TRequest body, JsonTypeInfo<TRequest> requestType, JsonTypeInfo<TResponse> responseType,
        CancellationToken cancellationToken)
        where TResponse : class
    {
        using var response = await SendAuthorizedAsync(endpoint, pathAndQuery, JsonSerializer.SerializeToUtf8Bytes(body, requestType), cancellationToken);
        return await GenesysHttp.ReadAsync(response, endpoint, responseType, cancellationToken);
    }

    public async Task<TResponse> SendAsync<TResponse>(GenesysEndpoint endpoint, string pathAndQuery, JsonTypeInfo<TResponse> responseType, CancellationToken cancellationToken)
        where TResponse : class
    {
        using var response = await SendAuthorizedAsync(endpoint, pathAndQuery, body: null, cancellationToken);
        return await GenesysHttp.ReadAsync(response, endpoint, responseType, cancellationToken);
    }

    /// <summary>For calls Genesys answers with an empty body (or one we do not need).</summary>
    public async Task SendAsync<TRequest>(GenesysEndpoint endpoint, string pathAndQuery, TRequest? body, JsonTypeInfo<TRequest> requestType, CancellationToken cancellationToken)
    {
        var bytes = body is null ? null : JsonSerializer.SerializeToUtf8Bytes(body, requestType);
        using var response = await SendAuthorizedAsync(endpoint, pathAndQuery, bytes, cancellationToken);
        await GenesysHttp.EnsureSuccessAsync(response, endpoint, cancellationToken);
    }

    public async Task SendAsync(GenesysEndpoint endpoint, string pathAndQuery, CancellationToken cancellationToken)
    {
        using var response = await SendAuthorizedAsync(endpoint, pathAndQuery, body: null, cancellationToken);
        await GenesysHttp.EnsureSuccessAsync(response, endpoint, cancellationToken);
    }

    /// <summary>
    /// PUTs to a presigned URL with exactly <paramref name="headers"/> and no Genesys bearer (the URL is its own
    /// credential, and the storage behind it rejects other authorisation).
    /// </summary>
    public async Task UploadAsync(Uri presignedUrl, IReadOnlyDictionary<string, string>? headers, byte[] body, CancellationToken cancellationToken)
    {
        var endpoint = GenesysEndpoints.UploadFlowJob;
        using var request = new HttpRequestMessage(HttpMethod.Put, presignedUrl) { Content = new ByteArrayContent(body) };
        foreach (var (name, value) in headers ?? new Dictionary<string, string>())
        {
            if (!request.Headers.TryAddWithoutValidation(name, value))
            {
                request.Content.Headers.TryAddWithoutValidation(name, value);
            }
        }

        request.Options.Set(GenesysHttp.EndpointKey, endpoint);
        using var response = await GenesysHttp.SendAsync(_http(), request, endpoint, cancellationToken);
        await GenesysHttp.EnsureSuccessAsync(response, endpoint, cancellationToken);
    }

    private async Task<HttpResponseMessage> SendAuthorizedAsync(GenesysEndpoint endpoint, string pathAndQuery, byte[]? body, CancellationToken cancellationToken)
    {
        var uri = new Uri(Environment.ApiBaseUri, pathAndQuery.TrimStart('/'));
        var token = await _tokens.GetAsync(cancellationToken);
        var response = await SendOnceAsync(endpoint, uri, body, token, cancellationToken);
        if (response.StatusCode != HttpStatusCode.Unauthorized)
        {
            return response;
        }

        // Revoked or expired early: one fresh token and one more try; a second 401 is the caller's to see.
        LogUnauthorizedRetrying(endpoint.Name);
        response.Dispose();
        _tokens.Invalidate(token);
        token = await _tokens.GetAsync(cancellationToken);
        return await SendOnceAsync(endpoint, uri, body, token, cancellationToken);
    }

    private async Task<HttpResponseMessage> SendOnceAsync(GenesysEndpoint endpoint, Uri uri, byte[]? body, string token, CancellationToken cancellationToken)
    {
        using var request = new HttpRequestMessage(endpoint.Method, uri);
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token);
        request.Headers.Accept.Add(new MediaTypeWithQualityHeaderValue("application/json"));
        if (body is not null)
        {
            request.Content = GenesysHttp.JsonContent(body);
        }

        request.Options.Set(GenesysHttp.EndpointKey, endpoint);
        request.Options.Set(GenesysHttp.BudgetKey, BudgetKey);
        var started = _time.GetTimestamp();
        var response = await GenesysHttp.SendAsync(_http(), request, endpoint, cancellationToken);
        if (_logger.IsEnabled(LogLevel.Debug))
        {
            var elapsedMs = (long)_time.GetElapsedTime(started).TotalMilliseconds;
            var correlationId = GenesysHttp.CorrelationId(response);
            LogAnswered(endpoint.Name, (int)response.StatusCode, elapsedMs, correlationId);
        }

        return response;
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Genesys answered 401 to {Endpoint}; fetching a new access token and trying once more")]
    private partial void LogUnauthorizedRetrying(string endpoint);

    [LoggerMessage(Level = LogLevel.Debug, Message = "Genesys {Endpoint} answered {Status} in {ElapsedMs} ms (correlation id {CorrelationId})")]
    private partial void LogAnswered(string endpoint, int status, long elapsedMs, string? correlationId);
}

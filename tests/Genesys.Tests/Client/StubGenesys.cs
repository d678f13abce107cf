using System.Collections.Concurrent;
using System.Net;
using System.Text;
using Microsoft.Extensions.Logging;

namespace PolyAi.Messaging.Genesys.Tests.Client;

/// <summary>A request as the network saw it (body read before the client disposed it).</summary>
public sealed record SeenRequest(HttpMethod Method, Uri Uri, IReadOnlyDictionary<string, string> Headers, string Body)
{
    public string Path => Uri.AbsolutePath;
}

/// <summary>
/// A primary handler standing in for Genesys: answers the token endpoint itself (token-1, token-2, …) and every other
/// request from <see cref="Respond"/>; records everything it saw.
/// </summary>
public sealed class StubGenesys : HttpMessageHandler
{
    public static readonly Uri BaseUrl = new("http://genesys.test/");
    public const string ClientId = "client-7f3a";
    public const string ClientSecret = "s3cr3t-VALUE-never-logged";

    private int _tokens;

    public ConcurrentQueue<SeenRequest> Requests { get; } = new();

    public Func<SeenRequest, int, Task<HttpResponseMessage>> Respond { get; set; } = (_, _) => Task.FromResult(Json(HttpStatusCode.OK, "{}"));

    /// <summary>Seconds each issued token lives.</summary>
    public int TokenLifetimeSeconds { get; set; } = 86399;

    public int TokensIssued => _tokens;

    public IReadOnlyList<SeenRequest> ApiRequests => [.. Requests.Where(r => r.Path != "/oauth/token")];

    public static HttpResponseMessage Json(HttpStatusCode status, string json, params (string Name, string Value)[] headers)
    {
        var response = new HttpResponseMessage(status) { Content = new StringContent(json, Encoding.UTF8, "application/json") };
        foreach (var (name, value) in headers)
        {
            response.Headers.TryAddWithoutValidation(name, value);
        }

        return response;
    }

    public static GenesysClient Client(StubGenesys stub, GenesysClientOptions? options = null, TimeProvider? time = null, ILoggerFactory? logs = null) =>
        new(GenesysEnvironment.ForBaseUrl(BaseUrl), new GenesysCredentials(ClientId, ClientSecret), options ?? FastOptions(), stub, time, logs);

    /// <summary>Short waits so retry tests stay fast.</summary>
    public static GenesysClientOptions FastOptions() => new()
    {
        RetryBaseDelay = TimeSpan.FromMilliseconds(5),
        AttemptTimeout = TimeSpan.FromSeconds(5),
        TotalTimeout = TimeSpan.FromSeconds(20),
        MaxRetryAfter = TimeSpan.FromSeconds(5),
    };

    protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        var headers = request.Headers.Concat(request.Content?.Headers ?? Enumerable.Empty<KeyValuePair<string, IEnumerable<string>>>())
            .ToDictionary(h => h.Key, h => string.Join(",", h.Value), StringComparer.OrdinalIgnoreCase);
        var body = request.Content is null ? string.Empty : await request.Content.ReadAsStringAsync(cancellationToken);
        var seen = new SeenRequest(request.Method, request.RequestUri!, headers, body);
        Requests.Enqueue(seen);
        if (seen.Path == "/oauth/token")
        {
            var n = Interlocked.Increment(ref _tokens);
            return Json(HttpStatusCode.OK, $$"""{"access_token":"token-{{n}}-SECRETISH","token_type":"bearer","expires_in":{{TokenLifetimeSeconds}}}""");
        }

        var attempt = Requests.Count(r => r.Path == seen.Path && r.Method == seen.Method);
        var response = await Respond(seen, attempt).WaitAsync(cancellationToken); // like a socket, an aborted attempt stops waiting
        response.RequestMessage = request;
        return response;
    }
}

/// <summary>Collects every log line (message and structured values) at every level.</summary>
public sealed class CapturingLoggerProvider : ILoggerProvider
{
    public ConcurrentQueue<string> Lines { get; } = new();

    public ILogger CreateLogger(string categoryName) => new Logger(categoryName, Lines);

    public void Dispose()
    {
    }

    private sealed class Logger(string category, ConcurrentQueue<string> lines) : ILogger
    {
        public IDisposable? BeginScope<TState>(TState state)
            where TState : notnull
        {
            lines.Enqueue($"{category} scope: {state}");
            return null;
        }

        public bool IsEnabled(LogLevel logLevel) => true;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
        {
            var values = state is IEnumerable<KeyValuePair<string, object?>> pairs ? string.Join(";", pairs.Select(p => $"{p.Key}={p.Value}")) : string.Empty;
            lines.Enqueue($"{logLevel} {category}: {formatter(state, exception)} | {values} | {exception}");
        }
    }
}

using System.Net;
using System.Text.Json;

namespace PolyAi.Messaging.Genesys;

/// <summary>
/// Genesys answered with an error status. Carries what its error body says
/// (<c>{"message","code","status","contextId","details","errors"}</c>, or OAuth's <c>{"error","description"}</c>)
/// and the correlation id to quote to Genesys support.
/// </summary>
public sealed class GenesysApiException : Exception
{
    public GenesysApiException(string endpoint, HttpStatusCode status, GenesysErrorBody? body, string? correlationId, TimeSpan? retryAfter, string? rawBodyExcerpt)
        : base(Describe(endpoint, status, body, correlationId, rawBodyExcerpt))
    {
        Endpoint = endpoint;
        Status = status;
        Body = body;
        Code = body?.Code ?? body?.Error;
        GenesysMessage = body?.Message ?? body?.Description;
        CorrelationId = correlationId ?? body?.ContextId;
        RetryAfter = retryAfter;
    }

    public GenesysApiException()
        : this("unknown", HttpStatusCode.InternalServerError, null, null, null, null)
    {
    }

    public GenesysApiException(string message)
        : base(message)
    {
        Endpoint = "unknown";
    }

    public GenesysApiException(string message, Exception innerException)
        : base(message, innerException)
    {
        Endpoint = "unknown";
    }

    /// <summary>The route template, e.g. <c>GET /api/v2/routing/queues/{queueId}</c>.</summary>
    public string Endpoint { get; }

    public HttpStatusCode Status { get; }

    /// <summary>Genesys' error code, e.g. <c>bad.request</c>, <c>not.found</c>, <c>invalid_client</c>.</summary>
    public string? Code { get; }

    /// <summary>Genesys' own message, if the body had one.</summary>
    public string? GenesysMessage { get; }

    /// <summary><c>ININ-Correlation-Id</c>, else the body's <c>contextId</c>.</summary>
    public string? CorrelationId { get; }

    /// <summary>The server's <c>Retry-After</c> (429/503), when given.</summary>
    public TimeSpan? RetryAfter { get; }

    public GenesysErrorBody? Body { get; }

    private static string Describe(string endpoint, HttpStatusCode status, GenesysErrorBody? body, string? correlationId, string? raw)
    {
        var message = body?.Message ?? body?.Description ?? raw;
        var code = body?.Code ?? body?.Error;
        return $"Genesys {endpoint} failed with {(int)status} {status}"
            + (code is null ? string.Empty : $" ({code})")
            + (string.IsNullOrWhiteSpace(message) ? "." : $": {message}")
            + ((correlationId ?? body?.ContextId) is { } id ? $" [correlation id {id}]" : string.Empty);
    }
}

/// <summary>
/// Genesys answered 2xx but not with what the API promises (malformed JSON, an empty body, a JSON <c>null</c>).
/// </summary>
public sealed class GenesysResponseException : Exception
{
    public GenesysResponseException(string endpoint, HttpStatusCode status, string problem, string? correlationId, Exception? innerException = null)
        : base($"Genesys {endpoint} answered {(int)status} with {problem}"
            + (correlationId is null ? "." : $" [correlation id {correlationId}]."), innerException)
    {
        Endpoint = endpoint;
        Status = status;
        CorrelationId = correlationId;
    }

    public GenesysResponseException()
        : this("unknown", HttpStatusCode.OK, "an unreadable body", null)
    {
    }

    public GenesysResponseException(string message)
        : base(message)
    {
        Endpoint = "unknown";
    }

    public GenesysResponseException(string message, Exception innerException)
        : base(message, innerException)
    {
        Endpoint = "unknown";
    }

    public string Endpoint { get; }

    public HttpStatusCode Status { get; }

    public string? CorrelationId { get; }
}

/// <summary>The Platform API error body; <see cref="Error"/>/<see cref="Description"/> are the OAuth host's shape.</summary>
public sealed record GenesysErrorBody
{
    public string? Message { get; init; }
    public string? Code { get; init; }
    public int? Status { get; init; }
    public string? ContextId { get; init; }
    public string? MessageWithParams { get; init; }
    public IReadOnlyDictionary<string, string>? MessageParams { get; init; }
    public IReadOnlyList<JsonElement>? Details { get; init; }
    public IReadOnlyList<JsonElement>? Errors { get; init; }
    public string? Error { get; init; }
    public string? Description { get; init; }
}

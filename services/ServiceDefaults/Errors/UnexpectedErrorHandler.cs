using Dapr;
using Grpc.Core;
using Microsoft.AspNetCore.Diagnostics;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc;
using Microsoft.Extensions.Logging;

namespace PolyAi.Messaging.ServiceDefaults;

/// <summary>
/// What a caller sees when a request fails in a way no endpoint planned for, in every environment alike (the developer
/// exception page never gets to show a stack trace or the request's headers): a short problem+json, 503 with
/// <c>Retry-After</c> when a dependency (state store, pub/sub, sidecar, an HTTP call) failed, so callers retry, else
/// 500. The exception is logged, within a budget, never written to the response.
/// </summary>
public sealed partial class UnexpectedErrorHandler(IProblemDetailsService problems, TimeProvider time, ILogger<UnexpectedErrorHandler> logger)
    : IExceptionHandler
{
    public const int RetryAfterSeconds = 5;

    private readonly LogBudget _log = new(burst: 20, interval: TimeSpan.FromSeconds(1), time);

    public async ValueTask<bool> TryHandleAsync(HttpContext httpContext, Exception exception, CancellationToken cancellationToken)
    {
        if (httpContext.RequestAborted.IsCancellationRequested)
        {
            // The caller is gone; there is no one to answer.
            return true;
        }

        var outage = IsDependencyOutage(exception);
        if (_log.TryTake(out var suppressed))
        {
            LogFailed(exception, httpContext.Request.Method, httpContext.Request.Path, outage, suppressed);
        }

        httpContext.Response.Clear();
        httpContext.Response.StatusCode = outage ? StatusCodes.Status503ServiceUnavailable : StatusCodes.Status500InternalServerError;
        if (outage)
        {
            httpContext.Response.Headers.RetryAfter = RetryAfterSeconds.ToString(System.Globalization.CultureInfo.InvariantCulture);
        }

        await problems.WriteAsync(new ProblemDetailsContext
        {
            HttpContext = httpContext,
            ProblemDetails = new ProblemDetails
            {
                Status = httpContext.Response.StatusCode,
                Title = outage ? "Service Unavailable" : "Internal Server Error",
                Detail = outage ? "A service this request needs is not answering; retry shortly." : "The request failed unexpectedly.",
            },
        });
        return true;
    }

    /// <summary>A failure of something this service depends on, rather than of the request or of our code.</summary>
    public static bool IsDependencyOutage(Exception exception) => exception switch
    {
        DaprException or HttpRequestException or TimeoutException or OperationCanceledException => true,
        RpcException rpc => rpc.StatusCode is StatusCode.Unavailable or StatusCode.DeadlineExceeded
            or StatusCode.ResourceExhausted or StatusCode.Aborted or StatusCode.Internal or StatusCode.Unknown,
        _ => exception.InnerException is { } inner && IsDependencyOutage(inner),
    };

    [LoggerMessage(Level = LogLevel.Error, Message = "{Method} {Path} failed unexpectedly (dependency outage: {Outage}; {Suppressed} more like it not logged since the last)")]
    private partial void LogFailed(Exception exception, string method, string path, bool outage, long suppressed);
}

using System.Globalization;
using Microsoft.Extensions.Options;
using Yarp.ReverseProxy.Forwarder;

namespace PolyAi.Messaging.Edge;

/// <summary>
/// Around every forward: refuses bodies over the limit (by Content-Length up front, by counting while streaming
/// otherwise), and turns "the verifier could not be reached" into 503 so Genesys retries instead of giving up.
/// </summary>
public static class ForwardingGuard
{
    public static async Task InvokeAsync(HttpContext context, Func<Task> next)
    {
        var options = context.RequestServices.GetRequiredService<IOptions<EdgeOptions>>().Value;
        if (context.Request.ContentLength > options.MaxWebhookBodyBytes)
        {
            await RejectTooLargeAsync(context, options);
            return;
        }

        var body = new LimitedBodyStream(context.Request.Body, options.MaxWebhookBodyBytes);
        context.Request.Body = body;
        await next();

        var error = context.GetForwarderErrorFeature();
        if (error is null || context.Response.HasStarted)
        {
            return;
        }

        if (body.Exceeded)
        {
            context.Response.Clear();
            await RejectTooLargeAsync(context, options);
        }
        else if (!IsCallersFault(error.Error))
        {
            context.Response.Clear();
            EdgeMetrics.Reject(EdgeMetrics.VerifierUnavailable);
            context.Response.Headers.RetryAfter = options.RetryAfterSeconds.ToString(CultureInfo.InvariantCulture);
            await TypedResults.Problem(
                    title: "Service Unavailable",
                    statusCode: StatusCodes.Status503ServiceUnavailable,
                    detail: "The notification could not be delivered now; retry later.")
                .ExecuteAsync(context);
        }
    }

    private static bool IsCallersFault(ForwarderError error) => error is ForwarderError.RequestCanceled
        or ForwarderError.RequestBodyCanceled or ForwarderError.RequestBodyClient
        or ForwarderError.ResponseBodyCanceled or ForwarderError.ResponseBodyClient;

    private static Task RejectTooLargeAsync(HttpContext context, EdgeOptions options)
    {
        EdgeMetrics.Reject(EdgeMetrics.TooLarge);
        return TypedResults.Problem(
                title: "Payload Too Large",
                statusCode: StatusCodes.Status413PayloadTooLarge,
                detail: $"The body exceeds {options.MaxWebhookBodyBytes} bytes.")
            .ExecuteAsync(context);
    }
}

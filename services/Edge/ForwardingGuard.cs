using System.Globalization;
using Microsoft.Extensions.Options;
using Yarp.ReverseProxy.Forwarder;
using Yarp.ReverseProxy.Model;

namespace PolyAi.Messaging.Edge;

/// <summary>
/// Around every forward: refuses bodies over the limit (by Content-Length up front, by counting while streaming
/// otherwise), and turns "the destination could not be reached" into 503 so Genesys (or the webchat) retries
/// instead of giving up. Each route's limit is named by its <c>BodyLimit</c> metadata.
/// </summary>
public static class ForwardingGuard
{
    public static async Task InvokeAsync(HttpContext context, Func<Task> next)
    {
        var options = context.RequestServices.GetRequiredService<IOptions<EdgeOptions>>().Value;
        var route = context.GetReverseProxyFeature().Route.Config;
        var limit = options.MaxBodyBytesFor(route.Metadata);
        if (context.Request.ContentLength > limit)
        {
            await RejectTooLargeAsync(context, limit);
            return;
        }

        var body = new LimitedBodyStream(context.Request.Body, limit);
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
            await RejectTooLargeAsync(context, limit);
        }
        else if (!IsCallersFault(error.Error))
        {
            context.Response.Clear();
            var isChat = route.ClusterId == "agent";
            EdgeMetrics.Reject(isChat ? EdgeMetrics.AgentUnavailable : EdgeMetrics.VerifierUnavailable);
            context.Response.Headers.RetryAfter = options.RetryAfterSeconds.ToString(CultureInfo.InvariantCulture);
            await TypedResults.Problem(
                    title: "Service Unavailable",
                    statusCode: StatusCodes.Status503ServiceUnavailable,
                    detail: isChat ? "The chat service could not be reached now; retry later." : "The notification could not be delivered now; retry later.")
                .ExecuteAsync(context);
        }
    }

    private static bool IsCallersFault(ForwarderError error) => error is ForwarderError.RequestCanceled
        or ForwarderError.RequestBodyCanceled or ForwarderError.RequestBodyClient
        or ForwarderError.ResponseBodyCanceled or ForwarderError.ResponseBodyClient;

    private static Task RejectTooLargeAsync(HttpContext context, int limit)
    {
        EdgeMetrics.Reject(EdgeMetrics.TooLarge);
        return TypedResults.Problem(
                title: "Payload Too Large",
                statusCode: StatusCodes.Status413PayloadTooLarge,
                detail: $"The body exceeds {limit} bytes.")
            .ExecuteAsync(context);
    }
}

using Microsoft.AspNetCore.Http.Features;
using Yarp.ReverseProxy.Transforms;
using Yarp.ReverseProxy.Transforms.Builder;

namespace PolyAi.Messaging.Edge;

/// <summary>
/// Server-Sent Events from the agent pass through unbuffered. YARP already flushes each chunk as it arrives; this
/// also sends the response headers at once (a browser's stream counts as open only then, and the agent may have
/// nothing to say for minutes) and tells an nginx ingress in front not to buffer either.
/// </summary>
public static class EventStreams
{
    public static void Add(TransformBuilderContext builder) => builder.AddResponseTransform(async transform =>
    {
        if (transform.ProxyResponse?.Content.Headers.ContentType?.MediaType != "text/event-stream")
        {
            return;
        }

        var response = transform.HttpContext.Response;
        response.Headers["X-Accel-Buffering"] = "no";
        response.HttpContext.Features.GetRequiredFeature<IHttpResponseBodyFeature>().DisableBuffering();
        await response.StartAsync(transform.HttpContext.RequestAborted);
        await response.Body.FlushAsync(transform.HttpContext.RequestAborted);
    });
}

using Microsoft.AspNetCore.Http.HttpResults;
using PolyAi.Messaging.DevSidecar.Components;
using PolyAi.Messaging.DevSidecar.PubSub;

namespace PolyAi.Messaging.DevSidecar.Api;

/// <summary>The slice of daprd's HTTP API the project's services use: health, publish, metadata.</summary>
internal static class DaprHttpApi
{
    private const string MetadataQueryPrefix = "metadata.";

    public static IEndpointRouteBuilder MapDaprHttpApi(this IEndpointRouteBuilder endpoints)
    {
        var api = endpoints.MapGroup("/v1.0");
        api.MapGet("/healthz", () => TypedResults.NoContent());
        api.MapGet("/healthz/outbound", () => TypedResults.NoContent());
        api.MapPost("/publish/{pubsub}/{**topic}", PublishAsync);
        api.MapGet("/metadata", (DevSidecarApp app, ComponentCatalog catalog, PubSubBroker broker) =>
            TypedResults.Json(MetadataDocument.For(app.AppId, catalog, broker), SidecarJsonContext.Default.MetadataDocument));
        return endpoints;
    }

    private static async Task<Results<NoContent, JsonHttpResult<ErrorDocument>>> PublishAsync(
        string pubsub,
        string topic,
        HttpRequest request,
        DevSidecarApp app,
        PubSubBroker broker)
    {
        using var body = new MemoryStream();
        await request.Body.CopyToAsync(body, request.HttpContext.RequestAborted);
        var metadata = request.Query
            .Where(q => q.Key.StartsWith(MetadataQueryPrefix, StringComparison.Ordinal))
            .ToDictionary(q => q.Key[MetadataQueryPrefix.Length..], q => q.Value.ToString());
        try
        {
            broker.Publish(app.AppId, new Publication(
                pubsub,
                topic,
                body.ToArray(),
                request.ContentType,
                metadata,
                request.Headers["traceparent"].FirstOrDefault(),
                request.Headers["tracestate"].FirstOrDefault()));
            return TypedResults.NoContent();
        }
        catch (DaprApiException e)
        {
            return TypedResults.Json(new ErrorDocument(e.ErrorCode, e.Message), SidecarJsonContext.Default.ErrorDocument, statusCode: e.HttpStatus);
        }
    }
}

using Microsoft.AspNetCore.Http.HttpResults;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace PolyAi.Messaging.GenesysSimulator.Http;

internal static class RequestBody
{
    /// <summary>The body as a JSON value, or the 400 Genesys answers for a body that is not JSON.</summary>
    public static async Task<(JsonNode? Node, JsonHttpResult<JsonObject>? Error)> ReadAsync(HttpRequest request)
    {
        try
        {
            var node = await JsonNode.ParseAsync(request.Body, cancellationToken: request.HttpContext.RequestAborted);
            return node is null
                ? (null, GenesysErrors.BadRequest("The request could not be understood by the server due to malformed syntax."))
                : (node, null);
        }
        catch (JsonException)
        {
            return (null, GenesysErrors.BadRequest("The request could not be understood by the server due to malformed syntax."));
        }
    }

    public static async Task<(JsonObject? Object, JsonHttpResult<JsonObject>? Error)> ReadObjectAsync(HttpRequest request)
    {
        var (node, error) = await ReadAsync(request);
        return error is not null ? (null, error)
            : node is JsonObject obj ? (obj, null)
            : (null, GenesysErrors.BadRequest("The request body must be a JSON object."));
    }

    public static string? String(JsonNode? node) =>
        node is JsonValue value && value.TryGetValue<string>(out var text) ? text : null;
}

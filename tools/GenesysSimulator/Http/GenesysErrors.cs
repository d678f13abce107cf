using Microsoft.AspNetCore.Http.HttpResults;
using System.Text.Json.Nodes;

namespace PolyAi.Messaging.GenesysSimulator.Http;

/// <summary>Platform API error bodies: <c>{"message","code","status","contextId","details":[],"errors":[]}</c>.</summary>
internal static class GenesysErrors
{
    public static JsonObject Body(int status, string code, string message) => new()
    {
        ["message"] = message,
        ["code"] = code,
        ["status"] = status,
        ["contextId"] = Guid.NewGuid().ToString("D"),
        ["details"] = new JsonArray(),
        ["errors"] = new JsonArray(),
    };

    public static JsonHttpResult<JsonObject> Result(int status, string code, string message) =>
        TypedResults.Json(Body(status, code, message), SimulatorJson.Default.JsonObject, statusCode: status);

    public static JsonHttpResult<JsonObject> BadRequest(string message) => Result(400, "bad.request", message);

    public static JsonHttpResult<JsonObject> NotFound(string message = "The requested resource was not found.") => Result(404, "not.found", message);

    public static Task WriteAsync(HttpContext context, int status, string code, string message)
    {
        context.Response.StatusCode = status;
        return context.Response.WriteAsJsonAsync(Body(status, code, message), SimulatorJson.Default.JsonObject);
    }
}

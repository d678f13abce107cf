using System.Security.Cryptography;
using System.Text;

namespace PolyAi.Messaging.DevSidecar.Api;

/// <summary>
/// daprd's <c>DAPR_API_TOKEN</c> check: without a matching <c>dapr-api-token</c> header, HTTP calls get
/// 401 "invalid api token" (health probes excepted) and gRPC calls get Unauthenticated.
/// </summary>
internal sealed class ApiTokenMiddleware(RequestDelegate next, string apiToken)
{
    public const string HeaderName = "dapr-api-token";
    private readonly byte[] _expected = Encoding.UTF8.GetBytes(apiToken);

    public async Task InvokeAsync(HttpContext context)
    {
        if (context.Request.Path.StartsWithSegments("/v1.0/healthz", StringComparison.OrdinalIgnoreCase) || HasValidToken(context.Request))
        {
            await next(context);
            return;
        }

        if (context.Request.ContentType?.StartsWith("application/grpc", StringComparison.OrdinalIgnoreCase) == true)
        {
            // A trailers-only gRPC answer: status in the headers, no body.
            context.Response.ContentType = "application/grpc";
            context.Response.Headers["grpc-status"] = ((int)Grpc.Core.StatusCode.Unauthenticated).ToString(System.Globalization.CultureInfo.InvariantCulture);
            context.Response.Headers["grpc-message"] = "authentication error: api token mismatch";
            return;
        }

        context.Response.StatusCode = StatusCodes.Status401Unauthorized;
        await context.Response.WriteAsync("invalid api token", context.RequestAborted);
    }

    private bool HasValidToken(HttpRequest request) =>
        request.Headers.TryGetValue(HeaderName, out var token) &&
        CryptographicOperations.FixedTimeEquals(Encoding.UTF8.GetBytes(token.ToString()), _expected);
}

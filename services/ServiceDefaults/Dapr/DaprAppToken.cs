using System.Security.Cryptography;
using System.Text;
using Dapr;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Configuration;

namespace PolyAi.Messaging.ServiceDefaults;

/// <summary>
/// Only the sidecar may call what the sidecar calls: with <c>APP_API_TOKEN</c> set (the same value daprd gets from
/// the <c>dapr.io/app-token-secret</c> annotation, so it sends it as <c>dapr-api-token</c> on every call to the app),
/// the subscription discovery (<c>/dapr/…</c>) and every topic endpoint answer 401 without a matching header,
/// compared in constant time. Other endpoints (chat API, health, metrics) are not the sidecar's and are left alone.
/// Without the setting nothing is checked (a local run without a token).
/// </summary>
public sealed class DaprAppToken(RequestDelegate next, IConfiguration configuration)
{
    public const string HeaderName = "dapr-api-token";
    public const string Setting = "APP_API_TOKEN";

    private readonly byte[]? _expected = configuration[Setting] is { Length: > 0 } token ? Encoding.UTF8.GetBytes(token) : null;

    public Task InvokeAsync(HttpContext context)
    {
        if (_expected is null || !IsForTheSidecar(context) || Matches(context.Request.Headers[HeaderName].ToString()))
        {
            return next(context);
        }

        return Results.Problem(statusCode: StatusCodes.Status401Unauthorized, title: "Unauthorized",
            detail: $"Only the Dapr sidecar may call this endpoint ({HeaderName}).").ExecuteAsync(context);
    }

    private static bool IsForTheSidecar(HttpContext context) =>
        context.Request.Path.StartsWithSegments("/dapr", StringComparison.Ordinal)
        || context.GetEndpoint()?.Metadata.GetMetadata<ITopicMetadata>() is not null;

    private bool Matches(string presented)
    {
        var bytes = Encoding.UTF8.GetBytes(presented);
        return CryptographicOperations.FixedTimeEquals(bytes, _expected);
    }
}

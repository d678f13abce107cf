using System.Text.RegularExpressions;
using PolyAi.Messaging.GenesysSimulator.World;

namespace PolyAi.Messaging.GenesysSimulator.Http;

/// <summary>
/// What stands in front of every Genesys path: injected faults, the correlation id, bearer authentication (for
/// <c>/api/v2</c>) and the per-client rate limit with its <c>inin-ratelimit-*</c> headers.
/// </summary>
internal sealed class ApiGate(Org org, FaultBook faults)
{
    public const string ClientItem = "genesys.client";

    /// <summary>The bearer token the call presented (notification channels are listed per token).</summary>
    public const string TokenItem = "genesys.token";

    public async Task InvokeAsync(HttpContext context, RequestDelegate next)
    {
        var path = context.Request.Path.Value ?? "";
        var isApi = path.StartsWith("/api/v2/", StringComparison.Ordinal);
        if (!isApi && path != "/oauth/token")
        {
            await next(context);
            return;
        }

        context.Response.Headers["ININ-Correlation-Id"] = Guid.NewGuid().ToString("D");
        var fault = faults.Take(context.Request.Method, path);
        if (fault is { AfterProcessing: true })
        {
            await ProcessThenLoseTheAnswerAsync(context, next, fault);
            return;
        }

        if (fault is not null)
        {
            if (fault.LatencyMs > 0)
            {
                await Task.Delay(TimeSpan.FromMilliseconds(fault.LatencyMs), org.Time, context.RequestAborted);
            }

            if (fault.MalformedBody)
            {
                context.Response.StatusCode = fault.Status ?? 200;
                context.Response.ContentType = "application/json";
                await context.Response.WriteAsync("{\"id\":\"truncated", context.RequestAborted);
                return;
            }

            if (fault.Status is { } status)
            {
                if (fault.RetryAfterSeconds is { } retryAfter)
                {
                    context.Response.Headers.RetryAfter = retryAfter.ToString(System.Globalization.CultureInfo.InvariantCulture);
                }

                await GenesysErrors.WriteAsync(context, status, CodeOf(status), $"Injected fault: {status}");
                return;
            }
        }

        // Token requests count per presented client credentials (client.credentials.token.rate.per.minute), API calls per client.
        var (client, problem) = isApi ? Authenticate(context.Request.Headers.Authorization.ToString()) : (null, null);
        var key = isApi ? client?.Id ?? "anonymous" : "token:" + context.Request.Headers.Authorization.ToString();
        var (allowed, count, reset) = org.CountRequest(key);
        context.Response.Headers["inin-ratelimit-count"] = count.ToString(System.Globalization.CultureInfo.InvariantCulture);
        context.Response.Headers["inin-ratelimit-allowed"] = org.Options.RateLimitPerMinute.ToString(System.Globalization.CultureInfo.InvariantCulture);
        context.Response.Headers["inin-ratelimit-reset"] = reset.ToString(System.Globalization.CultureInfo.InvariantCulture);
        if (!allowed)
        {
            context.Response.Headers.RetryAfter = reset.ToString(System.Globalization.CultureInfo.InvariantCulture);
            await GenesysErrors.WriteAsync(context, 429, "too.many.requests", $"Rate limit exceeded the maximum. [{org.Options.RateLimitPerMinute}] requests for [client.credentials.token.rate.per.minute]");
            if (client is not null)
            {
                org.LogApiCall(client.Id, context.Request.Method, path, 429); // the log is how a harness counts 429s
            }

            return;
        }

        if (!isApi)
        {
            await next(context);
            return;
        }

        if (problem is { } p)
        {
            await GenesysErrors.WriteAsync(context, 401, p.Code, p.Message);
            return;
        }

        context.Items[ClientItem] = client;
        context.Items[TokenItem] = BearerToken(context.Request.Headers.Authorization.ToString());
        try
        {
            await next(context);
        }
        finally
        {
            org.LogApiCall(client!.Id, context.Request.Method, path, context.Response.StatusCode);
        }
    }

    private static string CodeOf(int status) =>
        status switch { 429 => "too.many.requests", 503 => "service.unavailable", 502 => "bad.gateway", 504 => "gateway.timeout", >= 500 => "internal.server.error", _ => "bad.request" };

    // The work is done (the handler runs on a buffered response), then the client gets a 5xx or nothing in time.
    private async Task ProcessThenLoseTheAnswerAsync(HttpContext context, RequestDelegate next, FaultRule fault)
    {
        var original = context.Response.Body;
        using var buffer = new MemoryStream();
        context.Response.Body = buffer;
        try
        {
            var (client, problem) = Authenticate(context.Request.Headers.Authorization.ToString());
            if (problem is null)
            {
                context.Items[ClientItem] = client;
                context.Items[TokenItem] = BearerToken(context.Request.Headers.Authorization.ToString());
                await next(context);
            }
        }
        finally
        {
            context.Response.Body = original;
        }

        if (fault.Status is { } status)
        {
            context.Response.Clear();
            await GenesysErrors.WriteAsync(context, status, CodeOf(status), $"Injected fault after processing: {status}");
            return;
        }

        try
        {
            await Task.Delay(TimeSpan.FromMilliseconds(fault.LatencyMs), org.Time, org.Stopping);
            buffer.Position = 0;
            await buffer.CopyToAsync(original, context.RequestAborted);
        }
        catch (Exception e) when (e is OperationCanceledException or IOException)
        {
            // The client gave up waiting, as intended.
        }
    }

    private static string? BearerToken(string header)
    {
        const string prefix = "Bearer ";
        return header.StartsWith(prefix, StringComparison.OrdinalIgnoreCase) && header.Length > prefix.Length ? header[prefix.Length..].Trim() : null;
    }

    private (OAuthClient? Client, (string Code, string Message)? Problem) Authenticate(string header)
    {
        if (BearerToken(header) is not { } presented)
        {
            return (null, ("authentication.required", "No authentication bearer token specified in authorization header."));
        }

        lock (org.Gate)
        {
            if (!org.Tokens.TryGetValue(presented, out var token)
                || token.ExpiresAt <= org.Now
                || !org.Clients.TryGetValue(token.ClientId, out var client))
            {
                return (null, ("bad.credentials", "Invalid login credentials."));
            }

            return (client, null);
        }
    }
}

/// <summary>Injected faults, matched by method and path regex, each used a limited number of times.</summary>
internal sealed class FaultBook
{
    private readonly Lock _gate = new();
    private readonly List<(string Id, FaultRule Rule, Regex Path, int? Remaining)> _rules = [];

    public string Add(FaultRule rule)
    {
        var regex = new Regex(rule.PathPattern, RegexOptions.CultureInvariant, TimeSpan.FromSeconds(1));
        var id = Guid.NewGuid().ToString("D");
        lock (_gate)
        {
            _rules.Add((id, rule, regex, rule.Times));
        }

        return id;
    }

    public void Clear()
    {
        lock (_gate)
        {
            _rules.Clear();
        }
    }

    public FaultRule? Take(string method, string path)
    {
        lock (_gate)
        {
            for (var i = 0; i < _rules.Count; i++)
            {
                var (id, rule, regex, remaining) = _rules[i];
                if ((rule.Method is null || string.Equals(rule.Method, method, StringComparison.OrdinalIgnoreCase)) && regex.IsMatch(path))
                {
                    if (remaining is { } left)
                    {
                        if (left <= 1)
                        {
                            _rules.RemoveAt(i);
                        }
                        else
                        {
                            _rules[i] = (id, rule, regex, left - 1);
                        }
                    }

                    return rule;
                }
            }

            return null;
        }
    }
}

internal static class PermissionEndpointExtensions
{
    /// <summary>403 <c>missing.permissions</c> unless the caller's roles grant one of <paramref name="anyOf"/>.</summary>
    public static TBuilder Requires<TBuilder>(this TBuilder builder, params string[] anyOf)
        where TBuilder : IEndpointConventionBuilder =>
        builder.AddEndpointFilter(async (context, next) =>
        {
            var org = context.HttpContext.RequestServices.GetRequiredService<Org>();
            var client = (OAuthClient)context.HttpContext.Items[ApiGate.ClientItem]!;
            bool granted;
            lock (org.Gate)
            {
                granted = anyOf.Any(p => org.HasPermission(client, p));
            }

            return granted
                ? await next(context)
                : GenesysErrors.Result(403, "missing.permissions", $"Unable to perform the requested action. You are missing the following permission(s): [{string.Join(", ", anyOf)}]");
        });
}

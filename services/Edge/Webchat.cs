using Microsoft.AspNetCore.StaticFiles;
using Microsoft.Extensions.Options;

namespace PolyAi.Messaging.Edge;

/// <summary>The webchat widget's files (<c>wwwroot</c>): served as they are, with headers that forbid inline script.</summary>
public static class Webchat
{
    /// <summary>404 for the demo page opened with a <c>?tenant=</c> outside <see cref="EdgeOptions.DemoTenants"/>.</summary>
    public static async Task GuardDemoPageAsync(HttpContext context, Func<Task> next)
    {
        var path = context.Request.Path;
        var tenant = context.Request.Query["tenant"].ToString();
        if ((path == "/" || path.Equals("/index.html", StringComparison.OrdinalIgnoreCase)) && tenant.Length > 0)
        {
            var allowed = context.RequestServices.GetRequiredService<IOptions<EdgeOptions>>().Value.DemoTenants;
            if (!allowed.Contains("*") && !allowed.Contains(tenant, StringComparer.Ordinal))
            {
                await TypedResults.Problem(statusCode: StatusCodes.Status404NotFound, title: "Not Found",
                    detail: "This deployment has no demo page for that tenant.").ExecuteAsync(context);
                return;
            }
        }

        await next();
    }

    public static void AddSecurityHeaders(StaticFileResponseContext context)
    {
        var headers = context.Context.Response.Headers;
        headers.XContentTypeOptions = "nosniff";
        headers["Referrer-Policy"] = "no-referrer";
        if (context.File.Name.EndsWith(".html", StringComparison.OrdinalIgnoreCase))
        {
            // The demo page: scripts, styles and API calls only from this origin, nothing inline, never in a frame.
            headers.ContentSecurityPolicy = "default-src 'self'; script-src 'self'; style-src 'self'; connect-src 'self'; img-src 'self' data:; base-uri 'none'; form-action 'none'; frame-ancestors 'none'";
        }
        else
        {
            // webchat.js and webchat.css are embedded by other sites.
            headers.AccessControlAllowOrigin = "*";
        }
    }
}

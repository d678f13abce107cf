using Microsoft.AspNetCore.StaticFiles;

namespace PolyAi.Messaging.Edge;

/// <summary>The webchat widget's files (<c>wwwroot</c>): served as they are, with headers that forbid inline script.</summary>
public static class Webchat
{
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

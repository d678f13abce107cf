using Microsoft.AspNetCore.RateLimiting;
using Microsoft.Extensions.Options;
using PolyAi.Messaging.ServiceDefaults;

namespace PolyAi.Messaging.Edge;

public static class EdgeExtensions
{
    /// <summary>Registers YARP (routes and clusters from <c>ReverseProxy</c>), the limits and the tenant rate limit.</summary>
    public static IHostApplicationBuilder AddEdge(this IHostApplicationBuilder builder)
    {
        builder.Services.AddValidatedOptions<EdgeOptions>(EdgeOptions.Section);
        builder.Services.AddValidatedOptions<TenantRateLimitOptions>(TenantRateLimitOptions.Section);
        builder.Services.AddReverseProxy().LoadFromConfig(builder.Configuration.GetSection("ReverseProxy"));

        builder.Services.AddRateLimiter(_ => { });
        builder.Services.AddOptions<RateLimiterOptions>()
            .Configure<IOptions<TenantRateLimitOptions>>((limiter, tenant) =>
            {
                limiter.AddPolicy(TenantRateLimit.PolicyName, context => TenantRateLimit.Partition(context, tenant.Value));
                limiter.OnRejected = TenantRateLimit.RejectAsync;
            });
        return builder;
    }

    /// <summary>The proxy, behind the rate limiter, with the body limit and error mapping around every forward.</summary>
    public static WebApplication MapEdge(this WebApplication app)
    {
        app.UseRateLimiter();
        app.MapReverseProxy(proxy =>
        {
            proxy.Use(ForwardingGuard.InvokeAsync);
            proxy.UseSessionAffinity();
            proxy.UseLoadBalancing();
            proxy.UsePassiveHealthChecks();
        });
        return app;
    }
}

using Microsoft.AspNetCore.Cors.Infrastructure;
using Microsoft.AspNetCore.RateLimiting;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;
using PolyAi.Messaging.ServiceDefaults;

namespace PolyAi.Messaging.Edge;

public static class EdgeExtensions
{
    /// <summary>The CORS policy the chat routes name in configuration, so the widget can be embedded on other sites.</summary>
    public const string ChatCorsPolicy = "webchat";

    /// <summary>Registers YARP (routes and clusters from <c>ReverseProxy</c>), the limits, the rate limits and CORS for the chat API.</summary>
    public static IHostApplicationBuilder AddEdge(this IHostApplicationBuilder builder)
    {
        builder.Services.AddValidatedOptions<EdgeOptions>(EdgeOptions.Section);
        builder.Services.AddValidatedOptions<TenantRateLimitOptions>(TenantRateLimitOptions.Section);
        builder.Services.AddValidatedOptions<ConversationRateLimitOptions>(ConversationRateLimitOptions.Section);
        builder.Services.AddValidatedOptions<UnverifiedLimitOptions>(UnverifiedLimitOptions.Section);
        builder.Services.AddValidatedOptions<StreamLimitOptions>(StreamLimitOptions.Section);
        builder.Services.AddSingleton<WebhookGate>();
        builder.Services.AddSingleton<StreamGate>();
        builder.Services.AddReverseProxy()
            .LoadFromConfig(builder.Configuration.GetSection("ReverseProxy"))
            .AddTransforms(EventStreams.Add)
            .AddTransforms(TenantWebhookRate.Add);

        builder.Services.AddRateLimiter(_ => { });
        builder.Services.AddOptions<RateLimiterOptions>()
            .Configure<IOptions<ConversationRateLimitOptions>>((limiter, conversations) =>
            {
                limiter.AddPolicy(ClientRateLimit.PolicyName, context => ClientRateLimit.Partition(context, conversations.Value));
                limiter.OnRejected = ClientRateLimit.RejectAsync;
            });

        builder.Services.AddCors();
        builder.Services.AddOptions<CorsOptions>()
            .Configure<IOptions<EdgeOptions>>((cors, edge) => cors.AddPolicy(ChatCorsPolicy, policy =>
            {
                var origins = edge.Value.ChatAllowedOrigins;
                if (origins.Contains("*"))
                {
                    policy.AllowAnyOrigin();
                }
                else
                {
                    policy.WithOrigins(origins);
                }

                policy.WithMethods("GET", "POST")
                    .WithHeaders("Authorization", "Content-Type", "Last-Event-ID")
                    .WithExposedHeaders("Retry-After");
            }));
        return builder;
    }

    /// <summary>The webchat's demo page and static files at <c>/</c>: only for the tenants served, with its security headers.</summary>
    public static WebApplication UseWebchatPage(this WebApplication app)
    {
        app.Use(Webchat.GuardDemoPageAsync);
        app.UseDefaultFiles();
        app.UseStaticFiles(new StaticFileOptions { OnPrepareResponse = Webchat.AddSecurityHeaders });
        return app;
    }

    /// <summary>
    /// The proxy (after CORS and the conversation rate limit in Program.cs): the webhook gate, the stream gate, then
    /// the body limit and error mapping around every forward.
    /// </summary>
    public static WebApplication MapEdgeProxy(this WebApplication app)
    {
        var webhookGate = app.Services.GetRequiredService<WebhookGate>();
        var streamGate = app.Services.GetRequiredService<StreamGate>();
        app.MapReverseProxy(proxy =>
        {
            proxy.Use(webhookGate.InvokeAsync);
            proxy.Use(streamGate.InvokeAsync);
            proxy.Use(ForwardingGuard.InvokeAsync);
            proxy.UseSessionAffinity();
            proxy.UseLoadBalancing();
            proxy.UsePassiveHealthChecks();
        });
        return app;
    }
}

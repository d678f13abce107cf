using System.Threading.RateLimiting;
using Microsoft.AspNetCore.RateLimiting;
using Microsoft.Extensions.Options;
using PolyAi.Messaging.ServiceDefaults;
using PolyAi.Messaging.Verifier.Webhooks;

namespace PolyAi.Messaging.Verifier;

public static class VerifierExtensions
{
    /// <summary>Registers the webhook intake, its options and its concurrency limit.</summary>
    public static IHostApplicationBuilder AddVerifier(this IHostApplicationBuilder builder)
    {
        builder.Services.AddValidatedOptions<VerifierOptions>(VerifierOptions.Section);
        builder.Services.AddSingleton<DeliveryLedger>();
        builder.Services.AddSingleton<WebhookIntake>();
        builder.Services.ConfigureHttpJsonOptions(json =>
            json.SerializerOptions.TypeInfoResolverChain.Insert(0, VerifierJsonContext.Default));

        builder.Services.AddRateLimiter(_ => { });
        builder.Services.AddOptions<RateLimiterOptions>()
            .Configure<IOptions<VerifierOptions>>((limiter, verifier) =>
            {
                // Queueing past Genesys' 10 s timeout helps nobody: refuse at once and let Genesys retry.
                limiter.AddConcurrencyLimiter(WebhookApi.ConcurrencyPolicy, concurrency =>
                {
                    concurrency.PermitLimit = verifier.Value.MaxConcurrentRequests;
                    concurrency.QueueLimit = verifier.Value.QueueLimit;
                    concurrency.QueueProcessingOrder = QueueProcessingOrder.OldestFirst;
                });
                limiter.OnRejected = (context, cancellationToken) =>
                    new ValueTask(WebhookApi.RejectOverloadedAsync(context.HttpContext, verifier.Value));
            });
        return builder;
    }
}

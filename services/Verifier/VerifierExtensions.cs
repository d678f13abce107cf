using PolyAi.Messaging.Contracts;
using PolyAi.Messaging.ServiceDefaults;
using PolyAi.Messaging.Verifier.Webhooks;

namespace PolyAi.Messaging.Verifier;

public static class VerifierExtensions
{
    /// <summary>Registers the webhook intake, its options and its admission (the concurrency limits).</summary>
    public static IHostApplicationBuilder AddVerifier(this IHostApplicationBuilder builder)
    {
        builder.Services.AddTenantDirectory(VerifierJsonContext.Default);
        builder.Services.AddValidatedOptions<VerifierOptions>(VerifierOptions.Section);
        builder.Services.AddSingleton<DeliveryLedger>();
        builder.Services.AddSingleton<WebhookAdmission>();
        builder.Services.AddSingleton<WebhookIntake>();
        builder.Services.ConfigureHttpJsonOptions(json =>
            json.SerializerOptions.TypeInfoResolverChain.Insert(0, VerifierJsonContext.Default));
        return builder;
    }
}

using PolyAi.Messaging.Contracts;
using PolyAi.Messaging.Genesys;
using PolyAi.Messaging.Handoff.Handoffs;
using PolyAi.Messaging.Handoff.Sessions;
using PolyAi.Messaging.ServiceDefaults;

namespace PolyAi.Messaging.Handoff;

public static class HandoffServiceExtensions
{
    public static IHostApplicationBuilder AddHandoffServices(this IHostApplicationBuilder builder)
    {
        builder.Services.AddTenantDirectory(HandoffStateJsonContext.Default);
        builder.Services.AddValidatedOptions<HandoffSessionOptions>(HandoffSessionOptions.Section);
        builder.Services.AddValidatedOptions<HandoffOptions>(HandoffOptions.Section);
        builder.Services.ConfigureHttpJsonOptions(options =>
            options.SerializerOptions.TypeInfoResolverChain.Insert(0, NotificationJsonContext.Default));

        // Per-tenant Genesys clients (GenesysClientFactory.Create); retries and timeouts from section "Genesys".
        builder.Services.AddOptions<GenesysClientOptions>().BindConfiguration(GenesysClientOptions.SectionName);
        builder.Services.AddSingleton<IGenesysRequestBudget, RequestBudget>();
        builder.Services.AddGenesysClient();
        builder.Services.AddSingleton<TenantGenesys>();
        builder.Services.AddSingleton<Availability>();
        builder.Services.AddSingleton<HandoffSessionStore>();
        builder.Services.AddSingleton<SessionEnds>();
        builder.Services.AddSingleton<HandoffLifecycle>();
        builder.Services.AddSingleton<ConversationLocks>();
        builder.Services.AddSingleton<HandoffStart>();
        builder.Services.AddSingleton<CustomerMessages>();
        builder.Services.AddSingleton<NotificationWatcher>();
        builder.Services.AddHostedService(sp => sp.GetRequiredService<NotificationWatcher>());
        builder.Services.AddHostedService<SessionPoller>();
        builder.Services.AddSingleton<RpcCallers>();
        builder.Services.AddGrpc(options =>
        {
            options.Interceptors.Add<RpcCallers>(); // the caller first: a stranger learns nothing else
            options.Interceptors.Add<HandoffErrors>();
        });
        return builder;
    }
}

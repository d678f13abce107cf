using PolyAi.Messaging.Handoff.Sessions;
using PolyAi.Messaging.ServiceDefaults;

namespace PolyAi.Messaging.Handoff;

public static class HandoffServiceExtensions
{
    public static IHostApplicationBuilder AddHandoffServices(this IHostApplicationBuilder builder)
    {
        builder.Services.AddValidatedOptions<HandoffSessionOptions>(HandoffSessionOptions.Section);
        builder.Services.ConfigureHttpJsonOptions(options =>
            options.SerializerOptions.TypeInfoResolverChain.Insert(0, NotificationJsonContext.Default));
        return builder;
    }
}

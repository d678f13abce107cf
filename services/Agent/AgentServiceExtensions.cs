using PolyAi.Messaging.Agent.Transcripts;
using PolyAi.Messaging.ServiceDefaults;

namespace PolyAi.Messaging.Agent;

public static class AgentServiceExtensions
{
    public static IHostApplicationBuilder AddAgentServices(this IHostApplicationBuilder builder)
    {
        builder.Services.AddValidatedOptions<TranscriptOptions>(TranscriptOptions.Section);
        builder.Services.ConfigureHttpJsonOptions(options =>
            options.SerializerOptions.TypeInfoResolverChain.Insert(0, NotificationJsonContext.Default));
        return builder;
    }
}

using Grpc.Core;
using Grpc.Net.Client.Configuration;
using Microsoft.Extensions.Options;
using PolyAi.Messaging.Agent.Brains;
using PolyAi.Messaging.Agent.Chat;
using PolyAi.Messaging.Agent.Conversations;
using PolyAi.Messaging.Agent.Handoffs;
using PolyAi.Messaging.Agent.Transcripts;
using PolyAi.Messaging.Contracts;
using PolyAi.Messaging.ServiceDefaults;
using HandoffClient = PolyAi.Messaging.Handoff.V1.Handoff.HandoffClient;

namespace PolyAi.Messaging.Agent;

public static class AgentServiceExtensions
{
    public static IHostApplicationBuilder AddAgentServices(this IHostApplicationBuilder builder)
    {
        var services = builder.Services;
        services.AddTenancy(AgentStateJsonContext.Default);
        services.AddValidatedOptions<TranscriptOptions>(TranscriptOptions.Section);
        services.AddValidatedOptions<ChatOptions>(ChatOptions.Section);
        services.AddValidatedOptions<HandoffCallOptions>(HandoffCallOptions.Section);
        services.ConfigureHttpJsonOptions(options =>
        {
            options.SerializerOptions.TypeInfoResolverChain.Insert(0, NotificationJsonContext.Default);
            options.SerializerOptions.TypeInfoResolverChain.Insert(0, AgentJsonContext.Default);
        });

        // Conversation records never change: cached, bounded by count.
        services.AddMemoryCache(options => options.SizeLimit = 100_000);
        services.AddSingleton<ConversationWatcher>();
        services.AddHostedService(sp => sp.GetRequiredService<ConversationWatcher>());
        services.AddSingleton<ConversationStore>();
        services.AddSingleton<AgentTenants>();
        services.AddSingleton<DeterministicBrain>();
        services.AddSingleton<LlmBrain>();
        services.AddSingleton<BrainSelector>();
        services.AddSingleton<HandoffGateway>();
        services.AddSingleton<ConversationTurns>();
        services.AddSingleton<HandoffRpcToken>();
        services.AddTransient<HandoffRpcToken.Handler>();
        services.AddHostedService(sp => sp.GetRequiredService<ConversationTurns>());
        services.AddSingleton<PendingForwardIndex>();
        services.AddSingleton<PendingForwardSweeper>();
        services.AddHostedService(sp => sp.GetRequiredService<PendingForwardSweeper>());

        services.AddGrpcClient<HandoffClient>((sp, options) => options.Address = sp.GetRequiredService<IOptions<HandoffCallOptions>>().Value.GrpcAddress)
            .ConfigureChannel((sp, channel) =>
            {
                var handoff = sp.GetRequiredService<IOptions<HandoffCallOptions>>().Value;
                // Every handoff call is idempotent, so the channel retries transient failures itself, within the call's deadline.
                channel.ServiceConfig = new ServiceConfig
                {
                    MethodConfigs =
                    {
                        new MethodConfig
                        {
                            Names = { MethodName.Default },
                            RetryPolicy = new RetryPolicy
                            {
                                MaxAttempts = handoff.MaxAttempts,
                                InitialBackoff = TimeSpan.FromMilliseconds(200),
                                MaxBackoff = TimeSpan.FromSeconds(2),
                                BackoffMultiplier = 2,
                                RetryableStatusCodes = { StatusCode.Unavailable, StatusCode.ResourceExhausted },
                            },
                        },
                    },
                };
            })
            .AddHttpMessageHandler<HandoffRpcToken.Handler>();
        return builder;
    }
}

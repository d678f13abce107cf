using PolyAi.Messaging.Contracts;
using static PolyAi.Messaging.Testing.GenesysNotifications;

namespace PolyAi.Messaging.Agent.Tests;

/// <summary>
/// The agent's metrics are process-wide (prometheus-net's default registry), and a test run hosts several agents at
/// once: these tests count before/after deltas of exactly their own traffic, so they run alone.
/// </summary>
[Collection(AgentMetricsCollection.Name)]
public sealed class AgentMetricsTests(AgentFixture fixture)
{
    [Fact]
    public async Task Metrics_count_consumed_notifications_and_transcript_messages_by_role()
    {
        var tenant = AgentFixture.NewTenant();
        var consumedBefore = await fixture.Service.MetricAsync("polyai_messaging_notifications_consumed_total", ("service", "agent"), ("type", "Text"), ("outcome", "saved"));
        var agentMessagesBefore = await fixture.Service.MetricAsync("polyai_messaging_transcript_messages_total", ("role", "agent"));
        await fixture.Service.PublishAsync(tenant, Text(NewId(), "user-metrics", "counted"));
        await Eventually.Until(
            () => fixture.Service.ReadStateAsync(AgentFixture.TranscriptKey(tenant, "user-metrics")), t => t is not null, "the transcript");

        Assert.Equal(consumedBefore + 1, await fixture.Service.MetricAsync("polyai_messaging_notifications_consumed_total", ("service", "agent"), ("type", "Text"), ("outcome", "saved")));
        Assert.Equal(agentMessagesBefore + 1, await fixture.Service.MetricAsync("polyai_messaging_transcript_messages_total", ("role", "agent")));
    }

    [Fact]
    public async Task Metrics_count_conversations_messages_by_role_and_open_streams()
    {
        var tenant = await fixture.RegisterTenantAsync();
        var started = await fixture.Service.MetricAsync("polyai_messaging_conversations_started_total");
        var customerMessages = await fixture.Service.MetricAsync("polyai_messaging_transcript_messages_total", ("role", "customer"));
        var aiMessages = await fixture.Service.MetricAsync("polyai_messaging_transcript_messages_total", ("role", "ai"));
        var openStreams = await fixture.Service.MetricAsync("polyai_messaging_sse_streams_open");

        var chat = await ChatClient.StartAsync(fixture.Service.Http, tenant);
        await using var stream = await chat.StreamAsync();
        (await chat.SendAsync("when are you open")).Dispose();
        await stream.WaitForMessageAsync("ai", "Monday");

        Assert.Equal(started + 1, await fixture.Service.MetricAsync("polyai_messaging_conversations_started_total"));
        Assert.Equal(customerMessages + 1, await fixture.Service.MetricAsync("polyai_messaging_transcript_messages_total", ("role", "customer")));
        Assert.Equal(aiMessages + 2, await fixture.Service.MetricAsync("polyai_messaging_transcript_messages_total", ("role", "ai"))); // greeting and answer
        Assert.Equal(openStreams + 1, await fixture.Service.MetricAsync("polyai_messaging_sse_streams_open"));
    }
}

[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class AgentMetricsCollection : ICollectionFixture<AgentFixture>
{
    public const string Name = "agent metrics, alone";
}

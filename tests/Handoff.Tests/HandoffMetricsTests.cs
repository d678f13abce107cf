using System.Text.Json;
using PolyAi.Messaging.Contracts;
using PolyAi.Messaging.Genesys;
using static PolyAi.Messaging.Testing.GenesysNotifications;

namespace PolyAi.Messaging.Handoff.Tests;

/// <summary>
/// The service's metrics are process-wide (prometheus-net's default registry), and a test run hosts several handoff
/// services at once: these tests count before/after deltas of exactly their own traffic, so they run alone.
/// </summary>
[Collection(HandoffMetricsCollection.Name)]
public sealed class HandoffMetricsTests(NotificationsFixture notifications, HandoffFixture sessions)
{
    [Fact]
    public async Task Handoff_metrics_count_outcomes_and_the_time_to_an_agent()
    {
        var world = await notifications.NewWorldAsync(HandoffRpcTests.ManualAgent);
        var conversationId = HandoffRpcTests.NewConversationId();
        var before = await notifications.Http.GetStringAsync(new Uri("/metrics", UriKind.Relative));
        var genesysId = (await notifications.Handoff.StartHandoffAsync(HandoffRpcTests.Start(world, conversationId))).GenesysConversationId;
        Assert.True(notifications.Genesys.Control.Accept(genesysId));
        await notifications.EventuallyPublishedAsync(conversationId, HandoffStatus.Connected);

        var after = await notifications.Http.GetStringAsync(new Uri("/metrics", UriKind.Relative));
        double Delta(string name, params (string, string)[] labels) => PrometheusText.Sum(after, name, labels) - PrometheusText.Sum(before, name, labels);

        Assert.Equal(1, Delta("polyai_messaging_handoff_starts_total", ("outcome", "started")));
        Assert.Equal(1, Delta("polyai_messaging_handoff_start_to_connected_seconds_count"));
        Assert.Contains("polyai_messaging_handoff_active_sessions", after, StringComparison.Ordinal);
        Assert.True(
            Delta("polyai_messaging_genesys_requests_total", ("endpoint", GenesysEndpoints.InboundMessage.Name), ("status", "200")) >= 1,
            "the start's inbound message is counted by endpoint and status");
    }

    [Fact]
    public async Task Metrics_count_consumed_notifications_and_receipts_by_status()
    {
        var tenant = HandoffFixture.NewTenant();
        var id = NewId();
        var consumedBefore = await sessions.Service.MetricAsync("polyai_messaging_notifications_consumed_total", ("service", "handoff"), ("type", "Receipt"), ("outcome", "saved"));
        var readBefore = await sessions.Service.MetricAsync("polyai_messaging_receipts_total", ("status", "Read"));
        await sessions.Service.PublishAsync(tenant, Receipt(id, "user-m", "message-m", "Read", isFinalReceipt: false, DateTimeOffset.UtcNow, "conv-m"));
        await Eventually.Until(
            () => sessions.Service.ReadStateAsync(HandoffFixture.SessionKey(tenant, "conv-m")), s => s is not null, "the session");

        Assert.Equal(consumedBefore + 1, await sessions.Service.MetricAsync("polyai_messaging_notifications_consumed_total", ("service", "handoff"), ("type", "Receipt"), ("outcome", "saved")));
        Assert.Equal(readBefore + 1, await sessions.Service.MetricAsync("polyai_messaging_receipts_total", ("status", "Read")));
    }
}

[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class HandoffMetricsCollection : ICollectionFixture<NotificationsFixture>, ICollectionFixture<HandoffFixture>
{
    public const string Name = "handoff metrics, alone";
}

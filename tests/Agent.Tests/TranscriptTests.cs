using System.Text.Json;
using PolyAi.Messaging.Contracts;
using PolyAi.Messaging.Testing;
using static PolyAi.Messaging.Testing.GenesysNotifications;

namespace PolyAi.Messaging.Agent.Tests;

[Collection(AgentCollection.Name)]
public sealed class TranscriptTests(AgentFixture fixture)
{
    private const string Consumed = "polyai_messaging_notifications_consumed_total";
    private readonly ServiceUnderTest<Program> _service = fixture.Service;

    private async Task<JsonElement> TranscriptWithAsync(TenantKey tenant, string conversationId, int messages)
    {
        var transcript = await Eventually.Until(
            () => _service.ReadStateAsync(AgentFixture.TranscriptKey(tenant, conversationId)),
            t => t is { } value && value.GetProperty("messages").GetArrayLength() >= messages,
            $"{messages} message(s) in the transcript of {conversationId}");
        return transcript!.Value;
    }

    private Task<double> ConsumedAsync(string type, string outcome) =>
        _service.MetricAsync(Consumed, ("service", "agent"), ("type", type), ("outcome", outcome));

    [Fact]
    public async Task Agent_text_lands_in_the_transcript_of_the_customer_conversation()
    {
        var tenant = AgentFixture.NewTenant();
        var id = NewId();
        var time = new DateTimeOffset(2026, 11, 24, 10, 0, 0, TimeSpan.Zero);

        await _service.PublishAsync(tenant, Text(id, "user-123", "Hello, I am Sam from support", conversationId: "genesys-conv-1", time: time));

        var transcript = await TranscriptWithAsync(tenant, "user-123", 1);
        Assert.Equal(tenant.AccountId, transcript.GetProperty("tenant").GetProperty("accountId").GetString());
        Assert.Equal("project-1", transcript.GetProperty("tenant").GetProperty("projectId").GetString());
        Assert.Equal("prod", transcript.GetProperty("tenant").GetProperty("clientEnv").GetString());
        Assert.Equal("user-123", transcript.GetProperty("conversationId").GetString());
        var message = Assert.Single(transcript.GetProperty("messages").EnumerateArray());
        Assert.Equal(id, message.GetProperty("id").GetString());
        Assert.Equal("agent", message.GetProperty("role").GetString());
        Assert.Equal("Hello, I am Sam from support", message.GetProperty("text").GetString());
        Assert.Equal(time, message.GetProperty("time").GetDateTimeOffset());
        Assert.Equal("genesys-conv-1", message.GetProperty("genesysConversationId").GetString());
    }

    [Fact]
    public async Task Bot_message_is_recorded_with_role_bot_and_the_receive_time_when_genesys_gives_none()
    {
        var tenant = AgentFixture.NewTenant();
        var receivedAt = new DateTimeOffset(2026, 11, 24, 11, 30, 0, TimeSpan.Zero);

        await _service.PublishAsync(
            tenant, Text(NewId(), "user-bot", "Do you want to proceed?", originatingEntity: "Bot", type: "Structured"), receivedAt);

        var message = Assert.Single((await TranscriptWithAsync(tenant, "user-bot", 1)).GetProperty("messages").EnumerateArray());
        Assert.Equal("bot", message.GetProperty("role").GetString());
        Assert.Equal(receivedAt, message.GetProperty("time").GetDateTimeOffset());
        Assert.False(message.TryGetProperty("genesysConversationId", out _));
    }

    [Fact]
    public async Task The_same_notification_delivered_twice_is_one_transcript_entry()
    {
        var tenant = AgentFixture.NewTenant();
        var notification = Text(NewId(), "user-twice", "Only once please");
        var duplicatesBefore = await ConsumedAsync("Text", "duplicate");

        await _service.PublishAsync(tenant, notification);
        await _service.PublishAsync(tenant, notification);

        await Eventually.Until(() => ConsumedAsync("Text", "duplicate"), n => n > duplicatesBefore, "the redelivery to be acked as a duplicate");
        var transcript = await TranscriptWithAsync(tenant, "user-twice", 1);
        Assert.Single(transcript.GetProperty("messages").EnumerateArray());
    }

    [Fact]
    public async Task Conversations_and_tenants_are_kept_apart()
    {
        var first = AgentFixture.NewTenant();
        var second = AgentFixture.NewTenant();

        await _service.PublishAsync(first, Text(NewId(), "alice", "for alice at the first tenant"));
        await _service.PublishAsync(first, Text(NewId(), "bob", "for bob at the first tenant"));
        await _service.PublishAsync(second, Text(NewId(), "alice", "for alice at the second tenant"));

        static string OnlyText(JsonElement transcript) =>
            Assert.Single(transcript.GetProperty("messages").EnumerateArray()).GetProperty("text").GetString()!;
        Assert.Equal("for alice at the first tenant", OnlyText(await TranscriptWithAsync(first, "alice", 1)));
        Assert.Equal("for bob at the first tenant", OnlyText(await TranscriptWithAsync(first, "bob", 1)));
        Assert.Equal("for alice at the second tenant", OnlyText(await TranscriptWithAsync(second, "alice", 1)));
    }

    [Fact]
    public async Task Customer_ids_that_are_not_url_safe_are_escaped_in_the_key()
    {
        var tenant = AgentFixture.NewTenant();

        await _service.PublishAsync(tenant, Text(NewId(), "sam@example.com/+1 555", "escaped"));

        var transcript = await TranscriptWithAsync(tenant, "sam@example.com/+1 555", 1);
        Assert.Equal("sam@example.com/+1 555", transcript.GetProperty("conversationId").GetString());
    }

    [Fact]
    public async Task Typing_and_receipts_do_not_touch_the_transcript()
    {
        var tenant = AgentFixture.NewTenant();
        var ignoredBefore = await ConsumedAsync("Event", "ignored") + await ConsumedAsync("Receipt", "ignored");

        await _service.PublishAsync(tenant, Typing(NewId(), "user-quiet"));
        await _service.PublishAsync(tenant, Receipt(NewId(), "user-quiet", "some-message", "Delivered", isFinalReceipt: true, DateTimeOffset.UtcNow));
        await Eventually.Until(
            async () => await ConsumedAsync("Event", "ignored") + await ConsumedAsync("Receipt", "ignored"),
            n => n >= ignoredBefore + 2,
            "the typing event and the receipt to be acked");

        Assert.Null(await _service.ReadStateAsync(AgentFixture.TranscriptKey(tenant, "user-quiet")));
    }

    [Fact]
    public async Task Messages_are_kept_in_genesys_time_order_whatever_the_delivery_order()
    {
        var tenant = AgentFixture.NewTenant();
        var start = new DateTimeOffset(2026, 11, 24, 12, 0, 0, TimeSpan.Zero);

        await _service.PublishAsync(tenant, Text(NewId(), "user-order", "second", time: start.AddSeconds(2)));
        await TranscriptWithAsync(tenant, "user-order", 1);
        await _service.PublishAsync(tenant, Text(NewId(), "user-order", "first", time: start.AddSeconds(1)));

        var transcript = await TranscriptWithAsync(tenant, "user-order", 2);
        Assert.Equal(["first", "second"], transcript.GetProperty("messages").EnumerateArray().Select(m => m.GetProperty("text").GetString()));
    }

    [Fact]
    public async Task Concurrent_notifications_for_one_conversation_all_land()
    {
        var tenant = AgentFixture.NewTenant();
        var ids = Enumerable.Range(0, 20).Select(_ => NewId()).ToList();

        await Task.WhenAll(ids.Select(id => _service.PublishAsync(tenant, Text(id, "user-busy", $"message {id}"))));

        var transcript = await TranscriptWithAsync(tenant, "user-busy", ids.Count);
        Assert.Equal(
            ids.Order(),
            transcript.GetProperty("messages").EnumerateArray().Select(m => m.GetProperty("id").GetString()!).Order());
    }
}

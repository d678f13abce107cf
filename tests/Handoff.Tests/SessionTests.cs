using System.Text.Json;
using PolyAi.Messaging.Contracts;
using PolyAi.Messaging.Handoff.Sessions;
using PolyAi.Messaging.Testing;
using static PolyAi.Messaging.Testing.GenesysNotifications;

namespace PolyAi.Messaging.Handoff.Tests;

[Collection(HandoffCollection.Name)]
public sealed class SessionTests(HandoffFixture fixture)
{
    private static readonly DateTimeOffset Start = new(2026, 11, 24, 10, 0, 0, TimeSpan.Zero);
    private readonly ServiceUnderTest<Program> _service = fixture.Service;

    private async Task<JsonElement> SessionWhereAsync(TenantKey tenant, string sessionId, Func<JsonElement, bool> condition, string what)
    {
        var session = await Eventually.Until(
            () => _service.ReadStateAsync(HandoffFixture.SessionKey(tenant, sessionId)),
            s => s is { } value && condition(value),
            $"session {sessionId}: {what}");
        return session!.Value;
    }

    private static bool HasProcessed(JsonElement session, string id) =>
        session.GetProperty("processedIds").EnumerateArray().Any(p => p.GetString() == id);

    private static JsonElement ReceiptFor(JsonElement session, string messageId) =>
        session.GetProperty("receipts").GetProperty(messageId);

    [Fact]
    public async Task An_agent_message_creates_the_session_of_its_genesys_conversation()
    {
        var tenant = HandoffFixture.NewTenant();
        var id = NewId();

        await _service.PublishAsync(tenant, Text(id, "user-1", "Hi, this is Sam", conversationId: "conv-a", time: Start));

        var session = await SessionWhereAsync(tenant, "conv-a", s => HasProcessed(s, id), "the agent message recorded");
        Assert.Equal(tenant.AccountId, session.GetProperty("tenant").GetProperty("accountId").GetString());
        Assert.Equal("conv-a", session.GetProperty("sessionId").GetString());
        Assert.Equal("user-1", session.GetProperty("customerId").GetString());
        Assert.Equal("conv-a", session.GetProperty("genesysConversationId").GetString());
        Assert.Equal(Start, session.GetProperty("lastActivityAt").GetDateTimeOffset());
        Assert.Equal(1, session.GetProperty("agentMessages").GetInt32());
        Assert.Equal(0, session.GetProperty("botMessages").GetInt32());
        Assert.Equal(0, session.GetProperty("typingEvents").GetInt32());
        Assert.Empty(session.GetProperty("receipts").EnumerateObject());
    }

    [Fact]
    public async Task A_notification_without_conversation_id_is_kept_under_the_customer_id()
    {
        var tenant = HandoffFixture.NewTenant();
        var id = NewId();

        await _service.PublishAsync(tenant, Typing(id, "user-typing", time: Start));

        var session = await SessionWhereAsync(tenant, "user-typing", s => HasProcessed(s, id), "the typing event recorded");
        Assert.Equal(1, session.GetProperty("typingEvents").GetInt32());
        Assert.Equal("user-typing", session.GetProperty("customerId").GetString());
        Assert.Equal(JsonValueKind.Null, session.GetProperty("genesysConversationId").ValueKind);
    }

    [Fact]
    public async Task A_receipt_is_recorded_against_the_message_it_refers_to()
    {
        var tenant = HandoffFixture.NewTenant();
        var receiptId = NewId();

        await _service.PublishAsync(tenant, Receipt(receiptId, "user-r", "message-1", "Delivered", isFinalReceipt: false, Start, conversationId: "conv-r"));

        var session = await SessionWhereAsync(tenant, "conv-r", s => HasProcessed(s, receiptId), "the receipt recorded");
        var receipt = ReceiptFor(session, "message-1");
        Assert.Equal("message-1", receipt.GetProperty("messageId").GetString());
        Assert.Equal("Delivered", receipt.GetProperty("status").GetString());
        Assert.False(receipt.GetProperty("isFinalReceipt").GetBoolean());
        Assert.Equal(Start, receipt.GetProperty("time").GetDateTimeOffset());
        Assert.Equal(receiptId, receipt.GetProperty("notificationId").GetString());
        Assert.Empty(receipt.GetProperty("reasons").EnumerateArray());
    }

    [Fact]
    public async Task A_later_failed_final_receipt_wins_and_an_older_one_arriving_after_it_does_not()
    {
        var tenant = HandoffFixture.NewTenant();
        var delivered = NewId();
        var failed = NewId();
        var lateRead = NewId();

        await _service.PublishAsync(tenant, Receipt(delivered, "user-f", "message-2", "Delivered", isFinalReceipt: false, Start, "conv-f"));
        await SessionWhereAsync(tenant, "conv-f", s => HasProcessed(s, delivered), "Delivered recorded");
        await _service.PublishAsync(tenant, Receipt(failed, "user-f", "message-2", "Failed", isFinalReceipt: true, Start.AddSeconds(2), "conv-f", reasonCode: "RateLimited"));
        await SessionWhereAsync(tenant, "conv-f", s => HasProcessed(s, failed), "Failed recorded");
        await _service.PublishAsync(tenant, Receipt(lateRead, "user-f", "message-2", "Read", isFinalReceipt: false, Start.AddSeconds(1), "conv-f"));

        var session = await SessionWhereAsync(tenant, "conv-f", s => HasProcessed(s, lateRead), "the late Read seen");
        var receipt = ReceiptFor(session, "message-2");
        Assert.Equal("Failed", receipt.GetProperty("status").GetString());
        Assert.True(receipt.GetProperty("isFinalReceipt").GetBoolean());
        Assert.Equal(failed, receipt.GetProperty("notificationId").GetString());
        Assert.Equal("RateLimited", Assert.Single(receipt.GetProperty("reasons").EnumerateArray()).GetProperty("code").GetString());
    }

    [Fact]
    public async Task A_duplicate_receipt_and_a_duplicate_message_are_recorded_once()
    {
        var tenant = HandoffFixture.NewTenant();
        var receipt = Receipt(NewId(), "user-d", "message-3", "Delivered", isFinalReceipt: true, Start, "conv-d");
        var message = Text(NewId(), "user-d", "once", conversationId: "conv-d", time: Start);
        var duplicatesBefore = await ConsumedAsync("duplicate");

        await _service.PublishAsync(tenant, receipt);
        await _service.PublishAsync(tenant, receipt);
        await _service.PublishAsync(tenant, message);
        await _service.PublishAsync(tenant, message);

        await Eventually.Until(() => ConsumedAsync("duplicate"), n => n >= duplicatesBefore + 2, "both redeliveries acked as duplicates");
        var session = await SessionWhereAsync(tenant, "conv-d", s => s.GetProperty("processedIds").GetArrayLength() == 2, "both recorded");
        Assert.Equal(1, session.GetProperty("agentMessages").GetInt32());
        Assert.Single(session.GetProperty("receipts").EnumerateObject());
    }

    [Fact]
    public async Task Tenants_with_the_same_conversation_id_are_kept_apart()
    {
        var first = HandoffFixture.NewTenant();
        var second = HandoffFixture.NewTenant();
        var firstId = NewId();
        var secondId = NewId();

        await _service.PublishAsync(first, Text(firstId, "user-a", "first", conversationId: "conv-shared"));
        await _service.PublishAsync(second, Typing(secondId, "user-b", conversationId: "conv-shared"));

        var firstSession = await SessionWhereAsync(first, "conv-shared", s => HasProcessed(s, firstId), "first tenant");
        var secondSession = await SessionWhereAsync(second, "conv-shared", s => HasProcessed(s, secondId), "second tenant");
        Assert.Equal(("user-a", 1, 0), (firstSession.GetProperty("customerId").GetString(), firstSession.GetProperty("agentMessages").GetInt32(), firstSession.GetProperty("typingEvents").GetInt32()));
        Assert.Equal(("user-b", 0, 1), (secondSession.GetProperty("customerId").GetString(), secondSession.GetProperty("agentMessages").GetInt32(), secondSession.GetProperty("typingEvents").GetInt32()));
    }

    [Fact]
    public async Task Concurrent_notifications_for_one_session_all_land()
    {
        var tenant = HandoffFixture.NewTenant();
        var ids = Enumerable.Range(0, 20).Select(_ => NewId()).ToList();

        await Task.WhenAll(ids.Select(id => _service.PublishAsync(tenant, Typing(id, "user-busy", conversationId: "conv-busy"))));

        var session = await SessionWhereAsync(tenant, "conv-busy", s => s.GetProperty("typingEvents").GetInt32() >= ids.Count, "all typing events");
        Assert.Equal(ids.Count, session.GetProperty("typingEvents").GetInt32());
        Assert.Equal(ids.Order(), session.GetProperty("processedIds").EnumerateArray().Select(p => p.GetString()!).Order());
    }

    [Fact]
    public async Task Bot_messages_are_counted_apart_from_agent_messages()
    {
        var tenant = HandoffFixture.NewTenant();
        var id = NewId();

        await _service.PublishAsync(tenant, Text(id, "user-bot", "Proceed?", originatingEntity: "Bot", conversationId: "conv-bot", type: "Structured"));

        var session = await SessionWhereAsync(tenant, "conv-bot", s => HasProcessed(s, id), "the bot message recorded");
        Assert.Equal((0, 1), (session.GetProperty("agentMessages").GetInt32(), session.GetProperty("botMessages").GetInt32()));
    }

    private Task<double> ConsumedAsync(string outcome) =>
        _service.MetricAsync("polyai_messaging_notifications_consumed_total", ("service", "handoff"), ("outcome", outcome));
}

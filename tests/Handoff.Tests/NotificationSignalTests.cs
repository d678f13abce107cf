using System.Text;
using PolyAi.Messaging.Handoff.Handoffs;

namespace PolyAi.Messaging.Handoff.Tests;

/// <summary>Which notifications are worth a GET conversation (each one costs the tenant's request budget, Corrections 3).</summary>
public sealed class NotificationSignalTests
{
    private static (bool, string?, ConversationSignal) Read(string json) => WatchedChannel.ReadEvent(Encoding.UTF8.GetBytes(json));

    private static string QueueEvent(string participants) =>
        """{"topicName":"v2.routing.queues.q1.conversations.messages","version":"2","eventBody":{"id":"c1","participants":[""" + participants + "]}}";

    [Fact]
    public void A_queued_or_offered_conversation_is_not_looked_at()
    {
        var queued = Read(QueueEvent("""{"purpose":"customer","state":"connected"},{"purpose":"acd","state":"connected"}"""));
        var offered = Read(QueueEvent("""{"purpose":"customer","state":"connected"},{"purpose":"acd","state":"disconnected","endTime":"2026-12-02T10:00:00Z"},{"purpose":"agent","state":"alerting"}"""));

        Assert.Equal((false, "c1", ConversationSignal.None), queued);
        Assert.Equal((false, "c1", ConversationSignal.None), offered);
    }

    [Fact]
    public void A_connected_agent_or_someone_leaving_is()
    {
        var connected = Read(QueueEvent("""{"purpose":"customer","state":"connected"},{"purpose":"agent","state":"connected"}"""));
        var agentLeft = Read(QueueEvent("""{"purpose":"customer","state":"connected"},{"purpose":"agent","state":"disconnected","endTime":"2026-12-02T10:00:00Z"}"""));
        var customerLeft = Read(QueueEvent("""{"purpose":"customer","state":"disconnected"},{"purpose":"agent","state":"connected"}"""));
        var detail = Read("""{"topicName":"v2.detail.events.conversation.c2.user.end","eventBody":{"conversationId":"c2"}}""");

        Assert.Equal((false, "c1", ConversationSignal.AgentConnected), connected);
        Assert.Equal((false, "c1", ConversationSignal.Look), agentLeft);
        Assert.Equal((false, "c1", ConversationSignal.Look), customerLeft);
        Assert.Equal((false, "c2", ConversationSignal.Look), detail);
    }

    [Fact]
    public void Socket_closing_and_unknown_messages()
    {
        Assert.Equal((true, null, ConversationSignal.None), Read("""{"topicName":"v2.system.socket_closing","eventBody":{}}"""));
        Assert.Equal((false, null, ConversationSignal.None), Read("""{"topicName":"channel.metadata","eventBody":{"message":"WebSocket Heartbeat"}}"""));
        Assert.Equal((false, null, ConversationSignal.None), Read("not json"));
    }
}

using System.Text.Json;
using PolyAi.Messaging.Contracts;
using PolyAi.Messaging.Genesys.OpenMessaging;
using PolyAi.Messaging.GenesysSimulator;

namespace PolyAi.Messaging.Genesys.Tests.Simulator;

/// <summary>A handoff's Genesys side through the client: inbound message, agent, typing, receipts, end; queues and notifications.</summary>
public sealed class ConversationTests(SimulatorFixture sim) : IClassFixture<SimulatorFixture>
{
    private static readonly TimeSpan Deadline = TimeSpan.FromSeconds(10);

    [Fact]
    public async Task A_customer_message_reaches_an_agent_and_the_conversation_is_ended_from_our_side()
    {
        var world = SeedWorld(new AgentScript { Name = "Sam", Replies = ["Hi, I'm Sam"] });
        using var provider = sim.Client(world.ClientId, world.ClientSecret);
        var customer = new InboundParty { Id = "user-" + Guid.NewGuid().ToString("N"), FirstName = "Ada", Nickname = "Ada" };

        var sent = await provider.OpenMessaging.SendMessageAsync(
            world.IntegrationId,
            new InboundOpenMessage
            {
                Channel = new InboundChannel
                {
                    MessageId = "ours-1",
                    Time = DateTimeOffset.UtcNow,
                    From = customer,
                    Metadata = InboundChannelMetadata.FromAttributes(new Dictionary<string, string> { ["aiSummary"] = "wants a refund" }),
                },
                Text = "I want a human",
            },
            prefetchConversationId: true);
        var conversationId = Assert.IsType<string>(sent.ConversationId);
        Assert.Equal("ours-1", sent.Channel?.MessageId);
        var received = Assert.Single(sim.Control.Received("message"), r => r.IntegrationId == world.IntegrationId);
        Assert.Equal("wants a refund", received.Body["channel"]!["metadata"]!["customAttributes"]!["aiSummary"]!.GetValue<string>());

        var conversation = await Eventually.Until(
            () => provider.Conversations.GetMessageConversationAsync(conversationId),
            c => c.Agents.Any(a => a.State == ParticipantStates.Connected),
            "an agent connected",
            Deadline);
        Assert.Contains(conversation.Participants, p => p.Purpose == ParticipantPurposes.Customer);

        var typing = await provider.OpenMessaging.SendEventAsync(world.IntegrationId, InboundOpenEvent.Typing(customer, DateTimeOffset.UtcNow));
        Assert.Equal(NotificationValues.TypeEvent, typing.Type);

        var details = await provider.Conversations.GetMessageDetailsAsync(sent.Id!);
        Assert.Equal(conversationId, details.ConversationId);

        var agentMessageId = await Eventually.Until(
            () => Task.FromResult(sim.Control.Webhooks()
                .Where(w => w.ConversationId == conversationId)
                .Select(w => JsonDocument.Parse(w.Body.ToString()).RootElement)
                .Where(b => b.GetProperty("type").GetString() == NotificationValues.TypeText)
                .Select(b => b.GetProperty("id").GetString())
                .FirstOrDefault()),
            id => id is not null,
            "the agent's text webhook",
            Deadline);
        var receipt = await provider.OpenMessaging.SendReceiptAsync(world.IntegrationId, new InboundReceipt
        {
            Id = agentMessageId!,
            Channel = new InboundReceiptChannel { To = customer, Time = DateTimeOffset.UtcNow },
            Status = ReceiptStatuses.Delivered,
            IsFinalReceipt = true,
            Direction = NotificationValues.DirectionOutbound,
        });
        Assert.Equal(ReceiptStatuses.Delivered, receipt.Status);
        Assert.Contains(sim.Control.Received("receipt"), r => r.Body["id"]!.GetValue<string>() == agentMessageId);

        var answer = await provider.OpenMessaging.SendStructuredResponseAsync(world.IntegrationId, new InboundStructuredResponse
        {
            Channel = new InboundChannel { MessageId = "ours-2", Time = DateTimeOffset.UtcNow, From = customer },
            ButtonResponse = new ButtonResponse { Type = "QuickReply", Text = "Yes", Payload = "yes" },
        });
        Assert.NotNull(answer.Id);

        var customerParticipant = conversation.Participants.First(p => p.Purpose == ParticipantPurposes.Customer);
        await provider.Conversations.DisconnectParticipantAsync(conversationId, customerParticipant.Id!);
        await provider.Conversations.DisconnectConversationAsync(conversationId);
        var ended = await Eventually.Until(
            () => provider.Conversations.GetMessageConversationAsync(conversationId),
            c => c.Participants.Where(p => p.Purpose is ParticipantPurposes.Customer or ParticipantPurposes.Agent).All(p => p.HasEnded),
            "both sides ended",
            Deadline);
        Assert.All(ended.Agents, a => Assert.True(a.HasEnded));
    }

    [Fact]
    public async Task Queue_members_are_listed_added_and_joined_and_observations_count_agents_on_queue()
    {
        var world = SeedWorld(new AgentScript { Name = "On queue" });
        using var admin = sim.AdminClient();

        var members = await admin.Routing.ListQueueMembersAsync(world.QueueId, joined: true);
        var agent = Assert.Single(members.Entities);
        Assert.Equal(world.AgentIds[0], agent.Id);
        Assert.NotNull(agent.RoutingStatus?.Status);

        var observations = await admin.Analytics.QueryQueueObservationsAsync(QueueObservationQuery.ForQueue(world.QueueId));
        Assert.True(observations.Count(ObservationMetrics.OnQueueUsers) >= 1);
        Assert.True(observations.Count(ObservationMetrics.MemberUsers) >= 1);

        var other = await admin.Routing.CreateQueueAsync(new CreateQueueRequest { Name = SimulatorFixture.Unique("Overflow") });
        await admin.Routing.AddQueueMembersAsync(other.Id!, [agent.Id!]);
        await admin.Routing.JoinQueueMembersAsync(other.Id!, [agent.Id!]);
        var joined = await Eventually.Until(
            () => admin.Routing.ListQueueMembersAsync(other.Id!, joined: true),
            page => page.Entities.Any(m => m.Id == agent.Id && m.Joined == true),
            "the agent joined the overflow queue",
            Deadline);
        Assert.Single(joined.Entities);

        await admin.Routing.AddQueueMembersAsync(other.Id!, [agent.Id!], delete: true);
        Assert.Empty((await admin.Routing.ListQueueMembersAsync(other.Id!)).Entities);
    }

    [Fact]
    public async Task A_notification_channel_is_created_and_subscribed_to_a_queue_topic()
    {
        var world = SeedWorld();
        using var admin = sim.AdminClient();
        var topic = $"v2.routing.queues.{world.QueueId}.conversations.messages";

        var channel = await admin.Notifications.CreateChannelAsync();
        var subscribed = await admin.Notifications.SubscribeAsync(channel.Id!, [topic]);
        var listed = await admin.Notifications.GetSubscriptionsAsync(channel.Id!);

        Assert.StartsWith("ws", channel.ConnectUri, StringComparison.Ordinal);
        Assert.Contains(subscribed.Entities, t => t.Id == topic);
        Assert.Contains(listed.Entities, t => t.Id == topic);
    }

    [Fact]
    public async Task Subscriptions_are_replaced_and_cleared_and_the_channel_is_listed_and_checked()
    {
        var world = SeedWorld();
        using var admin = sim.AdminClient();
        var queueTopic = $"v2.routing.queues.{world.QueueId}.conversations.messages";
        var conversationTopic = $"v2.detail.events.conversation.{Guid.NewGuid():D}.user.end";
        var channel = await admin.Notifications.CreateChannelAsync();
        await admin.Notifications.SubscribeAsync(channel.Id!, [queueTopic, conversationTopic]);

        var replaced = await admin.Notifications.ReplaceSubscriptionsAsync(channel.Id!, [queueTopic]);
        var afterReplace = await admin.Notifications.GetSubscriptionsAsync(channel.Id!);
        await admin.Notifications.DeleteSubscriptionsAsync(channel.Id!);
        var afterDelete = await admin.Notifications.GetSubscriptionsAsync(channel.Id!);
        var listed = await admin.Notifications.ListChannelsAsync();
        var exists = await admin.Notifications.ChannelExistsAsync(channel.Id!);
        var unknown = await admin.Notifications.ChannelExistsAsync(Guid.NewGuid().ToString("D"));

        Assert.Equal([queueTopic], replaced.Entities.Select(t => t.Id));
        Assert.Equal([queueTopic], afterReplace.Entities.Select(t => t.Id));
        Assert.Empty(afterDelete.Entities);
        var own = Assert.Single(listed.Entities, c => c.Id == channel.Id);
        Assert.Equal(channel.ConnectUri, own.ConnectUri);
        Assert.True(exists);
        Assert.False(unknown);
    }

    [Fact]
    public async Task A_1001st_topic_comes_back_as_genesys_400()
    {
        using var admin = sim.AdminClient();
        var channel = await admin.Notifications.CreateChannelAsync();
        var topics = Enumerable.Range(0, 1001).Select(_ => $"v2.detail.events.conversation.{Guid.NewGuid():D}.user.end").ToList();

        var error = await Assert.ThrowsAsync<GenesysApiException>(() => admin.Notifications.ReplaceSubscriptionsAsync(channel.Id!, topics));

        Assert.Equal(System.Net.HttpStatusCode.BadRequest, error.Status);
        Assert.Empty((await admin.Notifications.GetSubscriptionsAsync(channel.Id!)).Entities);
    }

    [Fact]
    public async Task An_inbound_message_the_simulator_finds_invalid_comes_back_as_genesys_400()
    {
        var world = SeedWorld();
        using var provider = sim.Client(world.ClientId, world.ClientSecret);

        var error = await Assert.ThrowsAsync<GenesysApiException>(() => provider.OpenMessaging.SendMessageAsync(world.IntegrationId, new InboundOpenMessage
        {
            Channel = new InboundChannel { MessageId = "m", Time = DateTimeOffset.UtcNow, From = new InboundParty { Id = "u", IdType = "Carrier pigeon" } },
            Text = "hi",
        }));

        Assert.Equal(System.Net.HttpStatusCode.BadRequest, error.Status);
        Assert.Equal("bad.request", error.Code);
        Assert.NotNull(error.CorrelationId);
    }

    private SeededWorld SeedWorld(params AgentScript[] agents) => sim.Control.SeedWorld(
        new WorldSeed(new Uri("http://127.0.0.1:9/hook"), "webhook-secret-0123456789")
        {
            TypingEnabled = true,
            QueueName = SimulatorFixture.Unique("AI Handoff"),
            FlowName = SimulatorFixture.Unique("AI Handoff Inbound"),
            IntegrationName = SimulatorFixture.Unique("AI Handoff"),
            Agents = agents,
        });
}

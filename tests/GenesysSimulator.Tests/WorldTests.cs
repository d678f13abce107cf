using System.Net.WebSockets;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json.Nodes;
using PolyAi.Messaging.GenesysSimulator.Tests.Support;

namespace PolyAi.Messaging.GenesysSimulator.Tests;

public sealed class WorldTests : IAsyncLifetime
{
    private const string Secret = "webhook-secret-0123456789";
    private GenesysSimulatorHost _sim = null!;
    private WebhookReceiver _receiver = null!;

    public async Task InitializeAsync()
    {
        _sim = await Sim.StartAsync();
        _receiver = await WebhookReceiver.StartAsync();
    }

    public async Task DisposeAsync()
    {
        await _sim.DisposeAsync();
        await _receiver.DisposeAsync();
    }

    [Fact]
    public async Task Customer_message_reaches_an_on_queue_agent_whose_reply_arrives_as_a_signed_webhook()
    {
        var world = Seed(typing: false, new AgentScript { Name = "Sam", Replies = ["Hi, I'm Sam from support"] });
        using var client = await GenesysClient.LoginAsync(_sim.BaseUrl, world.ClientId, world.ClientSecret);

        var sent = await client.OkAsync(HttpMethod.Post, Sim.InboundPath(world.IntegrationId) + "?prefetchConversationId=true", Sim.InboundText("user-123", "I want a human"));
        var reply = await Eventually.Get(() => _receiver.Received.FirstOrDefault(w => w.Type == "Text"), "the agent's reply");

        var body = reply.Json;
        Assert.Equal("Hi, I'm Sam from support", (string?)body["text"]);
        Assert.Equal("Human", (string?)body["originatingEntity"]);
        Assert.Equal("Outbound", (string?)body["direction"]);
        Assert.Equal((string?)sent["conversationId"], (string?)body["conversationId"]);
        Assert.Equal("user-123", (string?)body["channel"]!["to"]!["id"]);
        Assert.Equal(world.IntegrationId, (string?)body["channel"]!["id"]);
        Assert.Equal("Open", (string?)body["channel"]!["platform"]);
        Assert.Equal("Opaque", (string?)body["channel"]!["from"]!["idType"]);
        var expected = "sha256=" + Convert.ToBase64String(HMACSHA256.HashData(Encoding.UTF8.GetBytes(Secret), reply.RawBody));
        Assert.Equal(expected, reply.Signature);
        Assert.StartsWith("application/json", reply.ContentType, StringComparison.Ordinal);

        var conversation = await client.OkAsync(HttpMethod.Get, $"api/v2/conversations/messages/{sent["conversationId"]}");
        var participants = conversation["participants"]!.AsArray();
        var agent = participants.Single(p => (string?)p!["purpose"] == "agent")!;
        var acd = participants.Single(p => (string?)p!["purpose"] == "acd")!;
        Assert.Equal("connected", (string?)agent["state"]);
        Assert.NotNull(agent["connectedTime"]);
        Assert.Equal("disconnected", (string?)acd["state"]);
        Assert.Equal("transfer", (string?)acd["disconnectType"]);
        Assert.Equal(world.QueueId, (string?)acd["queue"]!["id"]);
    }

    [Fact]
    public async Task Webhook_answered_503_is_retried_until_it_succeeds()
    {
        var world = Seed(typing: false, new AgentScript { Replies = ["hello"] });
        _receiver.AnswerNext(503, 503);
        using var client = await GenesysClient.LoginAsync(_sim.BaseUrl, world.ClientId, world.ClientSecret);

        await client.OkAsync(HttpMethod.Post, Sim.InboundPath(world.IntegrationId), Sim.InboundText("user-1", "hi"));
        var delivery = await Eventually.Get(() => _sim.Control.Webhooks().FirstOrDefault(d => d.Outcome == "delivered"), "the first delivered webhook");

        Assert.Equal([503, 503, 200], delivery.Attempts.Select(a => a.Status));
        Assert.Equal(3, _receiver.Received.Count(r => (string?)r.Json["id"] == delivery.Id));
        await Eventually.Until(() => _receiver.Received.Any(r => r.Type == "Text"), "the reply behind it");
        var arrivals = _receiver.Received.Select(r => (string?)r.Json["id"]).ToList();
        Assert.True(arrivals.IndexOf(arrivals.First(id => id != delivery.Id)) > arrivals.LastIndexOf(delivery.Id), "the conversation's later webhooks wait for the retried one");
    }

    [Fact]
    public async Task Webhook_answered_with_another_4xx_is_not_retried()
    {
        var world = Seed(typing: false, new AgentScript { Replies = ["hello"] });
        _receiver.AnswerNext(400);
        using var client = await GenesysClient.LoginAsync(_sim.BaseUrl, world.ClientId, world.ClientSecret);

        await client.OkAsync(HttpMethod.Post, Sim.InboundPath(world.IntegrationId), Sim.InboundText("user-1", "hi"));
        var delivery = await Eventually.Get(() => _sim.Control.Webhooks().FirstOrDefault(d => d.Outcome == "failed"), "the failed delivery");

        Assert.Equal([400], delivery.Attempts.Select(a => a.Status));
    }

    [Fact]
    public async Task Webhook_is_given_up_after_five_retries()
    {
        var world = Seed(typing: false, new AgentScript { Replies = ["hello"] });
        _receiver.AnswerNext(500, 500, 500, 500, 500, 500, 500);
        using var client = await GenesysClient.LoginAsync(_sim.BaseUrl, world.ClientId, world.ClientSecret);

        await client.OkAsync(HttpMethod.Post, Sim.InboundPath(world.IntegrationId), Sim.InboundText("user-1", "hi"));
        var delivery = await Eventually.Get(() => _sim.Control.Webhooks().FirstOrDefault(d => d.Outcome == "failed"), "the failed delivery");

        Assert.Equal(6, delivery.Attempts.Count);
    }

    [Fact]
    public async Task Agent_typing_is_sent_only_when_the_messaging_setting_enables_outbound_typing()
    {
        var quiet = Seed(typing: false, new AgentScript { Replies = ["a"] });
        var chatty = _sim.Control.SeedWorld(new WorldSeed(_receiver.Url, Secret) { TypingEnabled = true, QueueName = "Typing Q", FlowName = "Typing flow", IntegrationName = "Typing", Agents = [new AgentScript { Replies = ["b"] }] });
        using var client = await GenesysClient.LoginAsync(_sim.BaseUrl, quiet.ClientId, quiet.ClientSecret);

        await client.OkAsync(HttpMethod.Post, Sim.InboundPath(quiet.IntegrationId), Sim.InboundText("user-q", "hi"));
        await client.OkAsync(HttpMethod.Post, Sim.InboundPath(chatty.IntegrationId), Sim.InboundText("user-c", "hi"));
        await Eventually.Until(() => _receiver.Received.Count(w => w.Type == "Text") == 2, "both replies");

        var events = _receiver.Received.Where(w => w.Type == "Event").Select(w => w.Json).ToList();
        var typing = Assert.Single(events);
        Assert.Equal(chatty.IntegrationId, (string?)typing["channel"]!["id"]);
        Assert.Equal("Typing", (string?)typing["events"]![0]!["eventType"]);
        Assert.Equal("On", (string?)typing["events"]![0]!["typing"]!["type"]);
        var chattyWebhooks = _receiver.Received.Where(w => (string?)w.Json["channel"]!["id"] == chatty.IntegrationId && w.Type is "Event" or "Text").Select(w => w.Type).ToList();
        Assert.Equal(["Event", "Text"], chattyWebhooks);
    }

    [Fact]
    public async Task Conversation_waits_in_queue_while_no_agent_is_on_queue_and_is_offered_when_one_comes_on()
    {
        var world = Seed(typing: false, new AgentScript { OnQueue = false, Replies = ["finally"] });
        using var client = await GenesysClient.LoginAsync(_sim.BaseUrl, world.ClientId, world.ClientSecret);

        var sent = await client.OkAsync(HttpMethod.Post, Sim.InboundPath(world.IntegrationId) + "?prefetchConversationId=true", Sim.InboundText("user-w", "anyone?"));
        var waiting = await client.OkAsync(HttpMethod.Get, $"api/v2/conversations/messages/{sent["conversationId"]}");
        var observations = await Observe(client, world.QueueId);

        var purposes = waiting["participants"]!.AsArray().Select(p => ((string?)p!["purpose"], (string?)p["state"])).ToList();
        Assert.Equal([("customer", "connected"), ("acd", "connected")], purposes);
        Assert.Equal(1, Count(observations, "oWaiting"));
        Assert.Equal(0, Count(observations, "oOnQueueUsers"));
        Assert.Equal(1, Count(observations, "oOffQueueUsers"));

        _sim.Control.SetOnQueue(world.AgentIds[0], onQueue: true);
        var reply = await Eventually.Get(() => _receiver.Received.FirstOrDefault(w => w.Type == "Text"), "the reply once an agent is on queue");
        Assert.Equal("finally", (string?)reply.Json["text"]);
        Assert.Equal(0, Count(await Observe(client, world.QueueId), "oWaiting"));
    }

    [Fact]
    public async Task Agent_ending_publishes_user_end_on_the_notification_websocket_and_the_next_message_starts_a_new_conversation()
    {
        var world = Seed(typing: false, new AgentScript { Replies = ["one", "two"], EndAfterMessages = 2, ReplyDelayMs = 10 });
        using var client = await GenesysClient.LoginAsync(_sim.BaseUrl, world.ClientId, world.ClientSecret);
        var first = await client.OkAsync(HttpMethod.Post, Sim.InboundPath(world.IntegrationId) + "?prefetchConversationId=true", Sim.InboundText("user-e", "hello"));
        var conversationId = (string)first["conversationId"]!;
        var channel = await client.OkAsync(HttpMethod.Post, "api/v2/notifications/channels", new JsonObject());
        await client.OkAsync(HttpMethod.Post, $"api/v2/notifications/channels/{channel["id"]}/subscriptions", new JsonArray(
            new JsonObject { ["id"] = $"v2.detail.events.conversation.{conversationId}.user.end" },
            new JsonObject { ["id"] = $"v2.routing.queues.{world.QueueId}.conversations.messages" }));
        using var socket = new ClientWebSocket();
        await socket.ConnectAsync(new Uri((string)channel["connectUri"]!), CancellationToken.None);
        using var reading = new CancellationTokenSource(TimeSpan.FromSeconds(15));
        var userEnd = ReadUntilAsync(socket, m => ((string?)m["topicName"])?.EndsWith(".user.end", StringComparison.Ordinal) == true, reading.Token);

        await Eventually.Until(() => _receiver.Received.Any(w => w.Type == "Text"), "the first reply");
        var second = await client.OkAsync(HttpMethod.Post, Sim.InboundPath(world.IntegrationId) + "?prefetchConversationId=true", Sim.InboundText("user-e", "thanks"));
        var (ended, _) = await userEnd;

        Assert.Equal(conversationId, (string?)second["conversationId"]);
        Assert.Equal(conversationId, (string?)ended["eventBody"]!["conversationId"]);
        Assert.Equal("CLIENT", (string?)ended["eventBody"]!["disconnectType"]);
        var conversation = await client.OkAsync(HttpMethod.Get, $"api/v2/conversations/messages/{conversationId}");
        var agent = conversation["participants"]!.AsArray().Single(p => (string?)p!["purpose"] == "agent")!;
        Assert.Equal("disconnected", (string?)agent["state"]);
        Assert.NotNull(agent["endTime"]);

        var third = await client.OkAsync(HttpMethod.Post, Sim.InboundPath(world.IntegrationId) + "?prefetchConversationId=true", Sim.InboundText("user-e", "one more thing"));
        Assert.NotEqual(conversationId, (string?)third["conversationId"]);
    }

    [Fact]
    public async Task Notification_channel_sends_heartbeats()
    {
        var org = _sim.Control.SeedOrg();
        using var client = await GenesysClient.LoginAsync(_sim.BaseUrl, org.ClientId, org.ClientSecret);
        var channel = await client.OkAsync(HttpMethod.Post, "api/v2/notifications/channels", new JsonObject());
        using var socket = new ClientWebSocket();
        await socket.ConnectAsync(new Uri((string)channel["connectUri"]!), CancellationToken.None);
        using var reading = new CancellationTokenSource(TimeSpan.FromSeconds(10));

        var (heartbeat, _) = await ReadUntilAsync(socket, m => (string?)m["topicName"] == "channel.metadata", reading.Token);

        Assert.Equal("WebSocket Heartbeat", (string?)heartbeat["eventBody"]!["message"]);
        Assert.StartsWith("ws://127.0.0.1", (string?)channel["connectUri"], StringComparison.Ordinal);
    }

    [Fact]
    public async Task Provider_disconnecting_the_customer_ends_the_conversation_for_everyone()
    {
        var world = Seed(typing: false, new AgentScript { Manual = true });
        using var client = await GenesysClient.LoginAsync(_sim.BaseUrl, world.ClientId, world.ClientSecret);
        var sent = await client.OkAsync(HttpMethod.Post, Sim.InboundPath(world.IntegrationId) + "?prefetchConversationId=true", Sim.InboundText("user-d", "bye soon"));
        var conversationId = (string)sent["conversationId"]!;
        Assert.True(_sim.Control.Accept(conversationId));
        var before = await client.OkAsync(HttpMethod.Get, $"api/v2/conversations/messages/{conversationId}");
        var customerId = (string)before["participants"]!.AsArray().Single(p => (string?)p!["purpose"] == "customer")!["id"]!;

        using var patch = await client.SendAsync(HttpMethod.Patch, $"api/v2/conversations/messages/{conversationId}/participants/{customerId}", """{"state":"disconnected"}""");

        Assert.Equal(System.Net.HttpStatusCode.Accepted, patch.StatusCode);
        var after = await client.OkAsync(HttpMethod.Get, $"api/v2/conversations/messages/{conversationId}");
        Assert.All(after["participants"]!.AsArray(), p => Assert.Equal("disconnected", (string?)p!["state"]));
        Assert.False(_sim.Control.Reply(conversationId, "too late"));
    }

    [Fact]
    public async Task Provider_disconnecting_the_whole_conversation_publishes_customer_end_and_frees_the_customer_for_a_new_one()
    {
        var world = Seed(typing: false, new AgentScript { Manual = true });
        using var client = await GenesysClient.LoginAsync(_sim.BaseUrl, world.ClientId, world.ClientSecret);
        var sent = await client.OkAsync(HttpMethod.Post, Sim.InboundPath(world.IntegrationId) + "?prefetchConversationId=true", Sim.InboundText("user-z", "hi"));
        var conversationId = (string)sent["conversationId"]!;
        var channel = await client.OkAsync(HttpMethod.Post, "api/v2/notifications/channels", new JsonObject());
        await client.OkAsync(HttpMethod.Put, $"api/v2/notifications/channels/{channel["id"]}/subscriptions", new JsonArray(
            new JsonObject { ["id"] = $"v2.detail.events.conversation.{conversationId}.customer.end" }));
        using var socket = new ClientWebSocket();
        await socket.ConnectAsync(new Uri((string)channel["connectUri"]!), CancellationToken.None);
        using var reading = new CancellationTokenSource(TimeSpan.FromSeconds(15));
        var customerEnd = ReadUntilAsync(socket, m => ((string?)m["topicName"])?.EndsWith(".customer.end", StringComparison.Ordinal) == true, reading.Token);

        var patched = await client.OkAsync(HttpMethod.Patch, $"api/v2/conversations/messages/{conversationId}", new JsonObject { ["state"] = "disconnected" });
        var (ended, _) = await customerEnd;

        Assert.All(patched["participants"]!.AsArray(), p => Assert.Equal("disconnected", (string?)p!["state"]));
        Assert.Equal(conversationId, (string?)ended["eventBody"]!["conversationId"]);
        var next = await client.OkAsync(HttpMethod.Post, Sim.InboundPath(world.IntegrationId) + "?prefetchConversationId=true", Sim.InboundText("user-z", "again"));
        Assert.NotEqual(conversationId, (string?)next["conversationId"]);
    }

    [Fact]
    public async Task Each_seeded_world_has_its_own_queue_so_one_tenants_agents_never_take_anothers_customers()
    {
        var staffed = Seed(typing: false, new AgentScript { Replies = ["staffed"] });
        var empty = Seed(typing: false);
        using var client = await GenesysClient.LoginAsync(_sim.BaseUrl, empty.ClientId, empty.ClientSecret);

        var sent = await client.OkAsync(HttpMethod.Post, Sim.InboundPath(empty.IntegrationId) + "?prefetchConversationId=true", Sim.InboundText("user-n", "anyone?"));

        Assert.NotEqual(staffed.QueueId, empty.QueueId);
        Assert.NotEqual(staffed.FlowId, empty.FlowId);
        Assert.Equal("waiting", (string?)_sim.Control.Conversation((string)sent["conversationId"]!)!["state"]);
        var queue = await client.OkAsync(HttpMethod.Get, $"api/v2/routing/queues/{empty.QueueId}");
        Assert.Equal("AI Handoff (2)", (string?)queue["name"]);
    }

    [Fact]
    public async Task Dropped_webhooks_are_recorded_and_never_reach_the_provider()
    {
        var world = Seed(typing: false, new AgentScript { Manual = true });
        _sim.Control.AddWebhookFault(new WebhookFault { Mode = "drop", Times = 1 });
        using var client = await GenesysClient.LoginAsync(_sim.BaseUrl, world.ClientId, world.ClientSecret);
        var sent = await client.OkAsync(HttpMethod.Post, Sim.InboundPath(world.IntegrationId) + "?prefetchConversationId=true", Sim.InboundText("user-x", "hi"));
        var conversationId = (string)sent["conversationId"]!;
        Assert.True(_sim.Control.Accept(conversationId)); // the Delivered receipt for "hi" is the dropped one

        Assert.True(_sim.Control.Reply(conversationId, "after the drop"));
        await Eventually.Until(() => _receiver.Received.Any(w => w.Type == "Text"), "the reply");

        Assert.Equal("dropped", _sim.Control.Webhooks()[0].Outcome);
        Assert.DoesNotContain(_receiver.Received, w => w.Type == "Receipt");
    }

    private SeededWorld Seed(bool typing, params AgentScript[] agents) =>
        _sim.Control.SeedWorld(new WorldSeed(_receiver.Url, Secret) { TypingEnabled = typing, Agents = agents });

    private static Task<JsonObject> Observe(GenesysClient client, string queueId, string? mediaType = null) =>
        client.OkAsync(HttpMethod.Post, "api/v2/analytics/queues/observations/query", JsonNode.Parse($$"""
            {"filter":{"type":"and","predicates":[{"dimension":"queueId","value":"{{queueId}}"}{{(mediaType is null ? "" : $",{{\"dimension\":\"mediaType\",\"value\":\"{mediaType}\"}}")}}]},
             "metrics":["oOnQueueUsers","oOffQueueUsers","oWaiting","oMemberUsers"]}
            """));

    private static int Count(JsonObject observations, string metric) =>
        observations["results"]!.AsArray().SelectMany(r => r!["data"]!.AsArray()).Where(d => (string?)d!["metric"] == metric).Sum(d => (int)d!["stats"]!["count"]!);

    private static JsonArray GroupData(JsonObject observations, string? mediaType) =>
        observations["results"]!.AsArray().Single(r => (string?)r!["group"]!["mediaType"] == mediaType)!["data"]!.AsArray();

    [Fact]
    public async Task Observations_put_user_metrics_in_the_queue_group_and_interaction_metrics_in_the_message_group()
    {
        var world = Seed(typing: false, new AgentScript { Manual = true }, new AgentScript { Manual = true });
        using var client = await GenesysClient.LoginAsync(_sim.BaseUrl, world.ClientId, world.ClientSecret);
        _sim.Control.SetNotResponding(world.AgentIds[1], true);

        var byQueue = await Observe(client, world.QueueId);
        var users = GroupData(byQueue, null);
        Assert.Contains(users, d => (string?)d!["metric"] == "oOnQueueUsers" && (string?)d["qualifier"] == "IDLE" && (int)d["stats"]!["count"]! == 1);
        Assert.Contains(users, d => (string?)d!["metric"] == "oOnQueueUsers" && (string?)d["qualifier"] == "NOT_RESPONDING" && (int)d["stats"]!["count"]! == 1);
        Assert.DoesNotContain(users, d => (string?)d!["metric"] == "oWaiting");
        var media = GroupData(byQueue, "message");
        Assert.Equal(["oWaiting"], media.Select(d => (string?)d!["metric"]));

        var filtered = await Observe(client, world.QueueId, "message");
        Assert.Equal(0, Count(filtered, "oOnQueueUsers"));
        Assert.Equal(0, Count(filtered, "oMemberUsers"));

        _sim.Control.ObservationUserMetricsPerMediaType = true; // the other reading
        try
        {
            var other = await Observe(client, world.QueueId);
            Assert.DoesNotContain(other["results"]!.AsArray(), r => r!["group"]!["mediaType"] is null);
            Assert.Equal(2, Count(other, "oOnQueueUsers"));
        }
        finally
        {
            _sim.Control.ObservationUserMetricsPerMediaType = false;
        }
    }

    private static async Task<(JsonObject Message, int Heartbeats)> ReadUntilAsync(ClientWebSocket socket, Func<JsonObject, bool> match, CancellationToken ct)
    {
        var buffer = new byte[64 * 1024];
        var heartbeats = 0;
        while (true)
        {
            using var message = new MemoryStream();
            WebSocketReceiveResult result;
            do
            {
                result = await socket.ReceiveAsync(buffer, ct);
                message.Write(buffer, 0, result.Count);
            }
            while (!result.EndOfMessage);

            var json = JsonNode.Parse(message.ToArray())!.AsObject();
            if (match(json))
            {
                return (json, heartbeats);
            }

            heartbeats += (string?)json["topicName"] == "channel.metadata" ? 1 : 0;
        }
    }
}

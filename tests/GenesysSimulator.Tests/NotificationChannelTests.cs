using System.Net;
using System.Net.WebSockets;
using System.Text;
using System.Text.Json.Nodes;
using Microsoft.Extensions.Time.Testing;
using PolyAi.Messaging.GenesysSimulator.Tests.Support;

namespace PolyAi.Messaging.GenesysSimulator.Tests;

/// <summary>Notification channels as Genesys runs them (genesys-facts, Corrections 4).</summary>
public sealed class NotificationChannelTests : IAsyncLifetime
{
    private const string Channels = "api/v2/notifications/channels";
    private GenesysSimulatorHost _sim = null!;

    public async Task InitializeAsync() => _sim = await Sim.StartAsync();

    public async Task DisposeAsync() => await _sim.DisposeAsync();

    private static JsonArray TopicList(IEnumerable<string> topics) =>
        new(topics.Select(t => (JsonNode)new JsonObject { ["id"] = t }).ToArray());

    private static IEnumerable<string> ConversationTopics(int count) =>
        Enumerable.Range(0, count).Select(_ => $"v2.detail.events.conversation.{Guid.NewGuid():D}.user.end");

    private static async Task<GenesysClient> LoginAsync(GenesysSimulatorHost sim)
    {
        var org = sim.Control.SeedOrg();
        return await GenesysClient.LoginAsync(sim.BaseUrl, org.ClientId, org.ClientSecret);
    }

    private static async Task AssertGenesysError(HttpResponseMessage response, int status)
    {
        Assert.Equal(status, (int)response.StatusCode);
        var body = await GenesysClient.Body(response);
        Assert.Equal(status, (int?)body["status"]);
        Assert.False(string.IsNullOrEmpty((string?)body["code"]));
        Assert.False(string.IsNullOrEmpty((string?)body["message"]));
        Assert.NotNull(body["contextId"]);
    }

    [Fact]
    public async Task The_1001st_topic_on_a_channel_is_refused_and_the_channel_keeps_its_1000()
    {
        using var client = await LoginAsync(_sim);
        var channel = await client.OkAsync(HttpMethod.Post, Channels, new JsonObject());
        var path = $"{Channels}/{channel["id"]}/subscriptions";
        var thousand = await client.OkAsync(HttpMethod.Post, path, TopicList(ConversationTopics(1000)));

        using var oneMore = await client.SendAsync(HttpMethod.Post, path, TopicList(ConversationTopics(1)).ToJsonString());
        using var replaceWith1001 = await client.SendAsync(HttpMethod.Put, path, TopicList(ConversationTopics(1001)).ToJsonString());

        Assert.Equal(1000, thousand["entities"]!.AsArray().Count);
        await AssertGenesysError(oneMore, 400);
        await AssertGenesysError(replaceWith1001, 400);
        var listed = await client.OkAsync(HttpMethod.Get, path);
        Assert.Equal(1000, listed["entities"]!.AsArray().Count);
    }

    [Fact]
    public async Task A_21st_channel_removes_the_oldest_one_without_a_connection_so_a_client_never_has_more_than_20()
    {
        using var client = await LoginAsync(_sim);
        var created = new List<JsonObject>();
        for (var i = 0; i < 20; i++)
        {
            created.Add(await client.OkAsync(HttpMethod.Post, Channels, new JsonObject()));
        }

        using var socket = new ClientWebSocket();
        await socket.ConnectAsync(new Uri((string)created[0]["connectUri"]!), CancellationToken.None);

        var twentyFirst = await client.OkAsync(HttpMethod.Post, Channels, new JsonObject());

        var listed = (await client.OkAsync(HttpMethod.Get, Channels))["entities"]!.AsArray().Select(c => (string?)c!["id"]).ToList();
        Assert.Equal(20, listed.Count);
        Assert.Contains((string?)created[0]["id"], listed); // connected: kept although the oldest
        Assert.DoesNotContain((string?)created[1]["id"], listed); // the oldest without a connection went
        Assert.Contains((string?)twentyFirst["id"], listed);
        using var head = await client.SendAsync(HttpMethod.Head, $"{Channels}/{created[1]["id"]}");
        Assert.Equal(HttpStatusCode.NotFound, head.StatusCode);
    }

    [Fact]
    public async Task Channels_lists_the_channels_of_the_presenting_token_or_of_the_whole_oauth_client()
    {
        var org = _sim.Control.SeedOrg();
        using var first = await GenesysClient.LoginAsync(_sim.BaseUrl, org.ClientId, org.ClientSecret);
        using var second = await GenesysClient.LoginAsync(_sim.BaseUrl, org.ClientId, org.ClientSecret);
        using var other = await LoginAsync(_sim);
        var channel = await first.OkAsync(HttpMethod.Post, Channels, new JsonObject());
        await other.OkAsync(HttpMethod.Post, Channels, new JsonObject());

        var mine = (await first.OkAsync(HttpMethod.Get, Channels))["entities"]!.AsArray();
        var otherToken = (await second.OkAsync(HttpMethod.Get, Channels))["entities"]!.AsArray();
        var wholeClient = (await second.OkAsync(HttpMethod.Get, Channels + "?includechannels=oauthclient"))["entities"]!.AsArray();
        using var invalid = await first.GetAsync(Channels + "?includechannels=everyone");

        var listed = Assert.Single(mine)!;
        Assert.Equal((string?)channel["id"], (string?)listed["id"]);
        Assert.Equal((string?)channel["connectUri"], (string?)listed["connectUri"]);
        Assert.Equal((string?)channel["expires"], (string?)listed["expires"]);
        Assert.Empty(otherToken);
        var shown = Assert.Single(wholeClient)!; // another token's channel: its existence, not its id
        Assert.Null(shown["id"]);
        Assert.NotNull(shown["expires"]);
        await AssertGenesysError(invalid, 400);
    }

    [Fact]
    public async Task Put_replaces_the_topics_and_delete_clears_them_and_events_follow_the_list()
    {
        var world = _sim.Control.SeedWorld(new WorldSeed(new Uri("http://127.0.0.1:9/hook"), "webhook-secret-0123456789") { Agents = [new AgentScript { Manual = true }] });
        using var client = await GenesysClient.LoginAsync(_sim.BaseUrl, world.ClientId, world.ClientSecret);
        var first = (string)(await client.OkAsync(HttpMethod.Post, Sim.InboundPath(world.IntegrationId) + "?prefetchConversationId=true", Sim.InboundText("user-a", "hi")))["conversationId"]!;
        var second = (string)(await client.OkAsync(HttpMethod.Post, Sim.InboundPath(world.IntegrationId) + "?prefetchConversationId=true", Sim.InboundText("user-b", "hi")))["conversationId"]!;
        var channel = await client.OkAsync(HttpMethod.Post, Channels, new JsonObject());
        var path = $"{Channels}/{channel["id"]}/subscriptions";
        await client.OkAsync(HttpMethod.Post, path, TopicList([$"v2.detail.events.conversation.{first}.customer.end", $"v2.detail.events.conversation.{first}.user.end"]));
        using var socket = new ClientWebSocket();
        await socket.ConnectAsync(new Uri((string)channel["connectUri"]!), CancellationToken.None);

        var replaced = await client.OkAsync(HttpMethod.Put, path, TopicList([$"v2.detail.events.conversation.{second}.customer.end"]));
        Assert.True(_sim.Control.End(first)); // no longer subscribed: nothing on the socket
        Assert.True(_sim.Control.End(second));
        using var reading = new CancellationTokenSource(TimeSpan.FromSeconds(10));
        var next = await NotificationSockets.ReadUntilAsync(socket, m => (string?)m["topicName"] != "channel.metadata", reading.Token);
        using var deleted = await client.SendAsync(HttpMethod.Delete, path);

        Assert.Equal([$"v2.detail.events.conversation.{second}.customer.end"], replaced["entities"]!.AsArray().Select(t => (string?)t!["id"]));
        Assert.Equal($"v2.detail.events.conversation.{second}.customer.end", (string?)next["topicName"]);
        Assert.Equal(HttpStatusCode.NoContent, deleted.StatusCode);
        Assert.Empty((await client.OkAsync(HttpMethod.Get, path))["entities"]!.AsArray());
    }

    [Theory]
    [InlineData("""[{"id":"v2.not.a.topic"}]""")]
    [InlineData("""[{"id":"v2.routing.queues..conversations.messages"}]""")]
    [InlineData("""[{"id":"v2.detail.events.conversation.abc.user.finished"}]""")]
    [InlineData("""[{"id":""}]""")]
    [InlineData("""[{"name":"v2.routing.queues.q1.conversations.messages"}]""")]
    [InlineData("""{"id":"v2.routing.queues.q1.conversations.messages"}""")]
    public async Task Unknown_or_malformed_topics_are_refused_with_400_and_nothing_is_subscribed(string body)
    {
        using var client = await LoginAsync(_sim);
        var channel = await client.OkAsync(HttpMethod.Post, Channels, new JsonObject());
        var path = $"{Channels}/{channel["id"]}/subscriptions";
        var good = $$"""{"id":"v2.routing.queues.{{Guid.NewGuid():D}}.conversations.messages"}""";
        var withGood = body.StartsWith('[') ? "[" + good + "," + body[1..] : body;

        using var post = await client.SendAsync(HttpMethod.Post, path, withGood);
        using var put = await client.SendAsync(HttpMethod.Put, path, withGood);

        await AssertGenesysError(post, 400);
        await AssertGenesysError(put, 400);
        Assert.Empty((await client.OkAsync(HttpMethod.Get, path))["entities"]!.AsArray());
    }

    [Fact]
    public async Task A_ping_is_answered_with_a_channel_metadata_pong()
    {
        using var client = await LoginAsync(_sim);
        var channel = await client.OkAsync(HttpMethod.Post, Channels, new JsonObject());
        using var socket = new ClientWebSocket();
        await socket.ConnectAsync(new Uri((string)channel["connectUri"]!), CancellationToken.None);
        using var reading = new CancellationTokenSource(TimeSpan.FromSeconds(10));

        await socket.SendAsync(Encoding.UTF8.GetBytes("""{"message":"ping"}"""), WebSocketMessageType.Text, endOfMessage: true, reading.Token);
        var pong = await NotificationSockets.ReadUntilAsync(socket, m => (string?)m["eventBody"]?["message"] == "pong", reading.Token);

        Assert.Equal("channel.metadata", (string?)pong["topicName"]);
    }

    [Fact]
    public async Task Closing_the_sockets_sends_socket_closing_first_and_the_same_connect_uri_works_again_with_the_topics_kept()
    {
        var world = _sim.Control.SeedWorld(new WorldSeed(new Uri("http://127.0.0.1:9/hook"), "webhook-secret-0123456789") { Agents = [new AgentScript { Manual = true }] });
        using var client = await GenesysClient.LoginAsync(_sim.BaseUrl, world.ClientId, world.ClientSecret);
        var conversationId = (string)(await client.OkAsync(HttpMethod.Post, Sim.InboundPath(world.IntegrationId) + "?prefetchConversationId=true", Sim.InboundText("user-c", "hi")))["conversationId"]!;
        var channel = await client.OkAsync(HttpMethod.Post, Channels, new JsonObject());
        await client.OkAsync(HttpMethod.Post, $"{Channels}/{channel["id"]}/subscriptions", TopicList([$"v2.detail.events.conversation.{conversationId}.user.end"]));
        var connectUri = new Uri((string)channel["connectUri"]!);
        using var first = new ClientWebSocket();
        await first.ConnectAsync(connectUri, CancellationToken.None);
        using var reading = new CancellationTokenSource(TimeSpan.FromSeconds(10));

        // The handshake completes before the simulator has registered the socket on the channel.
        await Eventually.Until(() => _sim.Control.NotificationChannels().Any(c => c.Id == (string?)channel["id"] && c.OpenSockets == 1), "the socket registered on the channel");
        Assert.Equal(1, _sim.Control.CloseNotificationSockets());
        var closing = await NotificationSockets.ReadUntilAsync(first, m => (string?)m["topicName"] != "channel.metadata", reading.Token);
        var close = await NotificationSockets.ReadCloseAsync(first, reading.Token);
        using var second = new ClientWebSocket();
        await second.ConnectAsync(connectUri, reading.Token);
        Assert.True(_sim.Control.Accept(conversationId));
        Assert.True(_sim.Control.End(conversationId));
        var ended = await NotificationSockets.ReadUntilAsync(second, m => ((string?)m["topicName"])?.EndsWith(".user.end", StringComparison.Ordinal) == true, reading.Token);

        Assert.Equal("v2.system.socket_closing", (string?)closing["topicName"]);
        Assert.Equal(WebSocketCloseStatus.NormalClosure, close);
        Assert.Equal(conversationId, (string?)ended["eventBody"]!["conversationId"]);
        var described = Assert.Single(_sim.Control.NotificationChannels(), c => c.Id == (string?)channel["id"]);
        Assert.Equal(2, described.Connections);
        Assert.Equal(1, described.OpenSockets);
    }

    [Fact]
    public async Task A_silenced_socket_stays_open_without_heartbeats_while_a_new_connection_gets_them()
    {
        using var client = await LoginAsync(_sim);
        var channel = await client.OkAsync(HttpMethod.Post, Channels, new JsonObject());
        var connectUri = new Uri((string)channel["connectUri"]!);
        using var first = new ClientWebSocket();
        await first.ConnectAsync(connectUri, CancellationToken.None);
        using var reading = new CancellationTokenSource(TimeSpan.FromSeconds(10));
        await NotificationSockets.ReadUntilAsync(first, m => (string?)m["topicName"] == "channel.metadata", reading.Token);

        // The handshake completes before the simulator has registered the socket on the channel.
        await Eventually.Until(() => _sim.Control.NotificationChannels().Any(c => c.Id == (string?)channel["id"] && c.OpenSockets == 1), "the socket registered on the channel");
        Assert.Equal(1, _sim.Control.SilenceNotificationSockets());
        using var second = new ClientWebSocket();
        await second.ConnectAsync(connectUri, reading.Token);
        var heartbeat = await NotificationSockets.ReadUntilAsync(second, m => (string?)m["topicName"] == "channel.metadata", reading.Token);

        Assert.Equal("WebSocket Heartbeat", (string?)heartbeat["eventBody"]!["message"]);
        Assert.Equal(WebSocketState.Open, first.State);
        var described = Assert.Single(_sim.Control.NotificationChannels(), c => c.Id == (string?)channel["id"]);
        Assert.Equal(2, described.OpenSockets);
        Assert.Equal(1, described.SilencedSockets);
    }

    [Fact]
    public async Task A_channel_lives_24_hours_from_its_last_subscription_then_sends_socket_closing_closes_and_is_gone()
    {
        var time = new FakeTimeProvider(DateTimeOffset.Parse("2026-12-01T08:00:00Z", System.Globalization.CultureInfo.InvariantCulture));
        await using var sim = await Sim.StartAsync(o => o with { TimeProvider = time, NotificationHeartbeatInterval = TimeSpan.FromHours(1) });
        var org = sim.Control.SeedOrg();
        using var client = await GenesysClient.LoginAsync(sim.BaseUrl, org.ClientId, org.ClientSecret);
        var channel = await client.OkAsync(HttpMethod.Post, Channels, new JsonObject());
        var channelPath = $"{Channels}/{channel["id"]}";
        using var socket = new ClientWebSocket();
        await socket.ConnectAsync(new Uri((string)channel["connectUri"]!), CancellationToken.None);
        using var reading = new CancellationTokenSource(TimeSpan.FromSeconds(10));

        Assert.Equal(time.GetUtcNow().AddHours(24), DateTimeOffset.Parse((string)channel["expires"]!, System.Globalization.CultureInfo.InvariantCulture));
        async Task AdvanceAsync(TimeSpan by)
        {
            time.Advance(by);
            using var token = await client.RequestTokenAsync(org.ClientId, org.ClientSecret); // tokens live 24 h too
            client.Token = (string?)(await GenesysClient.Body(token))["access_token"];
        }

        await AdvanceAsync(TimeSpan.FromHours(20));
        await client.OkAsync(HttpMethod.Put, channelPath + "/subscriptions", TopicList(ConversationTopics(1))); // resubscribing keeps it
        await AdvanceAsync(TimeSpan.FromHours(20));
        using (var alive = await client.SendAsync(HttpMethod.Head, channelPath))
        {
            Assert.Equal(HttpStatusCode.OK, alive.StatusCode);
        }

        await AdvanceAsync(TimeSpan.FromHours(4));
        var closing = await NotificationSockets.ReadUntilAsync(socket, m => (string?)m["topicName"] != "channel.metadata", reading.Token);
        var close = await NotificationSockets.ReadCloseAsync(socket, reading.Token);
        using var gone = await client.SendAsync(HttpMethod.Head, channelPath);
        using var again = new ClientWebSocket();
        var refused = await Assert.ThrowsAsync<WebSocketException>(() => again.ConnectAsync(new Uri((string)channel["connectUri"]!), reading.Token));

        Assert.Equal("v2.system.socket_closing", (string?)closing["topicName"]);
        Assert.Equal(WebSocketCloseStatus.NormalClosure, close);
        Assert.Equal(HttpStatusCode.NotFound, gone.StatusCode);
        Assert.Empty((await client.OkAsync(HttpMethod.Get, Channels + "?includechannels=oauthclient"))["entities"]!.AsArray());
        Assert.Contains("404", refused.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Expiring_the_channels_from_the_control_api_ends_them_as_24_hours_would()
    {
        using var client = await LoginAsync(_sim);
        var channel = await client.OkAsync(HttpMethod.Post, Channels, new JsonObject());
        using var socket = new ClientWebSocket();
        await socket.ConnectAsync(new Uri((string)channel["connectUri"]!), CancellationToken.None);
        using var reading = new CancellationTokenSource(TimeSpan.FromSeconds(10));

        Assert.Equal(1, _sim.Control.ExpireNotificationChannels());
        var closing = await NotificationSockets.ReadUntilAsync(socket, m => (string?)m["topicName"] != "channel.metadata", reading.Token);
        using var gone = await client.SendAsync(HttpMethod.Head, $"{Channels}/{channel["id"]}");

        Assert.Equal("v2.system.socket_closing", (string?)closing["topicName"]);
        Assert.Equal(HttpStatusCode.NotFound, gone.StatusCode);
        Assert.DoesNotContain(_sim.Control.NotificationChannels(), c => c.Id == (string?)channel["id"]);
    }

    [Fact]
    public async Task Another_clients_channel_is_not_found()
    {
        using var owner = await LoginAsync(_sim);
        using var stranger = await LoginAsync(_sim);
        var channel = await owner.OkAsync(HttpMethod.Post, Channels, new JsonObject());

        using var head = await stranger.SendAsync(HttpMethod.Head, $"{Channels}/{channel["id"]}");
        using var subscribe = await stranger.SendAsync(HttpMethod.Put, $"{Channels}/{channel["id"]}/subscriptions", "[]");
        using var clear = await stranger.SendAsync(HttpMethod.Delete, $"{Channels}/{channel["id"]}/subscriptions");

        Assert.Equal(HttpStatusCode.NotFound, head.StatusCode);
        await AssertGenesysError(subscribe, 404);
        await AssertGenesysError(clear, 404);
    }
}

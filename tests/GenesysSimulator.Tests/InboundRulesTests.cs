using System.Net;
using System.Text.Json.Nodes;
using PolyAi.Messaging.GenesysSimulator.Tests.Support;
using static PolyAi.Messaging.GenesysSimulator.Tests.AuthenticationTests;

namespace PolyAi.Messaging.GenesysSimulator.Tests;

public sealed class InboundRulesTests : IAsyncLifetime
{
    private GenesysSimulatorHost _sim = null!;
    private GenesysClient _client = null!;
    private SeededWorld _world = null!;

    public async Task InitializeAsync()
    {
        _sim = await Sim.StartAsync();
        _world = _sim.Control.SeedWorld(new WorldSeed(new Uri("http://127.0.0.1:9/unused"), "0123456789abcdef-secret"));
        _client = await GenesysClient.LoginAsync(_sim.BaseUrl, _world.ClientId, _world.ClientSecret);
    }

    public async Task DisposeAsync()
    {
        _client.Dispose();
        await _sim.DisposeAsync();
    }

    [Fact]
    public async Task Message_without_text_or_content_gets_genesys_anyOf_400()
    {
        var body = Sim.InboundText("user-1", "x");
        body.Remove("text");

        using var response = await _client.PostAsync(Sim.InboundPath(_world.IntegrationId), body);

        var error = await AssertError(response, 400, "bad.request");
        Assert.Equal("should have required property 'content', should have required property '.text', should match some schema in anyOf", (string?)error["message"]);
    }

    [Theory]
    [InlineData("channel")]
    [InlineData("from.id")]
    [InlineData("from.idType")]
    [InlineData("time")]
    public async Task Message_missing_a_required_channel_field_is_400(string field)
    {
        var body = Sim.InboundText("user-1", "hello");
        var channel = body["channel"]!.AsObject();
        _ = field switch
        {
            "channel" => body.Remove("channel"),
            "from.id" => channel["from"]!.AsObject().Remove("id"),
            "from.idType" => channel["from"]!.AsObject().Remove("idType"),
            _ => channel.Remove("time"),
        };

        using var response = await _client.PostAsync(Sim.InboundPath(_world.IntegrationId), body);

        await AssertError(response, 400, "bad.request");
    }

    [Fact]
    public async Task IdType_is_accepted_in_any_case_and_answered_in_genesys_casing()
    {
        using var response = await _client.PostAsync(Sim.InboundPath(_world.IntegrationId) + "?prefetchConversationId=true", Sim.InboundText("a@x.io", "hi", idType: "email"));

        var body = await GenesysClient.Body(response);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("Email", (string?)body["channel"]!["from"]!["idType"]);
        Assert.Equal(_world.IntegrationId, (string?)body["channel"]!["to"]!["id"]);
        Assert.Equal("Text", (string?)body["type"]);
        Assert.NotNull(body["conversationId"]);
    }

    [Fact]
    public async Task Resending_the_same_provider_messageId_and_time_adds_a_second_message_by_default()
    {
        // Genesys does not document deduplicating (messageId, time) (Corrections 6): the simulator assumes it does not.
        var body = Sim.InboundText("user-r", "sent twice");

        var first = await _client.OkAsync(HttpMethod.Post, Sim.InboundPath(_world.IntegrationId) + "?prefetchConversationId=true", body);
        var retry = await _client.OkAsync(HttpMethod.Post, Sim.InboundPath(_world.IntegrationId) + "?prefetchConversationId=true", body);

        Assert.NotEqual((string?)first["id"], (string?)retry["id"]);
        Assert.Equal((string?)first["conversationId"], (string?)retry["conversationId"]);
        Assert.Equal(2, _sim.Control.Conversation((string)first["conversationId"]!)!["transcript"]!.AsArray().Count);
    }

    [Fact]
    public async Task With_dedupe_on_resending_the_same_provider_messageId_and_time_returns_the_same_message_without_a_copy()
    {
        await using var sim = await Sim.StartAsync(o => o with { DedupeInboundMessages = true });
        var world = sim.Control.SeedWorld(new WorldSeed(new Uri("http://127.0.0.1:9/unused"), "0123456789abcdef-secret"));
        using var client = await GenesysClient.LoginAsync(sim.BaseUrl, world.ClientId, world.ClientSecret);
        var body = Sim.InboundText("user-r", "only once");

        var first = await client.OkAsync(HttpMethod.Post, Sim.InboundPath(world.IntegrationId) + "?prefetchConversationId=true", body);
        var retry = await client.OkAsync(HttpMethod.Post, Sim.InboundPath(world.IntegrationId) + "?prefetchConversationId=true", body);

        Assert.Equal((string?)first["id"], (string?)retry["id"]);
        var conversation = sim.Control.Conversation((string)first["conversationId"]!)!;
        Assert.Single(conversation["transcript"]!.AsArray());
        Assert.Equal(2, sim.Control.Received("message").Count);
    }

    [Fact]
    public async Task A_new_conversation_is_not_readable_until_the_readable_delay_has_passed()
    {
        var time = new Microsoft.Extensions.Time.Testing.FakeTimeProvider(DateTimeOffset.UtcNow);
        await using var sim = await Sim.StartAsync(o => o with { TimeProvider = time, ConversationReadableDelay = TimeSpan.FromSeconds(3) });
        var world = sim.Control.SeedWorld(new WorldSeed(new Uri("http://127.0.0.1:9/unused"), "0123456789abcdef-secret"));
        using var client = await GenesysClient.LoginAsync(sim.BaseUrl, world.ClientId, world.ClientSecret);
        var sent = await client.OkAsync(HttpMethod.Post, Sim.InboundPath(world.IntegrationId) + "?prefetchConversationId=true", Sim.InboundText("user-slow", "hello"));
        var path = $"api/v2/conversations/messages/{sent["conversationId"]}";

        using (var early = await client.GetAsync(path))
        {
            await AssertError(early, 404, "not.found");
        }

        time.Advance(TimeSpan.FromSeconds(3));
        Assert.Equal((string?)sent["conversationId"], (string?)(await client.OkAsync(HttpMethod.Get, path))["id"]);
    }

    [Fact]
    public async Task Message_statuses_use_the_enums_of_MessageDetails_and_MessageData()
    {
        var sent = await _client.OkAsync(HttpMethod.Post, Sim.InboundPath(_world.IntegrationId) + "?prefetchConversationId=true", Sim.InboundText("user-enum", "status?"));
        var conversation = await _client.OkAsync(HttpMethod.Get, $"api/v2/conversations/messages/{sent["conversationId"]}");
        var statuses = conversation["participants"]!.AsArray().SelectMany(p => p!["messages"]!.AsArray()).Select(m => (string?)m!["messageStatus"]).ToList();
        Assert.NotEmpty(statuses);
        Assert.All(statuses, s => Assert.Contains(s, (string[])["queued", "sent", "failed", "received"]));

        var details = await _client.OkAsync(HttpMethod.Get, $"api/v2/conversations/messages/{sent["id"]}/details");
        Assert.Contains((string?)details["status"], (string[])["queued", "sent", "failed", "received", "delivery-success", "delivery-failed", "read", "removed", "published"]);
    }

    [Fact]
    public async Task Unknown_idType_is_400()
    {
        using var response = await _client.PostAsync(Sim.InboundPath(_world.IntegrationId), Sim.InboundText("u", "hi", idType: "Fax"));

        await AssertError(response, 400, "bad.request");
    }

    [Fact]
    public async Task ConversationId_is_only_returned_when_prefetch_is_asked_for()
    {
        using var response = await _client.PostAsync(Sim.InboundPath(_world.IntegrationId), Sim.InboundText("u", "hi"));

        var body = await GenesysClient.Body(response);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Null(body["conversationId"]);
        Assert.Equal(32, ((string?)body["id"])!.Length);
    }

    [Fact]
    public async Task Nested_object_in_top_level_metadata_is_400_but_custom_attributes_in_channel_metadata_are_kept()
    {
        var nested = Sim.InboundText("u", "hi");
        nested["metadata"] = new JsonObject { ["k"] = new JsonObject { ["deep"] = "x" } };
        var attributes = Sim.InboundText("u2", "hi");
        attributes["channel"]!["metadata"] = new JsonObject { ["customAttributes"] = new JsonObject { ["aiSummary"] = "wants a refund" } };

        using var rejected = await _client.PostAsync(Sim.InboundPath(_world.IntegrationId), nested);
        using var accepted = await _client.PostAsync(Sim.InboundPath(_world.IntegrationId) + "?prefetchConversationId=true", attributes);

        await AssertError(rejected, 400, "bad.request");
        var conversationId = (string?)(await GenesysClient.Body(accepted))["conversationId"];
        var conversation = await _client.OkAsync(HttpMethod.Get, $"api/v2/conversations/messages/{conversationId}");
        var customer = conversation["participants"]!.AsArray().First(p => (string?)p!["purpose"] == "customer")!;
        Assert.Equal("wants a refund", (string?)customer["attributes"]!["aiSummary"]);
    }

    [Fact]
    public async Task Attachment_without_mime_is_400()
    {
        var body = Sim.InboundText("u", "x");
        body.Remove("text");
        body["content"] = new JsonArray(new JsonObject { ["attachment"] = new JsonObject { ["mediaType"] = "Image", ["url"] = "https://x/a.png" } });

        using var response = await _client.PostAsync(Sim.InboundPath(_world.IntegrationId), body);

        await AssertError(response, 400, "bad.request");
    }

    [Fact]
    public async Task Body_that_is_not_json_is_400()
    {
        using var response = await _client.PostAsync(Sim.InboundPath(_world.IntegrationId), "{not json");

        await AssertError(response, 400, "bad.request");
    }

    [Fact]
    public async Task Message_to_an_unknown_integration_is_404_not_found()
    {
        using var response = await _client.PostAsync(Sim.InboundPath(Guid.NewGuid().ToString()), Sim.InboundText("u", "hi"));

        await AssertError(response, 404, "not.found");
    }

    [Theory]
    [InlineData("Delivered", true, 200)]
    [InlineData("Failed", false, 200)]
    [InlineData("Read", true, 400)]
    [InlineData("Sent", false, 400)]
    public async Task Receipts_accept_only_Delivered_or_Failed_with_or_without_direction(string status, bool withDirection, int expected)
    {
        var receipt = new JsonObject
        {
            ["id"] = Guid.NewGuid().ToString("N"),
            ["channel"] = new JsonObject { ["to"] = new JsonObject { ["id"] = "user-1", ["idType"] = "opaque" }, ["time"] = "2024-01-21T16:47:08.592Z" },
            ["status"] = status,
            ["isFinalReceipt"] = true,
        };
        if (withDirection)
        {
            receipt["direction"] = "Outbound";
        }

        using var response = await _client.PostAsync(Sim.InboundPath(_world.IntegrationId, "receipt"), receipt);

        Assert.Equal(expected, (int)response.StatusCode);
        if (expected == 200)
        {
            Assert.Equal(status, (string?)(await GenesysClient.Body(response))["status"]);
            Assert.Single(_sim.Control.Received("receipt"));
        }
    }

    [Fact]
    public async Task Typing_event_must_be_Typing()
    {
        var typing = new JsonObject
        {
            ["channel"] = new JsonObject { ["from"] = new JsonObject { ["id"] = "u", ["idType"] = "Opaque" }, ["time"] = "2024-01-21T16:47:08.592Z" },
            ["events"] = new JsonArray(new JsonObject { ["eventType"] = "Typing" }),
        };
        var presence = (JsonObject)typing.DeepClone();
        presence["events"] = new JsonArray(new JsonObject { ["eventType"] = "Presence" });

        using var ok = await _client.PostAsync(Sim.InboundPath(_world.IntegrationId, "event"), typing);
        using var bad = await _client.PostAsync(Sim.InboundPath(_world.IntegrationId, "event"), presence);

        var body = await GenesysClient.Body(ok);
        Assert.Equal("Event", (string?)body["type"]);
        Assert.Equal("On", (string?)body["events"]![0]!["typing"]!["type"]);
        await AssertError(bad, 400, "bad.request");
        Assert.Single(_sim.Control.Received("event"));
    }

    [Fact]
    public async Task Structured_quick_reply_answer_is_accepted_as_a_customer_message()
    {
        var body = Sim.InboundText("u", "ignored");
        body.Remove("text");
        body["buttonResponse"] = new JsonObject { ["type"] = "QuickReply", ["text"] = "Yes", ["payload"] = "yes" };
        body["originatingMessageId"] = "abc";

        using var response = await _client.PostAsync(Sim.InboundPath(_world.IntegrationId, "structured/response"), body);

        var answer = await GenesysClient.Body(response);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("Structured", (string?)answer["type"]);
        Assert.Equal("ButtonResponse", (string?)answer["content"]![0]!["contentType"]);
        Assert.Single(_sim.Control.Received("structured"));
    }
}

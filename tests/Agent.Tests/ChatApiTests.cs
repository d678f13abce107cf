using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using PolyAi.Messaging.Agent.Transcripts;
using PolyAi.Messaging.Testing;

namespace PolyAi.Messaging.Agent.Tests;

[Collection(AgentCollection.Name)]
public sealed class ChatApiTests(AgentFixture fixture)
{
    private readonly ServiceUnderTest<Program> _service = fixture.Service;

    [Fact]
    public async Task A_new_conversation_gets_an_id_a_token_and_the_greeting()
    {
        var tenant = await fixture.RegisterTenantAsync();

        var chat = await ChatClient.StartAsync(_service.Http, tenant);

        Assert.Matches("^[0-9a-f]{32}$", chat.ConversationId);
        Assert.True(Convert.FromBase64String(chat.Token.Replace('-', '+').Replace('_', '/') + "=").Length >= 32);
        var greeting = Assert.Single(await chat.TranscriptAsync());
        Assert.Equal("ai", greeting.GetProperty("role").GetString());
        var record = await _service.ReadStateAsync($"agent/conversations/{chat.ConversationId}");
        Assert.DoesNotContain(chat.Token, record!.Value.GetRawText(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task An_unknown_tenant_cannot_start_a_conversation()
    {
        using var response = await _service.Http.PostAsJsonAsync(new Uri("/v1/chat/nobody/none/prod/conversations", UriKind.Relative), new { });

        Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
    }

    [Fact]
    public async Task A_wrong_missing_or_other_conversations_token_and_an_unknown_id_all_get_the_same_401()
    {
        var tenant = await fixture.RegisterTenantAsync();
        var mine = await ChatClient.StartAsync(_service.Http, tenant);
        var theirs = await ChatClient.StartAsync(_service.Http, tenant);
        var unknown = new ChatClient(_service.Http, new string('a', 32), mine.Token);

        var answers = new List<HttpResponseMessage>
        {
            await mine.PostAsync("messages", Json(new { text = "hi" }), token: "wrong"),
            await mine.PostAsync("messages", Json(new { text = "hi" }), token: theirs.Token),
            await mine.PostAsync("typing", token: ""),
            await unknown.PostAsync("messages", Json(new { text = "hi" })),
            await _service.Http.GetAsync(new Uri($"/v1/chat/conversations/{mine.ConversationId}/messages", UriKind.Relative)),
            await _service.Http.GetAsync(new Uri($"/v1/chat/conversations/{mine.ConversationId}/events", UriKind.Relative)),
        };

        Assert.All(answers, r => Assert.Equal(HttpStatusCode.Unauthorized, r.StatusCode));
        var bodies = await Task.WhenAll(answers.Select(r => r.Content.ReadAsStringAsync()));
        Assert.Single(bodies.Select(b => JsonDocument.Parse(b).RootElement.GetProperty("title").GetString()).Distinct());
        Assert.Single(await theirs.TranscriptAsync());
    }

    [Fact]
    public async Task Empty_oversized_and_non_json_messages_are_refused_with_a_clear_problem()
    {
        var chat = await ChatClient.StartAsync(_service.Http, await fixture.RegisterTenantAsync());

        using var empty = await chat.PostAsync("messages", Json(new { text = "" }));
        using var blank = await chat.PostAsync("messages", Json(new { text = "   " }));
        using var tooLong = await chat.PostAsync("messages", Json(new { text = new string('x', 4001) }));
        using var notJson = await chat.PostAsync("messages", new StringContent("hello", Encoding.UTF8, "text/plain"));
        using var noText = await chat.PostAsync("messages", Json(new { message = "hi" }));
        using var huge = await chat.PostAsync("messages", Json(new { text = new string('x', 20_000) }));

        foreach (var response in new[] { empty, blank, tooLong, notJson, noText })
        {
            Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
            Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
            Assert.False(string.IsNullOrEmpty((await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("detail").GetString()));
        }

        Assert.Equal(HttpStatusCode.RequestEntityTooLarge, huge.StatusCode);
        Assert.Single(await chat.TranscriptAsync());
    }

    [Fact]
    public async Task Messages_and_conversations_that_are_not_unicode_text_get_400_and_change_nothing()
    {
        var tenant = await fixture.RegisterTenantAsync();
        var chat = await ChatClient.StartAsync(_service.Http, tenant);

        using var invalidUtf8 = await chat.PostAsync("messages", Bytes([.. "{\"text\":\"caf"u8, 0xC3, 0x28, .. "\"}"u8]));
        using var loneSurrogate = await chat.PostAsync("messages", Bytes([.. """{"text":"hi \ud800 there"}"""u8]));
        using var surrogateName = await _service.Http.PostAsync(
            new Uri($"/v1/chat/{tenant.AccountId}/{tenant.ProjectId}/{tenant.ClientEnv}/conversations", UriKind.Relative),
            Bytes([.. """{"customer":{"firstName":"\udfff"}}"""u8]));

        Assert.Equal(HttpStatusCode.BadRequest, invalidUtf8.StatusCode);
        Assert.Contains("UTF-8", (await invalidUtf8.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("detail").GetString(), StringComparison.Ordinal);
        foreach (var response in new[] { loneSurrogate, surrogateName })
        {
            Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
            Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
            Assert.Contains("surrogate", (await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("detail").GetString(), StringComparison.Ordinal);
        }

        Assert.Single(await chat.TranscriptAsync());
    }

    [Fact]
    public async Task A_message_of_exactly_4000_characters_is_accepted()
    {
        var chat = await ChatClient.StartAsync(_service.Http, await fixture.RegisterTenantAsync());

        using var response = await chat.SendAsync(new string('y', 4000));

        Assert.Equal(HttpStatusCode.Accepted, response.StatusCode);
        Assert.False(string.IsNullOrEmpty((await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("messageId").GetString()));
    }

    [Fact]
    public async Task A_customer_sending_too_fast_gets_429_with_retry_after()
    {
        var chat = await ChatClient.StartAsync(_service.Http, await fixture.RegisterTenantAsync());

        var statuses = new List<HttpStatusCode>();
        HttpResponseMessage? limited = null;
        for (var i = 0; i < 12 && limited is null; i++)
        {
            var response = await chat.SendAsync($"message {i}");
            statuses.Add(response.StatusCode);
            if (response.StatusCode == HttpStatusCode.TooManyRequests)
            {
                limited = response;
            }
        }

        Assert.NotNull(limited);
        Assert.Equal(10, statuses.Count(s => s == HttpStatusCode.Accepted));
        Assert.True(limited.Headers.RetryAfter?.Delta >= TimeSpan.FromSeconds(1));
    }

    [Fact]
    public async Task The_ai_answers_from_its_knowledge_on_the_stream_with_typing_first()
    {
        var chat = await ChatClient.StartAsync(_service.Http, await fixture.RegisterTenantAsync());
        await using var stream = await chat.StreamAsync();

        using var accepted = await chat.SendAsync("What are your opening hours?");

        Assert.Equal(HttpStatusCode.Accepted, accepted.StatusCode);
        var customer = await stream.WaitForMessageAsync("customer", "opening hours");
        var answer = await stream.WaitForMessageAsync("ai", "Monday to Friday");
        var typing = await stream.WaitForAsync("typing", e => e.Get("role") == "ai");
        Assert.True(customer.Id < typing.Id && typing.Id < answer.Id);
        var transcript = await chat.TranscriptAsync();
        Assert.Equal(["ai", "customer", "ai"], transcript.Select(m => m.GetProperty("role").GetString()));
    }

    [Fact]
    public async Task A_stream_resumed_with_last_event_id_replays_only_what_came_after()
    {
        var chat = await ChatClient.StartAsync(_service.Http, await fixture.RegisterTenantAsync());
        long seen;
        await using (var first = await chat.StreamAsync())
        {
            seen = (await first.WaitForAsync("message")).Id;
        }

        (await chat.SendAsync("How do I reset my password?")).Dispose();
        await using var resumed = await chat.StreamAsync(lastEventId: seen.ToString(System.Globalization.CultureInfo.InvariantCulture));

        await resumed.WaitForMessageAsync("ai", "reset your password");
        Assert.All(resumed.Events, e => Assert.True(e.Id > seen));
        Assert.Equal(resumed.Events.Count, resumed.Events.Select(e => e.Id).Distinct().Count());
    }

    [Fact]
    public async Task An_idle_stream_gets_keep_alive_comments()
    {
        var chat = await ChatClient.StartAsync(_service.Http, await fixture.RegisterTenantAsync());
        await using var stream = await chat.StreamAsync();

        await Eventually.UntilSeen(() => stream.Comments, n => n >= 2, "two keep-alive comments");

        Assert.Single(stream.Events);
    }

    [Fact]
    public async Task A_message_posted_on_one_replica_reaches_a_stream_on_another()
    {
        var sidecar = _service.Sidecar;
        var settings = new Dictionary<string, string>(fixture.Settings)
        {
            ["DAPR_GRPC_ENDPOINT"] = sidecar.GrpcEndpoint(AgentFixture.AppId).ToString(),
            ["DAPR_HTTP_ENDPOINT"] = sidecar.HttpEndpoint(AgentFixture.AppId).ToString(),
        };
        await using var replica = SecondReplica.Start(settings);
        var onFirst = await ChatClient.StartAsync(_service.Http, await fixture.RegisterTenantAsync());
        var onSecond = onFirst.On(replica.Http);
        await using var stream = await onSecond.StreamAsync();

        (await onFirst.SendAsync("Where is my order?")).Dispose();

        await stream.WaitForMessageAsync("customer", "Where is my order");
        await stream.WaitForMessageAsync("ai", "tracking link");
    }

    private static ByteArrayContent Bytes(byte[] body) =>
        new(body) { Headers = { ContentType = new System.Net.Http.Headers.MediaTypeHeaderValue("application/json") } };

    private static StringContent Json(object value) => new(JsonSerializer.Serialize(value), Encoding.UTF8, "application/json");
}

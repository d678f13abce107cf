using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using PolyAi.Messaging.Edge.Tests.Support;
using static PolyAi.Messaging.Edge.Tests.Support.EdgeInstance;

namespace PolyAi.Messaging.Edge.Tests;

/// <summary>The chat API routes to the agent cluster, and the webchat's files at <c>/</c>.</summary>
[Collection(EdgeCollection.Name)]
public sealed class ChatRouteTests(EdgeFixture fixture)
{
    private const int ChatLimit = 16 * 1024;

    private HttpClient Http => fixture.Edge.Http;

    [Fact]
    public async Task Forwards_conversation_creation_to_the_agent_and_returns_its_answer()
    {
        var account = EdgeFixture.NewAccount();

        using var response = await Http.PostAsync(new Uri($"/v1/chat/{account}/web/live/conversations", UriKind.Relative), Json("""{"customer":{}}"""));

        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
        Assert.Equal("c-" + account, JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement.GetProperty("conversationId").GetString());
        Assert.Single(fixture.Agent.Received, r => r.Path == $"/v1/chat/{account}/web/live/conversations" && r.Method == "POST");
    }

    [Fact]
    public async Task Forwards_a_message_with_its_body_and_bearer_token_unchanged()
    {
        var conversation = "conv-" + Guid.NewGuid().ToString("N");
        var body = """{"text":"héllo"}""";
        using var request = new HttpRequestMessage(HttpMethod.Post, new Uri($"/v1/chat/conversations/{conversation}/messages", UriKind.Relative)) { Content = Json(body) };
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", "secret-token");

        using var response = await Http.SendAsync(request);

        Assert.Equal(HttpStatusCode.Accepted, response.StatusCode);
        var received = Assert.Single(fixture.Agent.Received, r => r.Path == $"/v1/chat/conversations/{conversation}/messages");
        Assert.Equal(Encoding.UTF8.GetBytes(body), received.Body);
        Assert.Equal("Bearer secret-token", received.Authorization);
    }

    [Fact]
    public async Task Rejects_a_chat_body_over_16_KiB_without_forwarding_it_while_webhooks_keep_their_larger_limit()
    {
        var conversation = "conv-" + Guid.NewGuid().ToString("N");

        using var tooLarge = await Http.PostAsync(new Uri($"/v1/chat/conversations/{conversation}/messages", UriKind.Relative), new ByteArrayContent(new byte[ChatLimit + 1]));
        using var chunked = await Http.PostAsync(new Uri($"/v1/chat/conversations/{conversation}/messages", UriKind.Relative), new ChunkedContent(new byte[ChatLimit * 2]));
        var account = EdgeFixture.NewAccount();
        using var webhook = await Http.SendAsync(Webhook(WebhookPath(account), new ByteArrayContent(new byte[ChatLimit * 2])));

        Assert.Equal(HttpStatusCode.RequestEntityTooLarge, tooLarge.StatusCode);
        Assert.Contains("16384 bytes", await tooLarge.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.RequestEntityTooLarge, chunked.StatusCode);
        Assert.DoesNotContain(fixture.Agent.Received, r => r.Path.Contains(conversation, StringComparison.Ordinal));
        Assert.Equal(HttpStatusCode.OK, webhook.StatusCode);
    }

    [Fact]
    public async Task Answers_429_with_Retry_After_when_one_client_starts_too_many_conversations_but_lets_its_messages_through()
    {
        await using var edge = Start(fixture.Verifier.Address, new Dictionary<string, string>
        {
            ["Edge:ConversationRateLimit:PermitsPerMinute"] = "1",
            ["Edge:ConversationRateLimit:Burst"] = "2",
        }, fixture.Agent.Address);

        var answers = new List<HttpStatusCode>();
        HttpResponseMessage? limited = null;
        for (var attempt = 0; attempt < 3; attempt++)
        {
            var response = await edge.Http.PostAsync(new Uri($"/v1/chat/{EdgeFixture.NewAccount()}/web/live/conversations", UriKind.Relative), Json("{}"));
            answers.Add(response.StatusCode);
            if (response.StatusCode == HttpStatusCode.TooManyRequests)
            {
                limited = response;
            }
            else
            {
                response.Dispose();
            }
        }

        using var message = await edge.Http.PostAsync(new Uri("/v1/chat/conversations/after-limit/messages", UriKind.Relative), Json("""{"text":"still here"}"""));

        Assert.Equal([HttpStatusCode.Created, HttpStatusCode.Created, HttpStatusCode.TooManyRequests], answers);
        using (limited)
        {
            Assert.True(limited!.Headers.RetryAfter?.Delta >= TimeSpan.FromSeconds(1), $"Retry-After was {limited.Headers.RetryAfter}");
            Assert.Contains("conversations", await limited.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        }

        Assert.Equal(HttpStatusCode.Accepted, message.StatusCode);
    }

    [Fact]
    public async Task Streams_each_server_sent_event_to_the_browser_as_soon_as_the_agent_writes_it()
    {
        var conversation = "conv-" + Guid.NewGuid().ToString("N");
        using var request = new HttpRequestMessage(HttpMethod.Get, new Uri($"/v1/chat/conversations/{conversation}/events", UriKind.Relative));
        request.Headers.TryAddWithoutValidation("Last-Event-ID", "7");
        using var deadline = new CancellationTokenSource(TimeSpan.FromSeconds(20));

        using var response = await Http.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, deadline.Token);
        using var reader = new StreamReader(await response.Content.ReadAsStreamAsync(deadline.Token));
        var events = new List<string>();
        for (var n = 1; n <= 3; n++)
        {
            // The agent writes event n only now: reading it proves the edge did not wait for more.
            fixture.Agent.ReleaseEvent(conversation);
            events.Add(await ReadEventAsync(reader, deadline.Token));
        }

        Assert.Equal("text/event-stream", response.Content.Headers.ContentType?.MediaType);
        Assert.Equal(["id: 1", "id: 2", "id: 3"], events.Select(e => e.Split('\n')[0]));
        Assert.Equal("7", Assert.Single(fixture.Agent.Received, r => r.Path.Contains(conversation, StringComparison.Ordinal)).LastEventId);
    }

    [Fact]
    public async Task Allows_a_page_on_another_origin_to_call_the_chat_api_with_a_bearer_token()
    {
        using var preflight = new HttpRequestMessage(HttpMethod.Options, new Uri("/v1/chat/conversations/any/messages", UriKind.Relative));
        preflight.Headers.Add("Origin", "https://shop.example");
        preflight.Headers.Add("Access-Control-Request-Method", "POST");
        preflight.Headers.Add("Access-Control-Request-Headers", "authorization,content-type");

        using var response = await Http.SendAsync(preflight);

        Assert.True(response.IsSuccessStatusCode, $"preflight answered {response.StatusCode}");
        Assert.Equal("*", response.Headers.GetValues("Access-Control-Allow-Origin").Single());
        Assert.Contains("authorization", response.Headers.GetValues("Access-Control-Allow-Headers").Single(), StringComparison.OrdinalIgnoreCase);
    }

    [Fact]
    public async Task Answers_503_with_Retry_After_when_the_agent_is_unreachable()
    {
        await using var edge = Start(fixture.Verifier.Address, agent: new Uri($"http://127.0.0.1:{FreePort.Pick()}"));

        using var response = await edge.Http.PostAsync(new Uri("/v1/chat/conversations/any/messages", UriKind.Relative), Json("""{"text":"hi"}"""));

        Assert.Equal(HttpStatusCode.ServiceUnavailable, response.StatusCode);
        Assert.NotNull(response.Headers.RetryAfter);
        Assert.Contains("chat service", await response.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        Assert.Contains("polyai_messaging_edge_rejections_total{reason=\"agent_unavailable\"}", await edge.Http.GetStringAsync(new Uri("/metrics", UriKind.Relative)), StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("/", "text/html")]
    [InlineData("/index.html", "text/html")]
    [InlineData("/webchat.js", "text/javascript")]
    [InlineData("/webchat.css", "text/css")]
    public async Task Serves_the_webchat_files(string path, string mediaType)
    {
        using var response = await Http.GetAsync(new Uri(path, UriKind.Relative));

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal(mediaType, response.Content.Headers.ContentType?.MediaType);
        Assert.Equal("nosniff", response.Headers.GetValues("X-Content-Type-Options").Single());
        Assert.NotEmpty(await response.Content.ReadAsStringAsync());
    }

    [Fact]
    public async Task Serves_the_demo_page_with_a_policy_that_forbids_inline_script()
    {
        using var response = await Http.GetAsync(new Uri("/", UriKind.Relative));
        var page = await response.Content.ReadAsStringAsync();

        var policy = response.Headers.GetValues("Content-Security-Policy").Single();
        Assert.Contains("script-src 'self'", policy, StringComparison.Ordinal);
        Assert.Contains("frame-ancestors 'none'", policy, StringComparison.Ordinal);
        Assert.DoesNotContain("unsafe-inline", policy, StringComparison.Ordinal);
        Assert.Contains("src=\"webchat.js\"", page, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Opens_the_demo_page_only_for_the_tenants_the_deployment_lists()
    {
        using var listed = await Http.GetAsync(new Uri("/?tenant=ACCOUNT-demo/PROJECT-demo/live", UriKind.Relative));
        using var plain = await Http.GetAsync(new Uri("/", UriKind.Relative));
        using var other = await Http.GetAsync(new Uri("/?tenant=someone-else/bot/prod", UriKind.Relative));
        using var otherByName = await Http.GetAsync(new Uri("/index.html?tenant=someone-else/bot/prod", UriKind.Relative));

        Assert.Equal(HttpStatusCode.OK, listed.StatusCode);
        Assert.Equal(HttpStatusCode.OK, plain.StatusCode);
        foreach (var refused in new[] { other, otherByName })
        {
            Assert.Equal(HttpStatusCode.NotFound, refused.StatusCode);
            Assert.Equal("application/problem+json", refused.Content.Headers.ContentType?.MediaType);
        }
    }

    private static StringContent Json(string body) => new(body, Encoding.UTF8, "application/json");

    private static async Task<string> ReadEventAsync(StreamReader reader, CancellationToken cancellationToken)
    {
        var lines = new List<string>();
        while (await reader.ReadLineAsync(cancellationToken) is { } line)
        {
            if (line.Length == 0 && lines.Count > 0)
            {
                return string.Join('\n', lines);
            }

            lines.Add(line);
        }

        throw new EndOfStreamException("The event stream ended before a whole event arrived.");
    }
}

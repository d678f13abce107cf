using System.Net;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using PolyAi.Messaging.GenesysSimulator.Tests.Support;

namespace PolyAi.Messaging.GenesysSimulator.Tests;

/// <summary>The /_sim/ control API over HTTP and the desktop page that uses it.</summary>
public sealed class ControlApiTests : IAsyncLifetime, IDisposable
{
    private GenesysSimulatorHost _sim = null!;
    private WebhookReceiver _receiver = null!;
    private HttpClient _http = null!;

    public async Task InitializeAsync()
    {
        _sim = await Sim.StartAsync();
        _receiver = await WebhookReceiver.StartAsync();
        _http = new HttpClient { BaseAddress = _sim.BaseUrl };
    }

    public void Dispose() => _http?.Dispose();

    public async Task DisposeAsync()
    {
        await _receiver.DisposeAsync();
        await _sim.DisposeAsync();
    }

    [Fact]
    public async Task Seeded_org_over_http_returns_admin_credentials_that_get_a_token()
    {
        var org = await Json(await _http.PostAsync("_sim/org", null));

        using var client = await GenesysClient.LoginAsync(_sim.BaseUrl, (string)org["clientId"]!, (string)org["clientSecret"]!);

        Assert.False(string.IsNullOrEmpty(client.Token));
        Assert.NotNull(org["homeDivisionId"]);
    }

    [Fact]
    public async Task A_person_at_the_desktop_accepts_replies_and_ends_a_waiting_conversation()
    {
        var world = await Json(await _http.PostAsJsonAsync("_sim/world", new JsonObject
        {
            ["webhookUrl"] = _receiver.Url.ToString(),
            ["webhookSecret"] = "0123456789abcdef-secret",
            ["typingEnabled"] = true,
            ["flowName"] = "AI Handoff Inbound",
            ["agents"] = new JsonArray(),
        }));
        using var client = await GenesysClient.LoginAsync(_sim.BaseUrl, (string)world["clientId"]!, (string)world["clientSecret"]!);
        var sent = await client.OkAsync(HttpMethod.Post, Sim.InboundPath((string)world["integrationId"]!) + "?prefetchConversationId=true", Sim.InboundText("user-d", "is anyone there?"));
        var id = (string)sent["conversationId"]!;

        var listed = JsonNode.Parse(await _http.GetStringAsync("_sim/conversations"))!.AsArray();
        Assert.Equal("waiting", (string?)listed.Single(c => (string?)c!["id"] == id)!["state"]);
        Assert.Equal(HttpStatusCode.NoContent, (await _http.PostAsync($"_sim/conversations/{id}/accept", null)).StatusCode);
        Assert.Equal(HttpStatusCode.NoContent, (await _http.PostAsJsonAsync($"_sim/conversations/{id}/reply", new JsonObject { ["text"] = "Yes, I'm here" })).StatusCode);
        Assert.Equal(HttpStatusCode.NoContent, (await _http.PostAsync($"_sim/conversations/{id}/end", null)).StatusCode);
        Assert.Equal(HttpStatusCode.Conflict, (await _http.PostAsJsonAsync($"_sim/conversations/{id}/reply", new JsonObject { ["text"] = "late" })).StatusCode);

        var reply = await Eventually.Get(() => _receiver.Received.FirstOrDefault(w => w.Type == "Text"), "the desktop reply");
        Assert.Equal("Yes, I'm here", (string?)reply.Json["text"]);
        var ended = JsonNode.Parse(await _http.GetStringAsync("_sim/conversations"))!.AsArray().Single(c => (string?)c!["id"] == id)!;
        Assert.Equal("ended", (string?)ended["state"]);
        Assert.Equal(["Inbound", "Outbound"], ended["transcript"]!.AsArray().Select(m => (string?)m!["direction"]));
        var received = JsonNode.Parse(await _http.GetStringAsync("_sim/received?kind=message"))!.AsArray();
        Assert.Equal("is anyone there?", (string?)Assert.Single(received)!["body"]!["text"]);
        var webhooks = JsonNode.Parse(await _http.GetStringAsync("_sim/webhooks"))!.AsArray();
        Assert.Contains(webhooks, w => ((string?)w!["body"])!.Contains("Yes, I'm here", StringComparison.Ordinal) && w["attempts"]!.AsArray().Count >= 1);
    }

    [Fact]
    public async Task Agents_added_over_http_take_waiting_conversations_when_put_on_queue()
    {
        var world = _sim.Control.SeedWorld(new WorldSeed(_receiver.Url, "0123456789abcdef-secret"));
        using var client = await GenesysClient.LoginAsync(_sim.BaseUrl, world.ClientId, world.ClientSecret);
        await client.OkAsync(HttpMethod.Post, Sim.InboundPath(world.IntegrationId), Sim.InboundText("user-h", "hello"));
        var agent = await Json(await _http.PostAsJsonAsync($"_sim/queues/{world.QueueId}/agents", new JsonObject { ["name"] = "Kim", ["onQueue"] = false, ["replies"] = new JsonArray("Kim here") }));

        Assert.DoesNotContain(_sim.Control.Webhooks(), w => w.Body.Contains("Kim here", StringComparison.Ordinal));
        Assert.Equal(HttpStatusCode.NoContent, (await _http.PutAsJsonAsync($"_sim/agents/{agent["userId"]}/routing", new JsonObject { ["onQueue"] = true })).StatusCode);

        var reply = await Eventually.Get(() => _receiver.Received.FirstOrDefault(w => w.Type == "Text"), "Kim's reply");
        Assert.Equal("Kim here", (string?)reply.Json["text"]);
    }

    [Fact]
    public async Task World_and_agent_seeded_over_http_with_only_the_required_fields_get_the_documented_defaults()
    {
        var world = await Json(await _http.PostAsJsonAsync("_sim/world", new JsonObject
        {
            ["webhookUrl"] = _receiver.Url.ToString(),
            ["webhookSecret"] = "0123456789abcdef-secret",
            ["agents"] = new JsonArray(new JsonObject { ["name"] = "Pat" }),
        }));
        using var client = await GenesysClient.LoginAsync(_sim.BaseUrl, (string)world["clientId"]!, (string)world["clientSecret"]!);

        var queue = await client.OkAsync(HttpMethod.Get, $"api/v2/routing/queues/{world["queueId"]}");
        await client.OkAsync(HttpMethod.Post, Sim.InboundPath((string)world["integrationId"]!), Sim.InboundText("user-p", "hi"));

        Assert.Equal("AI Handoff", (string?)queue["name"]);
        var reply = await Eventually.Get(() => _receiver.Received.FirstOrDefault(w => w.Type == "Text"), "Pat's default reply (on queue by default)");
        Assert.Equal("Hello, this is a human agent.", (string?)reply.Json["text"]);
    }

    [Fact]
    public async Task World_without_a_webhook_url_is_400()
    {
        using var response = await _http.PostAsJsonAsync("_sim/world", new JsonObject { ["webhookSecret"] = "0123456789abcdef-secret" });

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
    }

    [Fact]
    public async Task Faults_and_token_expiry_can_be_set_over_http()
    {
        var org = _sim.Control.SeedOrg();
        using var client = await GenesysClient.LoginAsync(_sim.BaseUrl, org.ClientId, org.ClientSecret);
        (await _http.PostAsJsonAsync("_sim/faults", new JsonObject { ["pathPattern"] = "/tokens/me$", ["status"] = 502, ["times"] = 1 })).EnsureSuccessStatusCode();

        using var faulted = await client.GetAsync("api/v2/tokens/me");
        (await _http.PostAsync("_sim/tokens/expire", null)).EnsureSuccessStatusCode();
        using var expired = await client.GetAsync("api/v2/tokens/me");

        Assert.Equal(HttpStatusCode.BadGateway, faulted.StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, expired.StatusCode);
    }

    [Fact]
    public async Task Desktop_page_is_plain_html_driving_the_control_api()
    {
        using var response = await _http.GetAsync("desktop");
        var html = await response.Content.ReadAsStringAsync();

        Assert.Equal("text/html", response.Content.Headers.ContentType?.MediaType);
        Assert.Contains("/_sim/conversations", html, StringComparison.Ordinal);
        Assert.Contains("Accept", html, StringComparison.Ordinal);
    }

    private static async Task<JsonObject> Json(HttpResponseMessage response)
    {
        using (response)
        {
            var text = await response.Content.ReadAsStringAsync();
            Assert.True(response.IsSuccessStatusCode, text);
            return JsonNode.Parse(text)!.AsObject();
        }
    }
}

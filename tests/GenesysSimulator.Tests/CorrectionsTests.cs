using System.Text.Json.Nodes;
using PolyAi.Messaging.GenesysSimulator.Tests.Support;
using static PolyAi.Messaging.GenesysSimulator.Tests.AuthenticationTests;

namespace PolyAi.Messaging.GenesysSimulator.Tests;

/// <summary>The rules of genesys-facts' "Corrections of 2026-12" that the simulator holds the product to.</summary>
public sealed class CorrectionsTests : IAsyncLifetime
{
    private GenesysSimulatorHost _sim = null!;
    private SeededWorld _world = null!;
    private GenesysClient _client = null!;

    public async Task InitializeAsync()
    {
        _sim = await Sim.StartAsync();
        _world = _sim.Control.SeedWorld(new WorldSeed(new Uri("http://127.0.0.1:9/unused"), "0123456789abcdef-secret") { Agents = [new AgentScript { Manual = true }] });
        _client = await GenesysClient.LoginAsync(_sim.BaseUrl, _world.ClientId, _world.ClientSecret);
    }

    public async Task DisposeAsync()
    {
        _client.Dispose();
        await _sim.DisposeAsync();
    }

    [Fact]
    public async Task A_fault_after_processing_keeps_the_message_but_answers_503()
    {
        _sim.Control.AddFault(new FaultRule { Method = "POST", PathPattern = "/inbound/open/message$", Status = 503, AfterProcessing = true, Times = 1 });

        using var response = await _client.PostAsync(Sim.InboundPath(_world.IntegrationId), Sim.InboundText("user-lost-answer", "did it arrive?"));

        await AssertError(response, 503, "service.unavailable");
        Assert.Single(_sim.Control.Conversations(), c => (string?)c["customerId"] == "user-lost-answer");
    }

    [Fact]
    public async Task Detail_metrics_list_the_conversations_on_the_queue_with_the_customers_address()
    {
        var sent = await _client.OkAsync(HttpMethod.Post, Sim.InboundPath(_world.IntegrationId) + "?prefetchConversationId=true", Sim.InboundText("user-detail", "who am I?"));

        var observations = await _client.OkAsync(HttpMethod.Post, "api/v2/analytics/queues/observations/query", JsonNode.Parse($$"""
            {"filter":{"type":"or","predicates":[{"dimension":"queueId","value":"{{_world.QueueId}}"}]},"metrics":["oWaiting"],"detailMetrics":["oWaiting","oAlerting","oInteracting"]}
            """));

        var found = observations["results"]!.AsArray().SelectMany(r => r!["data"]!.AsArray()).SelectMany(d => d!["observations"]?.AsArray() ?? [])
            .Single(o => (string?)o!["addressFrom"] == "user-detail")!;
        Assert.Equal((string?)sent["conversationId"], (string?)found["conversationId"]);
    }

    [Fact]
    public async Task Publishing_a_flow_answers_an_operation_that_completes_later()
    {
        var flows = await _client.OkAsync(HttpMethod.Get, "api/v2/flows?type=inboundshortmessage");
        var flowId = (string)flows["entities"]![0]!["id"]!;
        Assert.NotNull(flows["firstUri"]);
        Assert.NotNull(flows["selfUri"]);

        var operation = await _client.OkAsync(HttpMethod.Post, $"api/v2/flows/actions/publish?flow={flowId}");

        Assert.False((bool)operation["complete"]!);
        Assert.Contains((string?)operation["actionStatus"], (string[])["LOCKED", "UNLOCKED", "STARTED", "PENDING_GENERATION", "PENDING_BACKEND_NOTIFICATION", "SUCCESS", "FAILURE"]);
    }

    [Fact]
    public async Task Name_filters_take_leading_and_trailing_wildcards()
    {
        var queue = await _client.OkAsync(HttpMethod.Get, $"api/v2/routing/queues/{_world.QueueId}");
        var name = (string)queue["name"]!;

        foreach (var filter in new[] { name, name[..3] + "*", "*" + name[^3..], "*" + name[1..^1] + "*" })
        {
            var page = await _client.OkAsync(HttpMethod.Get, $"api/v2/routing/queues?name={Uri.EscapeDataString(filter)}");
            Assert.Contains(page["entities"]!.AsArray(), q => (string?)q!["id"] == _world.QueueId);
        }
    }

    [Fact]
    public async Task A_renamed_home_division_is_what_flow_yaml_must_name()
    {
        await using var sim = await Sim.StartAsync(o => o with { HomeDivisionName = "Headquarters" });
        var org = sim.Control.SeedOrg();
        using var admin = await GenesysClient.LoginAsync(sim.BaseUrl, org.ClientId, org.ClientSecret);

        var home = await admin.OkAsync(HttpMethod.Get, "api/v2/authorization/divisions/home");

        Assert.Equal("Headquarters", (string?)home["name"]); // the flow job's division check: Setup.Tests' The_flow_names_the_home_division_as_the_org_calls_it
    }
}

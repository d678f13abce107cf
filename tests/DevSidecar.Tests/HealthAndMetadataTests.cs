using System.Net;
using System.Text.Json.Nodes;
using PolyAi.Messaging.DevSidecar.Tests.Support;

namespace PolyAi.Messaging.DevSidecar.Tests;

public sealed class HealthAndMetadataTests : SidecarTestBase
{
    [Fact]
    public async Task Sidecar_is_healthy_and_WaitForSidecarAsync_returns()
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(10));

        await Verifier.WaitForSidecarAsync(timeout.Token);

        Assert.True(await Verifier.CheckHealthAsync());
        Assert.True(await Verifier.CheckOutboundHealthAsync());
    }

    [Fact]
    public async Task Metadata_names_the_app_and_the_components_it_can_see()
    {
        var verifier = await Verifier.GetMetadataAsync();
        var agent = await Agent.GetMetadataAsync();

        Assert.Equal("verifier", verifier.Id);
        Assert.Equal(
            ["limited", "pubsub", "secretstore", "shared", "statestore", "tenants", "verifier-only"],
            verifier.Components.Select(c => c.Name).Order());
        Assert.DoesNotContain(agent.Components, c => c.Name == ComponentsDirectory.ScopedStateStore);
        Assert.DoesNotContain(verifier.Components, c => c.Type == "state.redis");
        Assert.Equal("state.in-memory", verifier.Components.Single(c => c.Name == "statestore").Type);
    }

    [Fact]
    public async Task Http_metadata_reports_the_dev_runtime_version()
    {
        using var http = new HttpClient();

        var metadata = JsonNode.Parse(await http.GetStringAsync(new Uri(Sidecar.HttpEndpoint("agent"), "/v1.0/metadata")))!;

        Assert.Equal("agent", metadata["id"]!.GetValue<string>());
        Assert.Equal("dev", metadata["runtimeVersion"]!.GetValue<string>());
    }

    [Fact]
    public async Task Http_publish_answers_204_for_a_known_pubsub_and_404_for_an_unknown_one()
    {
        using var http = new HttpClient();
        using var body = new StringContent("""{"orderId":5}""", System.Text.Encoding.UTF8, "application/json");
        using var sameBody = new StringContent("""{"orderId":5}""", System.Text.Encoding.UTF8, "application/json");

        using var published = await http.PostAsync(new Uri(Sidecar.HttpEndpoint("verifier"), "/v1.0/publish/pubsub/orders"), body);
        using var unknown = await http.PostAsync(new Uri(Sidecar.HttpEndpoint("verifier"), "/v1.0/publish/nope/orders"), sameBody);

        Assert.Equal(HttpStatusCode.NoContent, published.StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, unknown.StatusCode);
        Assert.Equal(5, Sidecar.Published("pubsub", "orders").Single()["data"]!["orderId"]!.GetValue<int>());
    }
}

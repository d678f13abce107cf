using System.Net;
using Dapr;
using Grpc.Core;
using PolyAi.Messaging.DevSidecar.Tests.Support;

namespace PolyAi.Messaging.DevSidecar.Tests;

public sealed class ApiTokenTests : SidecarTestBase
{
    private const string Token = "s3cret-token";

    public override Task InitializeAsync() => StartSidecarAsync(agentUrl: null, apiToken: Token);

    [Fact]
    public async Task Calls_without_the_api_token_are_rejected()
    {
        using var anonymous = ClientFor("verifier");
        using var http = new HttpClient();

        var grpcError = await Assert.ThrowsAsync<DaprException>(() => anonymous.GetStateAsync<Order>(ComponentsDirectory.StateStore, "k"));
        using var metadata = await http.GetAsync(new Uri(Sidecar.HttpEndpoint("verifier"), "/v1.0/metadata"));
        using var health = await http.GetAsync(new Uri(Sidecar.HttpEndpoint("verifier"), "/v1.0/healthz"));

        Assert.Equal(StatusCode.Unauthenticated, StateTests.StatusOf(grpcError));
        Assert.Equal(HttpStatusCode.Unauthorized, metadata.StatusCode);
        Assert.Equal("invalid api token", await metadata.Content.ReadAsStringAsync());
        Assert.Equal(HttpStatusCode.NoContent, health.StatusCode);
    }

    [Fact]
    public async Task Calls_with_the_api_token_are_served()
    {
        await Verifier.SaveStateAsync(ComponentsDirectory.StateStore, "k", new Order(1));

        Assert.Equal(new Order(1), await Verifier.GetStateAsync<Order>(ComponentsDirectory.StateStore, "k"));
        Assert.Equal("verifier", (await Verifier.GetMetadataAsync()).Id);
    }
}

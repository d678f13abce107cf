using System.Net;
using System.Text.Json.Nodes;
using Microsoft.Extensions.Time.Testing;
using PolyAi.Messaging.GenesysSimulator.Tests.Support;

namespace PolyAi.Messaging.GenesysSimulator.Tests;

public sealed class AuthenticationTests
{
    [Fact]
    public async Task Client_credentials_grant_returns_a_bearer_token_that_opens_the_api()
    {
        await using var sim = await Sim.StartAsync();
        var org = sim.Control.SeedOrg();
        using var client = new GenesysClient(sim.BaseUrl);

        using var response = await client.RequestTokenAsync(org.ClientId, org.ClientSecret);
        var token = await GenesysClient.Body(response);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("bearer", (string?)token["token_type"]);
        Assert.Equal(86400, (int)token["expires_in"]!);
        client.Token = (string?)token["access_token"];
        var me = await client.OkAsync(HttpMethod.Get, "api/v2/tokens/me");
        Assert.Equal(org.ClientId, (string?)me["OAuthClient"]!["id"]);
        Assert.Equal("CLIENT-CREDENTIALS", (string?)me["OAuthClient"]!["authorizedGrantType"]);
    }

    [Theory]
    [InlineData("grant_type=client_credentials", "wrong-secret", 401, "invalid_client")]
    [InlineData("", null, 400, "invalid_request")]
    [InlineData("grant_type=password", null, 400, "unsupported_grant_type")]
    public async Task Token_requests_with_bad_credentials_or_grants_get_oauth_errors(string form, string? secret, int status, string error)
    {
        await using var sim = await Sim.StartAsync();
        var org = sim.Control.SeedOrg();
        using var client = new GenesysClient(sim.BaseUrl);

        using var response = await client.RequestTokenAsync(org.ClientId, secret ?? org.ClientSecret, form);

        Assert.Equal(status, (int)response.StatusCode);
        var body = await GenesysClient.Body(response);
        Assert.Equal(error, (string?)body["error"]);
        Assert.False(string.IsNullOrEmpty((string?)body["description"]));
    }

    [Fact]
    public async Task Api_call_without_bearer_token_is_401_authentication_required()
    {
        await using var sim = await Sim.StartAsync();
        using var client = new GenesysClient(sim.BaseUrl);

        using var response = await client.GetAsync("api/v2/tokens/me");

        await AssertError(response, 401, "authentication.required");
    }

    [Fact]
    public async Task Unknown_token_is_401_bad_credentials()
    {
        await using var sim = await Sim.StartAsync();
        using var client = new GenesysClient(sim.BaseUrl) { Token = "not-a-token" };

        using var response = await client.GetAsync("api/v2/tokens/me");

        await AssertError(response, 401, "bad.credentials");
    }

    [Fact]
    public async Task Token_stops_working_after_the_clients_access_token_validity()
    {
        var time = new FakeTimeProvider(DateTimeOffset.UtcNow);
        await using var sim = await Sim.StartAsync(o => o with { TimeProvider = time });
        var org = sim.Control.SeedOrg();
        using var admin = await GenesysClient.LoginAsync(sim.BaseUrl, org.ClientId, org.ClientSecret);
        var role = await admin.OkAsync(HttpMethod.Post, "api/v2/authorization/roles", Role("short lived", "conversation", "message"));
        await admin.OkAsync(HttpMethod.Post, $"api/v2/authorization/subjects/{org.ClientId}/divisions/{org.HomeDivisionId}/roles/{role["id"]}?subjectType=PC_OAUTH_CLIENT");
        var created = await admin.OkAsync(HttpMethod.Post, "api/v2/oauth/clients", Client("short", 300, (string)role["id"]!, org.HomeDivisionId));
        using var shortLived = await GenesysClient.LoginAsync(sim.BaseUrl, (string)created["id"]!, (string)created["secret"]!);

        (await shortLived.GetAsync("api/v2/tokens/me")).EnsureSuccessStatusCode();
        time.Advance(TimeSpan.FromSeconds(301));
        using var expired = await shortLived.GetAsync("api/v2/tokens/me");

        await AssertError(expired, 401, "bad.credentials");
    }

    [Fact]
    public async Task Expiring_all_tokens_through_the_control_api_makes_them_401()
    {
        await using var sim = await Sim.StartAsync();
        var org = sim.Control.SeedOrg();
        using var client = await GenesysClient.LoginAsync(sim.BaseUrl, org.ClientId, org.ClientSecret);

        sim.Control.ExpireAllTokens();
        using var response = await client.GetAsync("api/v2/tokens/me");

        await AssertError(response, 401, "bad.credentials");
    }

    [Fact]
    public async Task Client_whose_role_lacks_the_permission_gets_403_missing_permissions()
    {
        await using var sim = await Sim.StartAsync();
        var org = sim.Control.SeedOrg();
        using var admin = await GenesysClient.LoginAsync(sim.BaseUrl, org.ClientId, org.ClientSecret);
        var role = await admin.OkAsync(HttpMethod.Post, "api/v2/authorization/roles", Role("AI Handoff Provider", "conversation", "message"));
        await admin.OkAsync(HttpMethod.Post, $"api/v2/authorization/subjects/{org.ClientId}/divisions/{org.HomeDivisionId}/roles/{role["id"]}?subjectType=PC_OAUTH_CLIENT");
        var created = await admin.OkAsync(HttpMethod.Post, "api/v2/oauth/clients", Client("ai-handoff", 86400, (string)role["id"]!, org.HomeDivisionId));
        using var provider = await GenesysClient.LoginAsync(sim.BaseUrl, (string)created["id"]!, (string)created["secret"]!);

        using var forbidden = await provider.PostAsync("api/v2/routing/queues", new JsonObject { ["name"] = "Q" });
        using var allowed = await provider.PostAsync(Sim.InboundPath("no-such-integration"), Sim.InboundText("u1", "hi"));

        var error = await AssertError(forbidden, 403, "missing.permissions");
        Assert.Contains("routing:queue:add", (string?)error["message"], StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.NotFound, allowed.StatusCode); // past the permission check: the integration does not exist
    }

    internal static JsonObject Role(string name, string domain, string entity) => new()
    {
        ["name"] = name,
        ["permissionPolicies"] = new JsonArray(new JsonObject { ["domain"] = domain, ["entityName"] = entity, ["actionSet"] = new JsonArray("*") }),
    };

    internal static JsonObject Client(string name, int validity, string roleId, string divisionId) => new()
    {
        ["name"] = name,
        ["authorizedGrantType"] = "CLIENT-CREDENTIALS",
        ["accessTokenValiditySeconds"] = validity,
        ["roleDivisions"] = new JsonArray(new JsonObject { ["roleId"] = roleId, ["divisionId"] = divisionId }),
    };

    internal static async Task<JsonObject> AssertError(HttpResponseMessage response, int status, string code)
    {
        Assert.Equal(status, (int)response.StatusCode);
        var body = await GenesysClient.Body(response);
        Assert.Equal(code, (string?)body["code"]);
        Assert.Equal(status, (int)body["status"]!);
        Assert.False(string.IsNullOrEmpty((string?)body["message"]));
        Assert.NotNull(body["contextId"]);
        return body;
    }
}

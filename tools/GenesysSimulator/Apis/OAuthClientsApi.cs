using Microsoft.AspNetCore.Http.HttpResults;
using System.Text.Json.Nodes;
using PolyAi.Messaging.GenesysSimulator.Http;
using PolyAi.Messaging.GenesysSimulator.World;
using static PolyAi.Messaging.GenesysSimulator.Http.RequestBody;

namespace PolyAi.Messaging.GenesysSimulator.Apis;

/// <summary>OAuth clients (client credentials only).</summary>
internal static class OAuthClientsApi
{
    public static void MapOAuthClientsApi(this IEndpointRouteBuilder app)
    {
        app.MapPost("/api/v2/oauth/clients", Create).Requires(Permissions.ClientAdd);
        app.MapGet("/api/v2/oauth/clients/{clientId}", Get).Requires(Permissions.ClientView);
    }

    private static async Task<JsonHttpResult<JsonObject>> Create(HttpRequest request, Org org)
    {
        var caller = (OAuthClient)request.HttpContext.Items[ApiGate.ClientItem]!;
        var (body, error) = await ReadObjectAsync(request);
        if (error is not null)
        {
            return error;
        }

        var name = String(body!["name"]);
        if (string.IsNullOrWhiteSpace(name))
        {
            return GenesysErrors.BadRequest("name: may not be null");
        }

        var grant = String(body["authorizedGrantType"]);
        if (grant != "CLIENT-CREDENTIALS")
        {
            return GenesysErrors.BadRequest(grant is "CODE" or "TOKEN" or "SAML2-BEARER" or "PASSWORD"
                ? $"authorizedGrantType {grant} is not simulated: only CLIENT-CREDENTIALS"
                : "authorizedGrantType must be one of CODE, TOKEN, SAML2-BEARER, PASSWORD, CLIENT-CREDENTIALS");
        }

        var validity = body["accessTokenValiditySeconds"] is JsonValue v && v.TryGetValue<int>(out var seconds) ? seconds : 86400;
        if (validity is < 300 or > 172800)
        {
            return GenesysErrors.BadRequest("accessTokenValiditySeconds must be between 300 and 172800");
        }

        lock (org.Gate)
        {
            var roleDivisions = new List<RoleDivision>();
            foreach (var node in body["roleDivisions"] as JsonArray ?? [])
            {
                var roleId = String(node?["roleId"]);
                var divisionId = String(node?["divisionId"]) ?? org.HomeDivisionId;
                if (roleId is null || !org.Roles.ContainsKey(roleId))
                {
                    return GenesysErrors.BadRequest($"roleDivisions: role {roleId} does not exist");
                }

                if (divisionId != org.HomeDivisionId && divisionId != "*")
                {
                    return GenesysErrors.BadRequest($"roleDivisions: division {divisionId} does not exist");
                }

                roleDivisions.Add(new RoleDivision(roleId, divisionId));
            }

            // Genesys: a client can only give roles it holds itself (genesys-facts, Corrections 1; TF oauth_client docs).
            var notHeld = roleDivisions.Select(rd => rd.RoleId).Distinct().Where(id => !caller.RoleDivisions.Any(held => held.RoleId == id)).ToList();
            if (notHeld.Count > 0)
            {
                return GenesysErrors.Result(400, "bad.request", $"The roles must be assigned to the OAuth client making this request before it can grant them. Roles not held: [{string.Join(", ", notHeld)}]");
            }

            var client = org.AddClient(name, String(body["description"]), validity, roleDivisions);
            var json = ClientJson(client);
            json["secret"] = client.Secret;
            return Pages.Json(json);
        }
    }

    private static JsonHttpResult<JsonObject> Get(string clientId, Org org)
    {
        lock (org.Gate)
        {
            // The secret is shown once, at creation.
            return org.Clients.TryGetValue(clientId, out var client) ? Pages.Json(ClientJson(client)) : GenesysErrors.NotFound($"OAuth client {clientId} not found.");
        }
    }

    public static JsonArray RoleDivisionsJson(OAuthClient client) =>
        new(client.RoleDivisions.Select(rd => (JsonNode)new JsonObject { ["roleId"] = rd.RoleId, ["divisionId"] = rd.DivisionId }).ToArray());

    private static JsonObject ClientJson(OAuthClient client) => new()
    {
        ["id"] = client.Id,
        ["name"] = client.Name,
        ["description"] = client.Description,
        ["accessTokenValiditySeconds"] = client.AccessTokenValiditySeconds,
        ["authorizedGrantType"] = client.AuthorizedGrantType,
        ["scope"] = new JsonArray(),
        ["roleDivisions"] = RoleDivisionsJson(client),
        ["state"] = "active",
        ["dateCreated"] = Iso.Format(client.DateCreated),
        ["selfUri"] = $"/api/v2/oauth/clients/{client.Id}",
    };
}

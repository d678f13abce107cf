using Microsoft.AspNetCore.Http.HttpResults;
using System.Text;
using System.Text.Json.Nodes;
using PolyAi.Messaging.GenesysSimulator.Http;
using PolyAi.Messaging.GenesysSimulator.World;

namespace PolyAi.Messaging.GenesysSimulator.Apis;

/// <summary>The login host: client-credentials tokens (genesys-facts §1).</summary>
internal static class OAuthApi
{
    public static void MapOAuthApi(this IEndpointRouteBuilder app)
    {
        app.MapPost("/oauth/token", IssueToken);
        app.MapGet("/api/v2/tokens/me", TokenInfo);
    }

    private static async Task<JsonHttpResult<JsonObject>> IssueToken(HttpRequest request, Org org)
    {
        if (!TryReadBasic(request.Headers.Authorization.ToString(), out var clientId, out var secret))
        {
            return OAuthError(401, "invalid_client", "client authentication failed: a Basic authorization header is required");
        }

        if (!request.HasFormContentType)
        {
            return OAuthError(400, "invalid_request", "the body must be application/x-www-form-urlencoded");
        }

        var form = await request.ReadFormAsync(request.HttpContext.RequestAborted);
        var grantType = form["grant_type"].ToString();
        if (grantType.Length == 0)
        {
            return OAuthError(400, "invalid_request", "grant_type is required");
        }

        if (grantType != "client_credentials")
        {
            return OAuthError(400, "unsupported_grant_type", $"grant type {grantType} is not supported");
        }

        lock (org.Gate)
        {
            if (!org.Clients.TryGetValue(clientId, out var client)
                || !System.Security.Cryptography.CryptographicOperations.FixedTimeEquals(Encoding.UTF8.GetBytes(client.Secret), Encoding.UTF8.GetBytes(secret)))
            {
                return OAuthError(401, "invalid_client", "client authentication failed");
            }

            var token = org.Issue(client);
            return TypedResults.Json(new JsonObject
            {
                ["access_token"] = token.Value,
                ["token_type"] = "bearer",
                ["expires_in"] = client.AccessTokenValiditySeconds,
            }, SimulatorJson.Default.JsonObject);
        }
    }

    private static JsonHttpResult<JsonObject> TokenInfo(HttpContext context, Org org)
    {
        var client = (OAuthClient)context.Items[ApiGate.ClientItem]!;
        lock (org.Gate)
        {
            var organization = new JsonObject { ["id"] = org.OrganizationId, ["name"] = Org.OrganizationName, ["selfUri"] = $"/api/v2/organizations/{org.OrganizationId}" };
            return TypedResults.Json(new JsonObject
            {
                ["organization"] = organization,
                ["homeOrganization"] = organization.DeepClone(),
                ["authorizedScope"] = new JsonArray(),
                ["OAuthClient"] = new JsonObject
                {
                    ["id"] = client.Id,
                    ["name"] = client.Name,
                    ["authorizedGrantType"] = client.AuthorizedGrantType,
                    ["roleDivisions"] = OAuthClientsApi.RoleDivisionsJson(client),
                    ["organization"] = new JsonObject { ["id"] = org.OrganizationId },
                },
            }, SimulatorJson.Default.JsonObject);
        }
    }

    private static bool TryReadBasic(string header, out string clientId, out string secret)
    {
        clientId = secret = "";
        const string prefix = "Basic ";
        if (!header.StartsWith(prefix, StringComparison.OrdinalIgnoreCase))
        {
            return false;
        }

        try
        {
            // The SDKs encode client id and secret as ISO-8859-1.
            var decoded = Encoding.Latin1.GetString(Convert.FromBase64String(header[prefix.Length..].Trim()));
            var colon = decoded.IndexOf(':', StringComparison.Ordinal);
            if (colon <= 0)
            {
                return false;
            }

            (clientId, secret) = (decoded[..colon], decoded[(colon + 1)..]);
            return true;
        }
        catch (FormatException)
        {
            return false;
        }
    }

    private static JsonHttpResult<JsonObject> OAuthError(int status, string error, string description) =>
        TypedResults.Json(new JsonObject { ["error"] = error, ["description"] = description }, SimulatorJson.Default.JsonObject, statusCode: status);
}

using Microsoft.AspNetCore.Http.HttpResults;
using System.Text.Json.Nodes;
using PolyAi.Messaging.GenesysSimulator.Http;
using PolyAi.Messaging.GenesysSimulator.World;
using static PolyAi.Messaging.GenesysSimulator.Http.RequestBody;

namespace PolyAi.Messaging.GenesysSimulator.Apis;

/// <summary>Roles, the permissions lookup and the home division (genesys-facts §6).</summary>
internal static class AuthorizationApi
{
    public static void MapAuthorizationApi(this IEndpointRouteBuilder app)
    {
        var authorization = app.MapGroup("/api/v2/authorization");
        authorization.MapPost("/roles", CreateRole).Requires(Permissions.RoleAdd);
        authorization.MapGet("/roles", ListRoles).Requires(Permissions.RoleView);
        authorization.MapGet("/roles/{roleId}", GetRole).Requires(Permissions.RoleView);
        authorization.MapPut("/roles/{roleId}", UpdateRole).Requires(Permissions.RoleEdit);
        authorization.MapGet("/permissions", LookupPermissions);
        authorization.MapGet("/divisions/home", HomeDivision);
        authorization.MapPost("/subjects/{subjectId}/divisions/{divisionId}/roles/{roleId}", Grant).Requires(Permissions.GrantAdd);
    }

    // POST /api/v2/authorization/subjects/{subjectId}/divisions/{divisionId}/roles/{roleId}?subjectType=PC_OAUTH_CLIENT
    // ("Make a grant of a role in a division", authorization:grant:add; subjectType PC_USER (default), PC_GROUP or
    // PC_OAUTH_CLIENT [NET AuthorizationApi.md]): how an admin client comes to hold a role it just made.
    private static IResult Grant(string subjectId, string divisionId, string roleId, string? subjectType, Org org)
    {
        lock (org.Gate)
        {
            if (!org.Roles.ContainsKey(roleId))
            {
                return GenesysErrors.NotFound($"Role {roleId} not found.");
            }

            if (divisionId != org.HomeDivisionId && divisionId != "*")
            {
                return GenesysErrors.NotFound($"Division {divisionId} not found.");
            }

            switch (subjectType ?? "PC_USER")
            {
                case "PC_OAUTH_CLIENT":
                    if (!org.Clients.TryGetValue(subjectId, out var client))
                    {
                        return GenesysErrors.NotFound($"OAuth client {subjectId} not found.");
                    }

                    if (!client.RoleDivisions.Any(rd => rd.RoleId == roleId && rd.DivisionId == divisionId))
                    {
                        client.RoleDivisions.Add(new RoleDivision(roleId, divisionId));
                    }

                    return TypedResults.NoContent();
                case "PC_USER":
                    return org.Users.ContainsKey(subjectId) ? TypedResults.NoContent() : GenesysErrors.NotFound($"User {subjectId} not found.");
                case "PC_GROUP":
                    return GenesysErrors.NotFound($"Group {subjectId} not found.");
                default:
                    return GenesysErrors.BadRequest($"subjectType {subjectType} must be one of PC_USER, PC_GROUP, PC_OAUTH_CLIENT");
            }
        }
    }

    private static async Task<JsonHttpResult<JsonObject>> CreateRole(HttpRequest request, Org org)
    {
        var (role, problem) = await ReadRoleAsync(request);
        if (problem is not null)
        {
            return problem;
        }

        var (name, description, policies) = role!.Value;

        lock (org.Gate)
        {
            if (org.Roles.Values.Any(r => string.Equals(r.Name, name, StringComparison.OrdinalIgnoreCase)))
            {
                return GenesysErrors.Result(409, "general.conflict", $"A role with the name {name} already exists.");
            }

            var created = new Role { Id = Ids.Entity(), Name = name, Description = description, Policies = policies };
            org.Roles[created.Id] = created;
            return Pages.Json(RoleJson(created));
        }
    }

    /// <summary>A role body (POST or PUT): name (required), description, permission policies and permission strings.</summary>
    private static async Task<((string Name, string? Description, List<PermissionPolicy> Policies)? Role, JsonHttpResult<JsonObject>? Problem)> ReadRoleAsync(HttpRequest request)
    {
        var (body, error) = await ReadObjectAsync(request);
        if (error is not null)
        {
            return (null, error);
        }

        var name = String(body!["name"]);
        if (string.IsNullOrWhiteSpace(name))
        {
            return (null, GenesysErrors.BadRequest("name: may not be null"));
        }

        var (policies, problem) = Policies(body);
        return problem is not null ? (null, problem) : ((name, String(body["description"]), policies), null);
    }

    private static (List<PermissionPolicy> Policies, JsonHttpResult<JsonObject>? Problem) Policies(JsonObject body)
    {
        var policies = new List<PermissionPolicy>();
        foreach (var node in body["permissionPolicies"] as JsonArray ?? [])
        {
            var domain = String(node?["domain"]);
            var entity = String(node?["entityName"]);
            var actions = (node?["actionSet"] as JsonArray)?.Select(String).OfType<string>().ToList();
            if (domain is null || entity is null || actions is not { Count: > 0 })
            {
                return (policies, GenesysErrors.BadRequest("permissionPolicies: domain, entityName and actionSet are required"));
            }

            if (domain != "*" && !Permissions.Catalog.Keys.Any(p => p.StartsWith(domain + ":", StringComparison.Ordinal)))
            {
                return (policies, GenesysErrors.BadRequest($"Invalid permission policy domain {domain}"));
            }

            policies.Add(new PermissionPolicy(domain, entity, actions));
        }

        foreach (var permission in (body["permissions"] as JsonArray ?? []).Select(String).OfType<string>())
        {
            var parts = permission.Split(':');
            if (parts.Length == 3)
            {
                policies.Add(new PermissionPolicy(parts[0], parts[1], [parts[2]]));
            }
        }

        return (policies, null);
    }

    // GET /api/v2/authorization/roles[?name=] (name with leading/trailing * as a wildcard, Corrections 8).
    private static JsonHttpResult<JsonObject> ListRoles(HttpRequest request, string? name, int? pageSize, int? pageNumber, Org org)
    {
        lock (org.Gate)
        {
            var roles = org.Roles.Values.Where(r => name is null || Pages.NameMatches(name, r.Name)).OrderBy(r => r.Name, StringComparer.Ordinal);
            return Pages.Of(roles.Select(r => (JsonNode)RoleJson(r)), pageSize ?? 25, pageNumber ?? 1, request);
        }
    }

    // PUT /api/v2/authorization/roles/{roleId}: replaces name, description and policies.
    private static async Task<JsonHttpResult<JsonObject>> UpdateRole(string roleId, HttpRequest request, Org org)
    {
        var (role, problem) = await ReadRoleAsync(request);
        if (problem is not null)
        {
            return problem;
        }

        var (name, description, policies) = role!.Value;

        lock (org.Gate)
        {
            if (!org.Roles.TryGetValue(roleId, out var existing))
            {
                return GenesysErrors.NotFound($"Role {roleId} not found.");
            }

            if (org.Roles.Values.Any(r => r.Id != roleId && string.Equals(r.Name, name, StringComparison.OrdinalIgnoreCase)))
            {
                return GenesysErrors.Result(409, "general.conflict", $"A role with the name {name} already exists.");
            }

            existing.Name = name;
            existing.Description = description;
            existing.Policies = policies;
            return Pages.Json(RoleJson(existing));
        }
    }

    private static JsonHttpResult<JsonObject> GetRole(string roleId, Org org)
    {
        lock (org.Gate)
        {
            return org.Roles.TryGetValue(roleId, out var role) ? Pages.Json(RoleJson(role)) : GenesysErrors.NotFound($"Role {roleId} not found.");
        }
    }

    private static JsonHttpResult<JsonObject> LookupPermissions(string? queryType, string? query, Org org)
    {
        var domains = Permissions.Catalog.Keys
            .Select(p => p.Split(':'))
            .GroupBy(p => p[0], StringComparer.Ordinal)
            .Where(g => string.IsNullOrEmpty(query) || (queryType is "domain" ? g.Key == query : g.Key.Contains(query, StringComparison.OrdinalIgnoreCase)))
            .Select(g =>
            {
                var map = new JsonObject();
                foreach (var entity in g.GroupBy(p => p[1], StringComparer.Ordinal))
                {
                    map[entity.Key] = new JsonArray(entity.Select(p => (JsonNode)new JsonObject
                    {
                        ["domain"] = p[0],
                        ["entityType"] = p[1],
                        ["action"] = p[2],
                        ["label"] = Permissions.Catalog[string.Join(':', p)],
                        ["allowsConditions"] = false,
                        ["divisionAware"] = false,
                    }).ToArray());
                }

                return (JsonNode)new JsonObject { ["id"] = g.Key, ["domain"] = g.Key, ["permissionMap"] = map };
            });
        return Pages.Of(domains, pageSize: 100);
    }

    private static JsonHttpResult<JsonObject> HomeDivision(Org org) =>
        Pages.Json(new JsonObject
        {
            ["id"] = org.HomeDivisionId,
            ["name"] = org.Options.HomeDivisionName,
            ["homeDivision"] = true,
            ["selfUri"] = $"/api/v2/authorization/divisions/{org.HomeDivisionId}",
        });

    public static JsonObject RoleJson(Role role) => new()
    {
        ["id"] = role.Id,
        ["name"] = role.Name,
        ["description"] = role.Description,
        ["defaultRoleId"] = null,
        ["permissions"] = new JsonArray(Permissions.Catalog.Keys.Where(p => role.Policies.Any(x => x.Grants(p))).Select(p => (JsonNode)p).ToArray()),
        ["permissionPolicies"] = new JsonArray(role.Policies.Select(p => (JsonNode)new JsonObject
        {
            ["domain"] = p.Domain,
            ["entityName"] = p.EntityName,
            ["actionSet"] = new JsonArray(p.ActionSet.Select(a => (JsonNode)a).ToArray()),
            ["allowConditions"] = false,
        }).ToArray()),
        ["userCount"] = 0,
        ["default"] = false,
        ["base"] = false,
        ["selfUri"] = $"/api/v2/authorization/roles/{role.Id}",
    };
}

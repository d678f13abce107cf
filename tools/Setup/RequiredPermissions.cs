using PolyAi.Messaging.Genesys;

namespace PolyAi.Messaging.Setup;

/// <summary>One row of the setup guide's permission table: the Admin UI name and the API policy behind it.</summary>
public sealed record RequiredPermission(string UiName, string Domain, string Entity, IReadOnlyList<string> Actions)
{
    public IEnumerable<string> ApiStrings => Actions.Select(a => $"{Domain}:{Entity}:{a}");

    public PermissionPolicy ToPolicy() => new() { Domain = Domain, EntityName = Entity, ActionSet = Actions };
}

/// <summary>The runtime role's permissions (genesys-facts §6 table), plus the queue observation read the handoff's availability check makes.</summary>
public static class RequiredPermissions
{
    public static readonly IReadOnlyList<RequiredPermission> All =
    [
        new("Analytics > Conversation Detail > All", "analytics", "conversationDetail", ["*"]),
        // Not in the guide's table, but the handoff service asks "is anyone on queue?" with the tenant's own client.
        new("Analytics > Queue Observation > View", "analytics", "queueObservation", ["view"]),
        new("Architect > Datatable > Add", "architect", "datatable", ["add"]),
        new("Architect > Datatable > Edit", "architect", "datatable", ["edit"]),
        new("Architect > Datatable > View", "architect", "datatable", ["view"]),
        new("Conversation > Communication > Disconnect", "conversation", "communication", ["disconnect"]),
        new("Conversation > Message > All", "conversation", "message", ["*"]),
        new("Messaging > Integration > All", "messaging", "integration", ["*"]),
        new("Messaging > Setting > All", "messaging", "setting", ["*"]),
        new("Routing > Message > All", "routing", "message", ["*"]),
        new("Routing > Queue > Add", "routing", "queue", ["add"]),
        new("Routing > Queue > Delete", "routing", "queue", ["delete"]),
        new("Routing > Queue > Edit", "routing", "queue", ["edit"]),
        new("Routing > Queue > Join", "routing", "queue", ["join"]),
        new("Routing > Queue > View", "routing", "queue", ["view"]),
    ];

    /// <summary>
    /// "Agent UI > Conversation Details > View": the entity name is not documented (genesys-facts §6), so provision
    /// looks it up in the org's permission catalog and adds it only when the org knows it.
    /// </summary>
    public const string AgentUiUiName = "Agent UI > Conversation Details > View";

    /// <summary>The role's policies, one per (domain, entity), actions merged.</summary>
    public static IReadOnlyList<PermissionPolicy> Policies(IEnumerable<RequiredPermission> permissions) =>
    [
        .. permissions
            .GroupBy(p => (p.Domain, p.Entity))
            .Select(g => new PermissionPolicy
            {
                Domain = g.Key.Domain,
                EntityName = g.Key.Entity,
                ActionSet = g.SelectMany(p => p.Actions).Contains("*") ? ["*"] : [.. g.SelectMany(p => p.Actions).Distinct().Order(StringComparer.Ordinal)],
            })
            .OrderBy(p => p.Domain, StringComparer.Ordinal).ThenBy(p => p.EntityName, StringComparer.Ordinal),
    ];

    /// <summary>The rows of <paramref name="required"/> the role's policies do not grant.</summary>
    public static IReadOnlyList<RequiredPermission> Missing(Role role, IEnumerable<RequiredPermission> required) =>
        [.. required.Where(r => !r.Actions.All(action => Grants(role, r.Domain, r.Entity, action)))];

    private static bool Grants(Role role, string domain, string entity, string action)
    {
        foreach (var policy in role.PermissionPolicies ?? [])
        {
            if (Matches(policy.Domain, domain) && Matches(policy.EntityName, entity)
                && policy.ActionSet.Any(a => a == "*" || a == action))
            {
                return true;
            }
        }

        return false;
    }

    private static bool Matches(string granted, string wanted) => granted == "*" || string.Equals(granted, wanted, StringComparison.Ordinal);

    /// <summary>Finds the Agent UI conversation-details permission in the org's catalog, if it has one.</summary>
    public static async Task<RequiredPermission?> LookupAgentUiAsync(GenesysClient admin, CancellationToken ct)
    {
        var catalog = await admin.Authorization.GetPermissionsAsync("agentUI", cancellationToken: ct);
        foreach (var domain in catalog.Entities)
        {
            foreach (var (entity, permissions) in domain.PermissionMap ?? new Dictionary<string, IReadOnlyList<DomainPermission>>())
            {
                if (entity.StartsWith("conversationDetail", StringComparison.OrdinalIgnoreCase) && permissions.Any(p => p.Action == "view"))
                {
                    return new RequiredPermission(AgentUiUiName, "agentUI", entity, ["view"]);
                }
            }
        }

        return null;
    }
}

namespace PolyAi.Messaging.Genesys;

/// <summary>Roles, permission discovery and divisions (admin client).</summary>
public sealed class AuthorizationApi
{
    private readonly GenesysTransport _transport;

    internal AuthorizationApi(GenesysTransport transport) => _transport = transport;

    public Task<Role> CreateRoleAsync(RoleRequest role, CancellationToken cancellationToken = default)
    {
        var endpoint = GenesysEndpoints.CreateRole;
        return _transport.SendAsync(endpoint, endpoint.Path(), role, GenesysJsonContext.Default.RoleRequest, GenesysJsonContext.Default.Role, cancellationToken);
    }

    public Task<Role> GetRoleAsync(string roleId, CancellationToken cancellationToken = default)
    {
        var endpoint = GenesysEndpoints.GetRole;
        return _transport.SendAsync(endpoint, endpoint.Path(roleId), GenesysJsonContext.Default.Role, cancellationToken);
    }

    public Task<EntityListing<Role>> ListRolesAsync(string? name = null, int pageSize = 25, int pageNumber = 1, CancellationToken cancellationToken = default)
    {
        var endpoint = GenesysEndpoints.ListRoles;
        var query = Query.Empty.With("name", name).With("pageSize", pageSize).With("pageNumber", pageNumber);
        return _transport.SendAsync(endpoint, endpoint.Path() + query, GenesysJsonContext.Default.EntityListingRole, cancellationToken);
    }

    /// <summary>Replaces the role (name, description, policies).</summary>
    public Task<Role> UpdateRoleAsync(string roleId, RoleRequest role, CancellationToken cancellationToken = default)
    {
        var endpoint = GenesysEndpoints.UpdateRole;
        return _transport.SendAsync(endpoint, endpoint.Path(roleId), role, GenesysJsonContext.Default.RoleRequest, GenesysJsonContext.Default.Role, cancellationToken);
    }

    /// <summary>The permission strings of a domain (e.g. <c>agentUI</c>), to find names the docs do not give.</summary>
    public Task<EntityListing<DomainPermissionCollection>> GetPermissionsAsync(string domain, int pageSize = 100, CancellationToken cancellationToken = default)
    {
        var endpoint = GenesysEndpoints.ListPermissions;
        var query = Query.Empty.With("queryType", "domain").With("query", domain).With("pageSize", pageSize);
        return _transport.SendAsync(endpoint, endpoint.Path() + query, GenesysJsonContext.Default.EntityListingDomainPermissionCollection, cancellationToken);
    }

    public Task<Division> GetHomeDivisionAsync(CancellationToken cancellationToken = default)
    {
        var endpoint = GenesysEndpoints.GetHomeDivision;
        return _transport.SendAsync(endpoint, endpoint.Path(), GenesysJsonContext.Default.Division, cancellationToken);
    }

    /// <summary>
    /// Grants <paramref name="roleId"/> in a division to a subject (<c>authorization:grant:add</c>); with
    /// <see cref="SubjectTypes.OAuthClient"/> an admin client can hold a role it just made, which it must before it can
    /// give that role to a new OAuth client (genesys-facts, Corrections 1). Granting twice is harmless.
    /// </summary>
    public Task GrantRoleAsync(string subjectId, string divisionId, string roleId, string subjectType, CancellationToken cancellationToken = default)
    {
        var endpoint = GenesysEndpoints.GrantRole;
        return _transport.SendAsync(endpoint, endpoint.Path(subjectId, divisionId, roleId) + Query.Empty.With("subjectType", subjectType), cancellationToken);
    }
}

/// <summary>The <c>subjectType</c> of a grant: who receives the role.</summary>
public static class SubjectTypes
{
    public const string User = "PC_USER";
    public const string Group = "PC_GROUP";
    public const string OAuthClient = "PC_OAUTH_CLIENT";
}

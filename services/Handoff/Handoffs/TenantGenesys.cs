using PolyAi.Messaging.Contracts;
using PolyAi.Messaging.Genesys;

namespace PolyAi.Messaging.Handoff.Handoffs;

/// <summary>A tenant with what it takes to call its Genesys org.</summary>
public sealed record TenantConnection(Tenant Tenant, GenesysClient Client, string IntegrationId, string? QueueId);

/// <summary>
/// The Genesys client of a tenant: environment from its record (<c>GenesysBaseUrl</c> wins over <c>GenesysRegion</c>),
/// credentials from its secrets, both through <see cref="TenantDirectory"/> only. Clients of one OAuth client share a
/// token cache (the factory keeps one per client), so creating one per call is cheap.
/// </summary>
public sealed class TenantGenesys(TenantDirectory tenants, GenesysClientFactory factory)
{
    /// <summary>The tenant's connection, or why there is none (unknown tenant, incomplete Genesys setup).</summary>
    public async Task<(TenantConnection? Connection, string? Problem)> ConnectAsync(TenantKey key, CancellationToken cancellationToken)
    {
        if (await tenants.FindAsync(key, cancellationToken) is not { } tenant)
        {
            return (null, "unknown tenant");
        }

        var record = tenant.Record;
        GenesysEnvironment environment;
        try
        {
            environment = record.GenesysBaseUrl is { } baseUrl
                ? GenesysEnvironment.ForBaseUrl(baseUrl)
                : GenesysEnvironment.ForRegion(record.GenesysRegion ?? string.Empty);
        }
        catch (ArgumentException)
        {
            return (null, "the tenant has no valid Genesys region or base URL");
        }

        if (string.IsNullOrEmpty(tenant.Secrets.OAuthClientId) || string.IsNullOrEmpty(tenant.Secrets.OAuthClientSecret))
        {
            return (null, "the tenant has no Genesys OAuth client in its secrets");
        }

        if (string.IsNullOrEmpty(record.IntegrationId))
        {
            return (null, "the tenant has no Open Messaging integration id");
        }

        var client = factory.Create(environment, new GenesysCredentials(tenant.Secrets.OAuthClientId, tenant.Secrets.OAuthClientSecret));
        return (new TenantConnection(tenant, client, record.IntegrationId, record.QueueId), null);
    }
}

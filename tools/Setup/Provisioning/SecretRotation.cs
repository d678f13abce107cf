using PolyAi.Messaging.Contracts;
using PolyAi.Messaging.Genesys;
using PolyAi.Messaging.Setup.Secrets;
using PolyAi.Messaging.Setup.State;

namespace PolyAi.Messaging.Setup.Provisioning;

/// <summary>
/// Webhook secret rotation without a gap: the new secret is stored as current with the old one as previous (the
/// verifier accepts both) before Genesys is told; <see cref="FinishAsync"/> forgets the previous one later.
/// Uses the tenant's own OAuth client (its role has Messaging > Integration > All).
/// </summary>
public sealed class SecretRotation(ITenantSecretStore secrets, ITenantRecordStore records, Func<GenesysEnvironment, GenesysCredentials, GenesysClient> clients)
{
    public sealed record Result(string Outcome, string Detail);

    public async Task<Result> RotateAsync(TenantKey tenant, GenesysEnvironment? environment, CancellationToken ct)
    {
        var current = await secrets.ReadAsync(tenant, ct);
        var record = await records.ReadAsync(tenant, ct);
        if (current?.WebhookSecret is null || current.OAuthClientId is null || current.OAuthClientSecret is null || record?.IntegrationId is null)
        {
            throw new SetupStepException("rotate-secret", AdminPaths.Integration, $"{tenant} has no stored webhook secret, OAuth client or integration: run `provision` first.");
        }

        if (current.PreviousWebhookSecret is not null)
        {
            throw new SetupStepException("rotate-secret", AdminPaths.Integration, "a rotation is already in progress (a previous secret is still accepted): run `rotate-secret --finish` once the window is over, then rotate again.");
        }

        environment ??= record.GenesysBaseUrl is { } url ? GenesysEnvironment.ForBaseUrl(url)
            : record.GenesysRegion is { } region ? GenesysEnvironment.ForRegion(region)
            : throw new SetupStepException("rotate-secret", AdminPaths.Integration, "the tenant record names no Genesys region: give --region or --genesys-url.");

        var fresh = Provisioner.NewWebhookSecret();
        var rotated = current with { WebhookSecret = fresh, PreviousWebhookSecret = current.WebhookSecret };
        await secrets.WriteAsync(tenant, rotated, ct);
        try
        {
            using var client = clients(environment, new GenesysCredentials(current.OAuthClientId, current.OAuthClientSecret));
            await SetupStepException.Guard("rotate-secret", AdminPaths.Integration, async () =>
            {
                var integration = await client.Messaging.GetOpenIntegrationAsync(record.IntegrationId, cancellationToken: ct);
                return await client.Messaging.UpdateOpenIntegrationAsync(record.IntegrationId, new OpenIntegrationRequest
                {
                    Name = integration.Name ?? $"{TenantSetup.Prefix} {tenant}",
                    OutboundNotificationWebhookSignatureSecretToken = fresh,
                }, ct);
            });
        }
        catch (SetupStepException)
        {
            // Genesys still signs with the old secret: put the store back as it was.
            await secrets.WriteAsync(tenant, current, ct);
            throw;
        }

        return new Result("rotated", $"the integration signs with a new secret; the previous one stays valid until `rotate-secret --finish` (stored in the {secrets.Description})");
    }

    public async Task<Result> FinishAsync(TenantKey tenant, CancellationToken ct)
    {
        var current = await secrets.ReadAsync(tenant, ct)
            ?? throw new SetupStepException("rotate-secret", AdminPaths.Integration, $"{tenant} has no stored secrets: run `provision` first.");
        if (current.PreviousWebhookSecret is null)
        {
            return new Result("unchanged", "no rotation in progress: only the current secret is accepted");
        }

        await secrets.WriteAsync(tenant, current with { PreviousWebhookSecret = null }, ct);
        return new Result("finished", "the previous webhook secret is no longer accepted");
    }
}

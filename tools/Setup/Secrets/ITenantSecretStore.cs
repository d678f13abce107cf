using PolyAi.Messaging.Contracts;

namespace PolyAi.Messaging.Setup.Secrets;

/// <summary>
/// Where a tenant's secrets live (the secret <c>tenants/&lt;a&gt;/&lt;p&gt;/&lt;e&gt;</c> with <c>webhookSecret</c>,
/// <c>previousWebhookSecret</c>, <c>oauthClientId</c>, <c>oauthClientSecret</c>): the services read the same secret
/// through the Dapr secret store.
/// </summary>
public interface ITenantSecretStore
{
    /// <summary>Where, for messages (never a value).</summary>
    string Description { get; }

    Task<TenantSecrets?> ReadAsync(TenantKey tenant, CancellationToken cancellationToken);

    /// <summary>Replaces the tenant's secret with exactly these fields (null fields are left out).</summary>
    Task WriteAsync(TenantKey tenant, TenantSecrets secrets, CancellationToken cancellationToken);
}

/// <summary>Parses <c>--secrets</c>: <c>local:&lt;path&gt;</c> or <c>aws:&lt;region&gt;</c>.</summary>
public static class SecretStores
{
    public static ITenantSecretStore Parse(string spec, HttpClient http)
    {
        var (kind, value) = Split(spec);
        return kind switch
        {
            "local" when value.Length > 0 => new LocalSecretsFile(value),
            "aws" when value.Length > 0 => new AwsSecretsManagerStore(value, AwsSecretsManagerStore.DefaultCredentials, http, TimeProvider.System),
            _ => throw new ArgumentException($"--secrets '{spec}' is not local:<path> or aws:<region>."),
        };
    }

    internal static (string Kind, string Value) Split(string spec)
    {
        var colon = spec.IndexOf(':', StringComparison.Ordinal);
        return colon < 0 ? (spec, "") : (spec[..colon], spec[(colon + 1)..]);
    }
}

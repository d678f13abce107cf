namespace PolyAi.Messaging.Contracts;

/// <summary>What the product knows about a tenant, stored in the state store under <see cref="TenantKey.RecordStateKey"/>.</summary>
/// <param name="GenesysRegion">A Genesys domain such as <c>usw2.pure.cloud</c>.</param>
/// <param name="GenesysBaseUrl">An explicit API base URL (the simulator, tests); wins over the region.</param>
public sealed record TenantRecord(
    string AccountId,
    string ProjectId,
    string ClientEnv,
    string? GenesysRegion = null,
    Uri? GenesysBaseUrl = null,
    string? IntegrationId = null,
    string? QueueId = null,
    string? FlowName = null,
    string? AgentDefinition = null)
{
    public TenantKey Key => new(AccountId, ProjectId, ClientEnv);
}

/// <summary>A tenant's secrets as read from the secret store. Never logged: <see cref="ToString"/> hides them.</summary>
public sealed record TenantSecrets(string? WebhookSecret, string? PreviousWebhookSecret, string? OAuthClientId, string? OAuthClientSecret)
{
    public const string WebhookSecretField = "webhookSecret";
    public const string PreviousWebhookSecretField = "previousWebhookSecret";
    public const string OAuthClientIdField = "oauthClientId";
    public const string OAuthClientSecretField = "oauthClientSecret";

    public static TenantSecrets From(IReadOnlyDictionary<string, string> values) => new(
        values.GetValueOrDefault(WebhookSecretField),
        values.GetValueOrDefault(PreviousWebhookSecretField),
        values.GetValueOrDefault(OAuthClientIdField),
        values.GetValueOrDefault(OAuthClientSecretField));

    public override string ToString() => "TenantSecrets { *** }";
}

/// <summary>A known tenant: its record and its secrets.</summary>
public sealed record Tenant(TenantRecord Record, TenantSecrets Secrets)
{
    public TenantKey Key => Record.Key;
}

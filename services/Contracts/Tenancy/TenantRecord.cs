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
    string? AgentDefinition = null,
    WebhookRateLimit? WebhookRateLimit = null)
{
    public TenantKey Key => new(AccountId, ProjectId, ClientEnv);
}

/// <summary>
/// A tenant's own webhook allowance at the edge, instead of the edge's default (<c>Edge:RateLimit</c>): a steady rate
/// and a burst on top. The verifier tells the edge with each verified webhook (<see cref="HeaderName"/>); the edge has
/// no sidecar and never reads tenant records itself.
/// </summary>
public sealed record WebhookRateLimit(int PermitsPerSecond, int Burst)
{
    /// <summary>
    /// On the verifier's 2xx answers only, as <see cref="ToHeader"/> writes it (the edge, which does not reference this
    /// library, reads it in <c>TenantWebhookRate</c>; the end-to-end tests hold the two together). The edge takes it
    /// off before Genesys sees the answer.
    /// </summary>
    public const string HeaderName = "X-PolyAI-Webhook-Rate";

    public const int MaxPermitsPerSecond = 100_000;
    public const int MaxBurst = 1_000_000;

    public bool IsValid => PermitsPerSecond is >= 1 and <= MaxPermitsPerSecond && Burst is >= 1 and <= MaxBurst;

    /// <summary><c>1500; burst=7500</c>.</summary>
    public string ToHeader() => FormattableString.Invariant($"{PermitsPerSecond}; burst={Burst}");
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

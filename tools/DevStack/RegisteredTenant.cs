using PolyAi.Messaging.Contracts;

namespace PolyAi.Messaging.DevStack;

/// <summary>A tenant DevStack registered, with its webhook secret (local stacks only: never do this with real secrets).</summary>
public sealed record RegisteredTenant(TenantKey Key, string WebhookSecret, Uri WebhookUrl, ProvisionedGenesys Genesys)
{
    public override string ToString() => $"{Key} → {WebhookUrl}";
}

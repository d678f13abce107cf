using System.Collections.Concurrent;
using Dapr.Client;
using Microsoft.Extensions.Options;
using PolyAi.Messaging.Agent.Chat;
using PolyAi.Messaging.Contracts;

namespace PolyAi.Messaging.Agent.Brains;

/// <summary>A tenant as the agent sees it: its record and its agent definition, resolved once.</summary>
public sealed record AgentTenant(TenantRecord Record, AgentDefinition Definition)
{
    public TenantKey Key => Record.Key;
}

/// <summary>
/// Finds tenants by their record in the state store (the agent needs no webhook secret, so not <see cref="TenantDirectory"/>),
/// cached for <see cref="ChatOptions.TenantCacheTtl"/>. An unknown tenant is null; a store that cannot be read throws.
/// A definition that cannot be read falls back to the embedded default, loudly.
/// </summary>
public sealed partial class AgentTenants(
    DaprClient dapr, IOptions<TenancyOptions> tenancy, IOptions<ChatOptions> chat, TimeProvider time, ILogger<AgentTenants> logger)
{
    private readonly ConcurrentDictionary<TenantKey, (AgentTenant? Tenant, DateTimeOffset ExpiresAt)> _cache = new();

    public async Task<AgentTenant?> FindAsync(TenantKey key, CancellationToken cancellationToken)
    {
        var now = time.GetUtcNow();
        if (_cache.TryGetValue(key, out var cached) && cached.ExpiresAt > now)
        {
            return cached.Tenant;
        }

        var record = await dapr.GetStateAsync<TenantRecord?>(tenancy.Value.StateStore, key.RecordStateKey, cancellationToken: cancellationToken);
        var tenant = record is null || record.Key != key ? null : new AgentTenant(record, Resolve(record));
        _cache[key] = (tenant, now + chat.Value.TenantCacheTtl);
        return tenant;
    }

    private AgentDefinition Resolve(TenantRecord record)
    {
        var text = record.AgentDefinition?.Trim();
        if (string.IsNullOrEmpty(text))
        {
            return AgentDefinition.Default;
        }

        try
        {
            // A single word names an embedded definition; anything else is YAML.
            if (!text.Contains(':', StringComparison.Ordinal) && !text.Contains('\n', StringComparison.Ordinal))
            {
                return AgentDefinition.Embedded(text) ?? throw new FormatException($"There is no embedded agent definition named '{text}'.");
            }

            return AgentDefinition.Parse(text);
        }
        catch (FormatException e)
        {
            LogBadDefinition(record.Key, e.Message);
            return AgentDefinition.Default;
        }
    }

    [LoggerMessage(Level = LogLevel.Error, Message = "The agent definition of tenant {Tenant} cannot be used, the default answers instead: {Error}")]
    private partial void LogBadDefinition(TenantKey tenant, string error);
}

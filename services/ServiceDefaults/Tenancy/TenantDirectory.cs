using System.Collections.Concurrent;
using Dapr.Client;
using Microsoft.Extensions.Options;

namespace PolyAi.Messaging.ServiceDefaults;

/// <summary>
/// Finds tenants: the record from the state store, the secrets from the secret store (through Dapr only),
/// both cached for <see cref="TenancyOptions.CacheTtl"/> so the hot path does not read secrets per request.
/// An unknown tenant is <c>null</c>; a store that cannot be read throws (the caller answers 503, not 404,
/// so Genesys retries instead of dropping the message).
/// </summary>
public sealed class TenantDirectory(DaprClient dapr, IOptions<TenancyOptions> options, TimeProvider time)
{
    private readonly ConcurrentDictionary<TenantKey, CacheEntry> _cache = new();

    public async Task<Tenant?> FindAsync(TenantKey key, CancellationToken cancellationToken)
    {
        var now = time.GetUtcNow();
        if (_cache.TryGetValue(key, out var cached) && cached.ExpiresAt > now)
        {
            return await cached.Lookup;
        }

        // One read in flight per tenant; concurrent callers share it.
        var entry = new CacheEntry(LoadAsync(key, cancellationToken), now + options.Value.CacheTtl);
        var winner = _cache.AddOrUpdate(key, entry, (_, existing) => existing.ExpiresAt > now ? existing : entry);
        try
        {
            return await winner.Lookup;
        }
        catch
        {
            _cache.TryRemove(new KeyValuePair<TenantKey, CacheEntry>(key, winner));
            throw;
        }
    }

    /// <summary>Forgets what is cached for a tenant, e.g. after its secret was rotated.</summary>
    public void Invalidate(TenantKey key) => _cache.TryRemove(key, out _);

    private async Task<Tenant?> LoadAsync(TenantKey key, CancellationToken cancellationToken)
    {
        var record = await dapr.GetStateAsync<TenantRecord?>(options.Value.StateStore, key.RecordStateKey, cancellationToken: cancellationToken);
        if (record is null || record.Key != key)
        {
            return null;
        }

        var secrets = await dapr.GetSecretAsync(options.Value.SecretStore, key.SecretName, cancellationToken: cancellationToken);
        return new Tenant(record, TenantSecrets.From(secrets.AsReadOnly()));
    }

    private sealed record CacheEntry(Task<Tenant?> Lookup, DateTimeOffset ExpiresAt);
}

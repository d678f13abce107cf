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
        if (!_cache.TryGetValue(key, out var winner) || winner.ExpiresAt <= now)
        {
            // One read in flight per tenant; concurrent callers share it. Lazy, so a losing entry never reads.
            var fresh = new CacheEntry(new Lazy<Task<Tenant?>>(() => LoadAsync(key)), now + options.Value.CacheTtl);
            winner = _cache.AddOrUpdate(key, fresh, (_, existing) => existing.ExpiresAt > now ? existing : fresh);
        }

        try
        {
            // Each caller waits with its own token: one caller giving up does not fail the others' shared read.
            return await winner.Lookup.Value.WaitAsync(cancellationToken);
        }
        catch when (!cancellationToken.IsCancellationRequested)
        {
            _cache.TryRemove(new KeyValuePair<TenantKey, CacheEntry>(key, winner));
            throw;
        }
    }

    /// <summary>Forgets what is cached for a tenant, e.g. after its secret was rotated.</summary>
    public void Invalidate(TenantKey key) => _cache.TryRemove(key, out _);

    private async Task<Tenant?> LoadAsync(TenantKey key)
    {
        // Shared by every waiting caller, so bounded by its own timeout rather than by any one caller's token.
        using var timeout = new CancellationTokenSource(options.Value.LoadTimeout, time);
        var record = await dapr.GetStateAsync<TenantRecord?>(options.Value.StateStore, key.RecordStateKey, cancellationToken: timeout.Token);
        if (record is null || record.Key != key)
        {
            return null;
        }

        var secrets = await dapr.GetSecretAsync(options.Value.SecretStore, key.SecretName, cancellationToken: timeout.Token);
        return new Tenant(record, TenantSecrets.From(secrets.AsReadOnly()));
    }

    private sealed record CacheEntry(Lazy<Task<Tenant?>> Lookup, DateTimeOffset ExpiresAt);
}

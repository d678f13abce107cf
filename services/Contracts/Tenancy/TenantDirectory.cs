using System.Collections.Concurrent;
using Dapr.Client;
using Microsoft.Extensions.Options;
using Prometheus;

namespace PolyAi.Messaging.Contracts;

/// <summary>
/// Finds tenants: the record from the state store, the secrets from the secret store (through Dapr only),
/// both cached for <see cref="TenancyOptions.CacheTtl"/> so the hot path does not read secrets per request.
/// An unknown tenant is <c>null</c>; a store that cannot be read throws (the caller answers 503, not 404,
/// so Genesys retries instead of dropping the message).
/// </summary>
/// <remarks>
/// Anyone can ask for a made-up tenant, so misses are what bounds the cache: a miss is kept only
/// <see cref="TenancyOptions.MissTtl"/>, and only while fewer than <see cref="TenancyOptions.MaxCachedTenants"/>
/// entries are held. When the cache is full (expired entries are swept at most once a second), a lookup goes to the
/// store uncached; a tenant it finds is cached anyway — real tenants are as many as the operator provisioned.
/// </remarks>
public sealed class TenantDirectory(DaprClient dapr, IOptions<TenancyOptions> options, TimeProvider time)
{
    private static readonly TimeSpan SweepInterval = TimeSpan.FromSeconds(1);

    private static readonly Gauge CachedEntries = Metrics.CreateGauge(
        "polyai_messaging_tenant_directory_entries",
        "Tenant lookups (found or not) the tenant directory holds in its cache; bounded by Tenancy:MaxCachedTenants for misses.");

    private readonly ConcurrentDictionary<TenantKey, CacheEntry> _cache = new();
    private readonly Lock _sweepLock = new();
    private DateTimeOffset _nextSweep;

    /// <summary>How many lookups the cache holds now, found or not.</summary>
    public int Count => _cache.Count;

    public async Task<Tenant?> FindAsync(TenantKey key, CancellationToken cancellationToken)
    {
        var now = time.GetUtcNow();
        if (!_cache.TryGetValue(key, out var winner) || !IsFresh(winner, now))
        {
            if (!HasRoom(now))
            {
                return await FindUncachedAsync(key, now, cancellationToken);
            }

            // One read in flight per tenant; concurrent callers share it. Lazy, so a losing entry never reads.
            var fresh = new CacheEntry(new Lazy<Task<Tenant?>>(() => LoadAsync(key)), now);
            winner = _cache.AddOrUpdate(key, fresh, (_, existing) => IsFresh(existing, now) ? existing : fresh);
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

    private async Task<Tenant?> FindUncachedAsync(TenantKey key, DateTimeOffset now, CancellationToken cancellationToken)
    {
        var tenant = await LoadAsync(key).WaitAsync(cancellationToken);
        if (tenant is not null)
        {
            _cache[key] = new CacheEntry(new Lazy<Task<Tenant?>>(Task.FromResult<Tenant?>(tenant)), now);
        }

        return tenant;
    }

    private bool HasRoom(DateTimeOffset now)
    {
        var count = _cache.Count;
        if (count < options.Value.MaxCachedTenants)
        {
            CachedEntries.Set(count);
            return true;
        }

        lock (_sweepLock)
        {
            if (now >= _nextSweep)
            {
                _nextSweep = now + SweepInterval;
                foreach (var (key, entry) in _cache)
                {
                    if (!IsFresh(entry, now))
                    {
                        _cache.TryRemove(new KeyValuePair<TenantKey, CacheEntry>(key, entry));
                    }
                }
            }
        }

        count = _cache.Count;
        CachedEntries.Set(count);
        return count < options.Value.MaxCachedTenants;
    }

    private bool IsFresh(CacheEntry entry, DateTimeOffset now)
    {
        var lookup = entry.Lookup;
        // Only a finished lookup is looked into (Result does not wait): one still loading is fresh for the full TTL.
        var isMiss = lookup.IsValueCreated && lookup.Value.IsCompletedSuccessfully && lookup.Value.Result is null;
        var ttl = isMiss && options.Value.MissTtl < options.Value.CacheTtl ? options.Value.MissTtl : options.Value.CacheTtl;
        return now < entry.CreatedAt + ttl;
    }

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

    private sealed record CacheEntry(Lazy<Task<Tenant?>> Lookup, DateTimeOffset CreatedAt);
}

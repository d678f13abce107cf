using System.Collections.Concurrent;
using System.Runtime.CompilerServices;
using Microsoft.Extensions.Options;
using PolyAi.Messaging.Contracts;

namespace PolyAi.Messaging.Verifier.Webhooks;

/// <summary>
/// How many verified webhooks are stored and published at once: <c>Verifier:MaxConcurrentRequests</c> in all, and
/// <c>Verifier:MaxConcurrentRequestsPerTenant</c> for any one tenant, so a tenant's burst leaves room for the others.
/// Only requests whose signature checked out get here: a caller without a tenant's secret, however slow or many,
/// never holds a permit. Past either limit the answer is 503 at once, which Genesys retries.
/// </summary>
public sealed class WebhookAdmission(IOptions<VerifierOptions> options)
{
    // One entry per tenant that had a verified webhook: bounded by the tenants registered, not by the callers.
    private readonly ConcurrentDictionary<TenantKey, StrongBox<int>> _perTenant = new();
    private int _total;

    /// <summary>Permits held now, in all.</summary>
    public int InFlight => Volatile.Read(ref _total);

    /// <returns>A permit to dispose when the work is done, or <c>null</c> when a limit is reached.</returns>
    public Permit? TryEnter(TenantKey tenant)
    {
        var limits = options.Value;
        var mine = _perTenant.GetOrAdd(tenant, static _ => new StrongBox<int>());
        if (Interlocked.Increment(ref mine.Value) > limits.MaxConcurrentRequestsPerTenant)
        {
            Interlocked.Decrement(ref mine.Value);
            return null;
        }

        if (Interlocked.Increment(ref _total) > limits.MaxConcurrentRequests)
        {
            Interlocked.Decrement(ref _total);
            Interlocked.Decrement(ref mine.Value);
            return null;
        }

        return new Permit(this, mine);
    }

    public sealed class Permit : IDisposable
    {
        private WebhookAdmission? _owner;
        private readonly StrongBox<int> _tenant;

        internal Permit(WebhookAdmission owner, StrongBox<int> tenant)
        {
            _owner = owner;
            _tenant = tenant;
        }

        public void Dispose()
        {
            if (Interlocked.Exchange(ref _owner, null) is { } owner)
            {
                Interlocked.Decrement(ref _tenant.Value);
                Interlocked.Decrement(ref owner._total);
            }
        }
    }
}

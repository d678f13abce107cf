using System.Collections.Concurrent;
using System.Diagnostics.CodeAnalysis;
using Dapr.Client;
using Microsoft.Extensions.Options;
using PolyAi.Messaging.Genesys;
using PolyAi.Messaging.Handoff.Sessions;

namespace PolyAi.Messaging.Handoff.Handoffs;

/// <summary>
/// One request budget per Genesys OAuth client (so per tenant), shared by every replica: Genesys allows
/// <see cref="HandoffOptions.GenesysRequestsPerMinute"/> a minute per client (Corrections 3). Each minute has a counter in
/// the state store; a replica takes <see cref="HandoffOptions.BudgetLeaseSize"/> requests at a time from it (one
/// etag-checked write per lease, not per call) and spends them locally. Customer calls may take leases while the
/// minute's total stays within <see cref="HandoffOptions.CustomerShare"/> of the limit, housekeeping (end detection,
/// reconciliation) only within <see cref="HandoffOptions.HousekeepingShare"/>, so customers' messages always find room.
/// At most the unspent part of one lease per replica and client is lost when a minute ends.
/// </summary>
public sealed partial class RequestBudget(DaprClient dapr, IOptions<HandoffOptions> options, IOptions<HandoffSessionOptions> sessionOptions, TimeProvider time, ILogger<RequestBudget> logger)
    : IGenesysRequestBudget
{
    private const int MaxClients = 10_000;
    private readonly ConcurrentDictionary<string, Lease> _leases = new(StringComparer.Ordinal);

    public async ValueTask<bool> TryTakeAsync(string clientKey, GenesysPriority priority, CancellationToken cancellationToken)
    {
        var settings = options.Value;
        var minute = time.GetUtcNow().ToUnixTimeSeconds() / 60;
        var lease = _leases.GetOrAdd(clientKey, _ => new Lease());
        await lease.Gate.WaitAsync(cancellationToken);
        try
        {
            if (lease.Minute != minute)
            {
                (lease.Minute, lease.Remaining) = (minute, 0);
                Prune(minute);
            }

            if (lease.Remaining > 0)
            {
                lease.Remaining--;
                return true;
            }

            var share = priority == GenesysPriority.Customer ? settings.CustomerShare : settings.HousekeepingShare;
            var limit = (int)(settings.GenesysRequestsPerMinute * share);
            var granted = await TakeLeaseAsync(clientKey, minute, settings.BudgetLeaseSize, limit, cancellationToken);
            if (granted == 0)
            {
                return false;
            }

            lease.Remaining = granted - 1;
            return true;
        }
        finally
        {
            lease.Gate.Release();
        }
    }

    /// <summary>How many requests of the minute this replica now holds: the lease size, what is left under the limit, or 0.</summary>
    [SuppressMessage("Security", "CA5394:Do not use insecure randomness", Justification = "Back-off jitter, not a secret.")]
    private async Task<int> TakeLeaseAsync(string clientKey, long minute, int size, int limit, CancellationToken cancellationToken)
    {
        var store = sessionOptions.Value.StateStore;
        var key = $"handoff/budget/{Uri.EscapeDataString(clientKey)}/{minute}";
        var metadata = new Dictionary<string, string> { ["ttlInSeconds"] = "180" };
        for (var attempt = 1; attempt <= 10; attempt++)
        {
            var (current, etag) = await dapr.GetStateAndETagAsync<BudgetMinute?>(store, key, cancellationToken: cancellationToken);
            var taken = current?.Taken ?? 0;
            var grant = Math.Min(size, limit - taken);
            if (grant <= 0)
            {
                return 0;
            }

            var saved = await dapr.TrySaveStateAsync(
                store, key, new BudgetMinute(taken + grant), etag ?? string.Empty,
                new StateOptions { Concurrency = ConcurrencyMode.FirstWrite }, metadata, cancellationToken);
            if (saved)
            {
                HandoffMetrics.BudgetTaken.Inc(grant);
                return grant;
            }

            await Task.Delay(TimeSpan.FromMilliseconds(Random.Shared.Next(2, 10) * attempt), time, cancellationToken);
        }

        LogLeaseContended();
        return 0;
    }

    // Leases of clients not used this minute are dropped once there are many (bounded memory).
    private void Prune(long minute)
    {
        if (_leases.Count <= MaxClients)
        {
            return;
        }

        foreach (var (key, lease) in _leases)
        {
            if (lease.Minute < minute)
            {
                _leases.TryRemove(key, out _);
            }
        }
    }

    private sealed class Lease
    {
        public SemaphoreSlim Gate { get; } = new(1, 1);

        public long Minute { get; set; } = -1;

        public int Remaining { get; set; }
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Could not take a Genesys request lease for this minute: other replicas kept winning")]
    private partial void LogLeaseContended();
}

/// <summary>Requests taken from one client's budget in one minute (all replicas).</summary>
public sealed record BudgetMinute(int Taken);

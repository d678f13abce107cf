using System.Collections.Concurrent;
using Microsoft.Extensions.Options;
using PolyAi.Messaging.Contracts;
using PolyAi.Messaging.Genesys;

namespace PolyAi.Messaging.Handoff.Handoffs;

/// <summary>
/// Are there agents on queue? Genesys queue observations (<c>oOnQueueUsers</c> of the queue, without the agents
/// that are not responding), reused for
/// <see cref="HandoffOptions.AvailabilityCacheTtl"/> so a burst of handoffs asks Genesys once.
/// </summary>
public sealed class Availability(IOptions<HandoffOptions> options, TimeProvider time)
{
    private readonly ConcurrentDictionary<(TenantKey Tenant, string QueueId), (long OnQueue, DateTimeOffset ExpiresAt)> _cache = new();

    public async Task<long> OnQueueAgentsAsync(TenantConnection connection, string queueId, CancellationToken cancellationToken)
    {
        var key = (connection.Tenant.Key, queueId);
        var now = time.GetUtcNow();
        if (_cache.TryGetValue(key, out var cached) && cached.ExpiresAt > now)
        {
            return cached.OnQueue;
        }

        var observations = await connection.Client.Analytics.QueryQueueObservationsAsync(
            QueueObservationQuery.ForQueue(queueId, ObservationMetrics.OnQueueUsers), cancellationToken);
        var onQueue = observations.AvailableAgents();
        _cache[key] = (onQueue, time.GetUtcNow() + options.Value.AvailabilityCacheTtl);
        return onQueue;
    }
}

using System.Diagnostics.CodeAnalysis;
using Dapr.Client;

namespace PolyAi.Messaging.Contracts;

/// <summary>What an optimistic read-modify-write of one state key came to.</summary>
public enum StateUpdate
{
    Saved,

    /// <summary>The change found nothing to do (e.g. a redelivered message already recorded).</summary>
    Unchanged,

    /// <summary>Other writers kept winning; the caller should ask for a redelivery.</summary>
    Conflict,
}

/// <summary>Read with the etag, change, save only if nobody saved in between; else read again.</summary>
public static class OptimisticState
{
    /// <param name="change">The new value from the current one (<c>null</c> if the key does not exist yet);
    /// return <c>null</c> when there is nothing to save.</param>
    public static async Task<StateUpdate> UpdateAsync<T>(
        this DaprClient dapr, string store, string key, Func<T?, T?> change, int maxAttempts, TimeProvider time, CancellationToken cancellationToken)
        where T : class
    {
        for (var attempt = 1; attempt <= maxAttempts; attempt++)
        {
            var (current, etag) = await dapr.GetStateAndETagAsync<T?>(store, key, cancellationToken: cancellationToken);
            if (change(current) is not { } updated)
            {
                return StateUpdate.Unchanged;
            }

            // FirstWrite: with an empty etag (no value yet) the save succeeds only if the key still does not
            // exist, so two first writers cannot overwrite each other.
            var saved = await dapr.TrySaveStateAsync(
                store, key, updated, etag ?? string.Empty,
                new StateOptions { Concurrency = ConcurrencyMode.FirstWrite },
                cancellationToken: cancellationToken);
            if (saved)
            {
                return StateUpdate.Saved;
            }

            if (attempt < maxAttempts)
            {
                await BackOffAsync(attempt, time, cancellationToken);
            }
        }

        return StateUpdate.Conflict;
    }

    /// <summary>Jittered back-off after a lost race, growing with <paramref name="attempt"/>, so writers racing for the
    /// same key (or transaction) do not collide again in lock step.</summary>
    [SuppressMessage("Security", "CA5394:Do not use insecure randomness", Justification = "Back-off jitter, not a secret.")]
    public static Task BackOffAsync(int attempt, TimeProvider time, CancellationToken cancellationToken) =>
        Task.Delay(TimeSpan.FromMilliseconds(Random.Shared.Next(5, 25) * attempt), time, cancellationToken);
}

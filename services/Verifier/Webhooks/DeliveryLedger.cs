using System.Globalization;
using Dapr.Client;
using Microsoft.Extensions.Options;
using PolyAi.Messaging.Contracts;

namespace PolyAi.Messaging.Verifier.Webhooks;

/// <summary>Where a delivery stands: never seen, being published (or failed to be), or published.</summary>
public enum DeliveryState
{
    New,
    Pending,
    Published,
}

/// <summary>The value stored under a dedupe key.</summary>
public sealed record DeliveryRecord(string Status)
{
    public const string PendingStatus = "pending";
    public const string PublishedStatus = "published";

    public static DeliveryRecord Pending { get; } = new(PendingStatus);
    public static DeliveryRecord Published { get; } = new(PublishedStatus);
}

/// <summary>
/// Remembers Genesys notification ids in the state store (with a TTL) so a retried delivery of a published
/// notification is acknowledged without publishing it again. Only <see cref="DeliveryState.Published"/> stops a
/// publish: a pending key may be a delivery whose publish failed, and a dedupe key must never swallow a message.
/// </summary>
public sealed class DeliveryLedger(DaprClient dapr, IOptions<VerifierOptions> options)
{
    private static readonly StateOptions InsertOnly = new() { Concurrency = ConcurrencyMode.FirstWrite };

    public static string StateKey(TenantKey tenant, string notificationId) =>
        $"verifier/dedupe/{tenant.AccountId}/{tenant.ProjectId}/{tenant.ClientEnv}/{Uri.EscapeDataString(notificationId)}";

    public async Task<DeliveryState> ClaimAsync(TenantKey tenant, string notificationId, CancellationToken cancellationToken)
    {
        var key = StateKey(tenant, notificationId);
        // Empty etag + first-write: the save succeeds only if the key does not exist yet.
        if (await dapr.TrySaveStateAsync(options.Value.StateStore, key, DeliveryRecord.Pending, string.Empty, InsertOnly, TtlMetadata(), cancellationToken))
        {
            return DeliveryState.New;
        }

        var existing = await dapr.GetStateAsync<DeliveryRecord?>(options.Value.StateStore, key, cancellationToken: cancellationToken);
        return existing?.Status == DeliveryRecord.PublishedStatus ? DeliveryState.Published : DeliveryState.Pending;
    }

    public Task MarkPublishedAsync(TenantKey tenant, string notificationId, CancellationToken cancellationToken) =>
        dapr.SaveStateAsync(options.Value.StateStore, StateKey(tenant, notificationId), DeliveryRecord.Published, metadata: TtlMetadata(), cancellationToken: cancellationToken);

    /// <summary>Forgets a delivery whose publish failed, so the retry Genesys sends is not taken for a duplicate.</summary>
    public Task ReleaseAsync(TenantKey tenant, string notificationId, CancellationToken cancellationToken) =>
        dapr.DeleteStateAsync(options.Value.StateStore, StateKey(tenant, notificationId), cancellationToken: cancellationToken);

    // Built once: the TTL is start-up configuration, and the client only reads the metadata.
    private readonly Dictionary<string, string> _ttlMetadata = new()
    {
        ["ttlInSeconds"] = ((long)options.Value.DedupeTtl.TotalSeconds).ToString(CultureInfo.InvariantCulture),
    };

    private Dictionary<string, string> TtlMetadata() => _ttlMetadata;
}

using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.Time.Testing;
using PolyAi.Messaging.Genesys;
using PolyAi.Messaging.Handoff.Handoffs;
using PolyAi.Messaging.Handoff.Sessions;

namespace PolyAi.Messaging.Handoff.Tests;

/// <summary>One Genesys request budget per OAuth client, shared by every replica through the state store (Corrections 3).</summary>
[Collection(NotificationsCollection.Name)]
public sealed class RequestBudgetTests(NotificationsFixture fixture)
{
    private static readonly HandoffOptions Limits = new() { GenesysRequestsPerMinute = 300, CustomerShare = 0.9, HousekeepingShare = 0.5, BudgetLeaseSize = 10 };

    private RequestBudget Replica(TimeProvider time) =>
        new(fixture.Dapr, Options.Create(Limits), Options.Create(new HandoffSessionOptions()), time, NullLogger<RequestBudget>.Instance);

    private static async Task<int> TakeAllAsync(RequestBudget budget, string client, GenesysPriority priority, int most = 1000)
    {
        var taken = 0;
        while (taken < most && await budget.TryTakeAsync(client, priority, CancellationToken.None))
        {
            taken++;
        }

        return taken;
    }

    [Fact]
    public async Task Two_replicas_share_one_clients_minute_and_housekeeping_leaves_room_for_customers()
    {
        var time = new FakeTimeProvider(new DateTimeOffset(2026, 12, 2, 10, 0, 5, TimeSpan.Zero));
        var (a, b) = (Replica(time), Replica(time));
        var client = $"api.example|client-{Guid.NewGuid():N}";

        // Housekeeping from both replicas stops at half the limit, leases and all.
        var housekeeping = await TakeAllAsync(a, client, GenesysPriority.Housekeeping) + await TakeAllAsync(b, client, GenesysPriority.Housekeeping);
        Assert.Equal(150, housekeeping);

        // Customers still get the rest of their share (90 %), whichever replica asks.
        var customers = await TakeAllAsync(b, client, GenesysPriority.Customer) + await TakeAllAsync(a, client, GenesysPriority.Customer);
        Assert.Equal(270 - 150, customers);
        Assert.False(await a.TryTakeAsync(client, GenesysPriority.Customer, CancellationToken.None));

        // Another client has its own budget; the next minute starts again.
        Assert.True(await a.TryTakeAsync($"api.example|other-{Guid.NewGuid():N}", GenesysPriority.Housekeeping, CancellationToken.None));
        time.Advance(TimeSpan.FromMinutes(1));
        Assert.Equal(150, await TakeAllAsync(a, client, GenesysPriority.Housekeeping));
    }
}

using Microsoft.Extensions.Time.Testing;
using PolyAi.Messaging.DevSidecar.Tests.Support;

namespace PolyAi.Messaging.DevSidecar.Tests;

public sealed class StateTimeToLiveTests : SidecarTestBase
{
    private readonly FakeTimeProvider _time = new(new DateTimeOffset(2026, 11, 25, 12, 0, 0, TimeSpan.Zero));

    public override Task InitializeAsync() => StartSidecarAsync(agentUrl: null, _time);

    [Fact]
    public async Task State_saved_with_ttlInSeconds_disappears_once_that_time_has_passed()
    {
        var ttl = new Dictionary<string, string> { ["ttlInSeconds"] = "60" };
        await Verifier.SaveStateAsync(ComponentsDirectory.StateStore, "session", new Order(1), metadata: ttl);

        _time.Advance(TimeSpan.FromSeconds(59));
        Assert.Equal(new Order(1), await Verifier.GetStateAsync<Order>(ComponentsDirectory.StateStore, "session"));

        _time.Advance(TimeSpan.FromSeconds(1));
        Assert.Null(await Verifier.GetStateAsync<Order>(ComponentsDirectory.StateStore, "session"));
    }
}

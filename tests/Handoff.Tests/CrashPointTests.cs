using PolyAi.Messaging.ServiceDefaults;

namespace PolyAi.Messaging.Handoff.Tests;

/// <summary>The crash matrix's kill switch arms only on an exact, known point name; anything else arms nothing.</summary>
public sealed class CrashPointTests
{
    [Theory]
    [InlineData(null)]
    [InlineData("")]
    [InlineData("handoff.start.after")]            // not a point
    [InlineData("HANDOFF.START.AFTER-LINK")]       // names are exact
    [InlineData("handoff.start.after-link@0")]     // times count from 1
    [InlineData("handoff.start.after-link@-1")]
    [InlineData("handoff.start.after-link@two")]
    [InlineData("handoff.start.after-link@ 2")]
    public void Anything_but_a_known_point_arms_nothing(string? setting) => Assert.Null(CrashPoints.ParseSetting(setting));

    [Theory]
    [InlineData("handoff.start.after-link", "handoff.start.after-link", 1)]
    [InlineData("verifier.webhook.after-claim@20", "verifier.webhook.after-claim", 20)]
    public void A_known_point_arms_for_its_time(string setting, string point, int at) =>
        Assert.Equal((point, at), CrashPoints.ParseSetting(setting));

    [Fact]
    public void Every_point_is_named_once_after_its_process() =>
        Assert.All(CrashPoints.All, point =>
        {
            Assert.Single(CrashPoints.All, p => p == point);
            Assert.Matches("^(edge|verifier|agent|handoff)\\.[a-z]+\\.[a-z-]+$", point);
        });
}

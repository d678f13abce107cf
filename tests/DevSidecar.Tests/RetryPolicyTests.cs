using PolyAi.Messaging.DevSidecar.Components;

namespace PolyAi.Messaging.DevSidecar.Tests;

public sealed class RetryPolicyTests
{
    [Fact]
    public void Exponential_policy_grows_to_its_cap_and_stops_after_maxRetries()
    {
        var policy = RetryPolicy.FromYaml("p", new RetryYaml { Policy = "exponential", Duration = "100ms", MaxInterval = "200ms", MaxRetries = 3 });

        Assert.Equal(TimeSpan.FromMilliseconds(100), policy.DelayBefore(1));
        Assert.Equal(TimeSpan.FromMilliseconds(150), policy.DelayBefore(2));
        Assert.Equal(TimeSpan.FromMilliseconds(200), policy.DelayBefore(3));
        Assert.Null(policy.DelayBefore(4));
    }

    [Fact]
    public void Default_inbound_policy_retries_forever()
    {
        Assert.Equal(TimeSpan.FromMilliseconds(200), RetryPolicy.DefaultInbound.DelayBefore(1));
        Assert.Equal(TimeSpan.FromSeconds(5), RetryPolicy.DefaultInbound.DelayBefore(10_000));
    }

    [Theory]
    [InlineData("20ms", 20)]
    [InlineData("5s", 5000)]
    [InlineData("1m30s", 90_000)]
    public void Go_durations_are_read_as_Dapr_writes_them(string text, int milliseconds)
    {
        Assert.Equal(TimeSpan.FromMilliseconds(milliseconds), GoDuration.Parse(text));
    }
}

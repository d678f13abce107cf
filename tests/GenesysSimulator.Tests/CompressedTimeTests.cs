using System.Diagnostics;

namespace PolyAi.Messaging.GenesysSimulator.Tests;

public sealed class CompressedTimeTests
{
    [Fact]
    public async Task A_delay_ends_after_its_length_divided_by_the_scale()
    {
        var time = new CompressedTime(20, DateTimeOffset.UtcNow);
        var watch = Stopwatch.StartNew();

        await Task.Delay(TimeSpan.FromSeconds(4), time);

        Assert.InRange(watch.Elapsed, TimeSpan.FromMilliseconds(150), TimeSpan.FromSeconds(2));
    }

    [Fact]
    public void Two_instances_with_one_epoch_agree_on_the_time()
    {
        var epoch = DateTimeOffset.UtcNow.AddSeconds(-30);
        var one = new CompressedTime(10, epoch);
        var other = new CompressedTime(10, epoch);

        var difference = (other.GetUtcNow() - one.GetUtcNow()).Duration();

        Assert.True(difference < TimeSpan.FromSeconds(1), $"{difference}");
        Assert.InRange(one.GetUtcNow() - epoch, TimeSpan.FromSeconds(299), TimeSpan.FromSeconds(320));
    }
}

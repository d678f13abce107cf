namespace PolyAi.Messaging.LoadTest.Tests;

public sealed class LatencyHistogramTests
{
    [Fact]
    public void Percentiles_are_within_the_bucket_precision_of_the_true_values()
    {
        var histogram = new LatencyHistogram();
        for (var us = 1; us <= 100_000; us++)
        {
            histogram.Record(us);
        }

        foreach (var (percentile, truth) in new[] { (50.0, 50_000), (90.0, 90_000), (99.0, 99_000), (99.9, 99_900) })
        {
            var measured = histogram.PercentileMicroseconds(percentile);
            Assert.InRange(measured, truth, truth * 1.016);
        }

        Assert.Equal(100_000, histogram.Count);
        Assert.Equal(100_000, histogram.MaxMicroseconds);
        Assert.Equal(1, histogram.MinMicroseconds);
    }

    [Fact]
    public void Small_values_are_exact_and_buckets_are_contiguous()
    {
        for (long v = 0; v < 1_000_000; v += 7)
        {
            var index = LatencyHistogram.IndexOf(v);
            Assert.True(LatencyHistogram.HighestEquivalent(index) >= v);
            Assert.True(index == 0 || LatencyHistogram.HighestEquivalent(index - 1) < v);
        }

        var histogram = new LatencyHistogram();
        histogram.Record(42);
        Assert.Equal(42, histogram.PercentileMicroseconds(99.9));
    }
}

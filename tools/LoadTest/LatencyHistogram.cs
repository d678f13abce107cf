using System.Numerics;

namespace PolyAi.Messaging.LoadTest;

/// <summary>
/// An HDR-style latency histogram in microseconds: log-linear buckets (each power of two split into 64 linear
/// sub-buckets, so any recorded value is within 1/64 ≈ 1.6 % of the truth) from 1 µs to about 18 hours.
/// Recording is lock-free (one interlocked increment), so every sender records into the same histogram.
/// </summary>
public sealed class LatencyHistogram
{
    private const int SubBucketBits = 6;
    private const int SubBuckets = 1 << SubBucketBits;
    private const int MaxMagnitude = 36;

    private readonly long[] _counts = new long[(MaxMagnitude - SubBucketBits + 2) * SubBuckets];
    private long _total;
    private long _sum;
    private long _max;
    private long _min = long.MaxValue;

    public long Count => Interlocked.Read(ref _total);

    public double MeanMicroseconds => Count == 0 ? 0 : (double)Interlocked.Read(ref _sum) / Count;

    public long MaxMicroseconds => Count == 0 ? 0 : Interlocked.Read(ref _max);

    public long MinMicroseconds => Count == 0 ? 0 : Interlocked.Read(ref _min);

    public void Record(TimeSpan elapsed) => Record((long)(elapsed.Ticks / (double)TimeSpan.TicksPerMicrosecond));

    public void Record(long microseconds)
    {
        var value = Math.Clamp(microseconds, 0, (1L << MaxMagnitude) - 1);
        Interlocked.Increment(ref _counts[IndexOf(value)]);
        Interlocked.Increment(ref _total);
        Interlocked.Add(ref _sum, value);
        long seen;
        while (value > (seen = Interlocked.Read(ref _max)) && Interlocked.CompareExchange(ref _max, value, seen) != seen)
        {
        }

        while (value < (seen = Interlocked.Read(ref _min)) && Interlocked.CompareExchange(ref _min, value, seen) != seen)
        {
        }
    }

    /// <summary>The value at or below which <paramref name="percentile"/> % of the recorded values fall (bucket's upper edge).</summary>
    public long PercentileMicroseconds(double percentile)
    {
        var total = Count;
        if (total == 0)
        {
            return 0;
        }

        var rank = Math.Max(1, (long)Math.Ceiling(percentile / 100.0 * total));
        long seen = 0;
        for (var i = 0; i < _counts.Length; i++)
        {
            seen += Interlocked.Read(ref _counts[i]);
            if (seen >= rank)
            {
                return Math.Min(HighestEquivalent(i), MaxMicroseconds);
            }
        }

        return MaxMicroseconds;
    }

    public double PercentileMilliseconds(double percentile) => PercentileMicroseconds(percentile) / 1000.0;

    internal static int IndexOf(long value)
    {
        if (value < 2 * SubBuckets)
        {
            return (int)value;
        }

        var magnitude = 63 - BitOperations.LeadingZeroCount((ulong)value);
        var shift = magnitude - SubBucketBits;
        return ((shift + 1) * SubBuckets) + (int)((value >> shift) - SubBuckets);
    }

    internal static long HighestEquivalent(int index)
    {
        if (index < 2 * SubBuckets)
        {
            return index;
        }

        var shift = (index / SubBuckets) - 1;
        var sub = (long)((index % SubBuckets) + SubBuckets);
        return (sub << shift) + (1L << shift) - 1;
    }
}

using System.Collections.Concurrent;

namespace PolyAi.Messaging.LoadTest;

/// <summary>What one measured phase saw: answers by status, transport errors, latencies, and the processes' cost.</summary>
public sealed class LoadResult(string name, string target)
{
    private readonly ConcurrentDictionary<int, long> _statuses = new();
    private long _errors;
    private long _unsent;

    public string Name { get; } = name;

    /// <summary>What was measured, e.g. "bare Kestrel" or "edge → verifier → dedupe → publish".</summary>
    public string Target { get; } = target;

    /// <summary>The requested rate; null = flat out (closed loop, one request per connection at a time).</summary>
    public double? Rate { get; init; }

    public int Connections { get; init; }

    public TimeSpan Duration { get; set; }

    public LatencyHistogram Latency { get; } = new();

    /// <summary>How long after the last answer the processes kept working (pub/sub deliveries still being consumed).</summary>
    public TimeSpan Backlog { get; set; }

    public IReadOnlyDictionary<int, long> StatusCounts => _statuses;

    /// <summary>Requests that got no HTTP answer (connection refused or reset, timeout).</summary>
    public long TransportErrors => Interlocked.Read(ref _errors);

    /// <summary>Fixed-rate requests never sent because too many were already waiting (the target fell behind).</summary>
    public long Unsent => Interlocked.Read(ref _unsent);

    public long Answered => _statuses.Values.Sum();

    public long Accepted => _statuses.Where(s => s.Key is >= 200 and < 300).Sum(s => s.Value);

    public long ServerErrors => _statuses.Where(s => s.Key >= 500).Sum(s => s.Value);

    public double Throughput => Duration > TimeSpan.Zero ? Accepted / Duration.TotalSeconds : 0;

    /// <summary>CPU time and memory of each process during the phase, by name.</summary>
    public IList<ProcessUsage> Processes { get; } = new List<ProcessUsage>();

    /// <summary>For the end-to-end phase: from when each webhook was due to its message on the customer's stream.</summary>
    public LatencyHistogram? Delivery { get; set; }

    /// <summary>For the end-to-end phase: messages sent whose delivery never showed on the stream.</summary>
    public long Undelivered { get; set; }

    public void Count(int status) => _statuses.AddOrUpdate(status, 1, (_, n) => n + 1);

    public void CountError() => Interlocked.Increment(ref _errors);

    public void CountUnsent() => Interlocked.Increment(ref _unsent);
}

namespace PolyAi.Messaging.GenesysSimulator;

/// <summary>
/// Compressed time for benchmarks (<c>--time-scale 10 --time-epoch &lt;unix ms&gt;</c>): now = epoch + (real − epoch) ×
/// scale, timers fire after due / scale. The services have their own (the stand-in shares no code with the product);
/// started with the same epoch and scale, both sides agree on the time.
/// </summary>
public sealed class CompressedTime(double scale, DateTimeOffset epoch, TimeProvider? real = null) : TimeProvider
{
    private readonly TimeProvider _real = real ?? System;

    public double Scale { get; } = scale > 0 ? scale : throw new ArgumentOutOfRangeException(nameof(scale), scale, "must be positive");

    public DateTimeOffset Epoch { get; } = epoch;

    public override DateTimeOffset GetUtcNow() => Epoch + (_real.GetUtcNow() - Epoch) * Scale;

    public override long TimestampFrequency => _real.TimestampFrequency;

    public override long GetTimestamp() => (long)(_real.GetTimestamp() * Scale);

    public override ITimer CreateTimer(TimerCallback callback, object? state, TimeSpan dueTime, TimeSpan period) =>
        new Timer(_real.CreateTimer(callback, state, Real(dueTime), Real(period)), this);

    private TimeSpan Real(TimeSpan simulated) =>
        simulated == Timeout.InfiniteTimeSpan || simulated <= TimeSpan.Zero ? simulated : simulated / Scale;

    private sealed class Timer(ITimer inner, CompressedTime time) : ITimer
    {
        public bool Change(TimeSpan dueTime, TimeSpan period) => inner.Change(time.Real(dueTime), time.Real(period));

        public void Dispose() => inner.Dispose();

        public ValueTask DisposeAsync() => inner.DisposeAsync();
    }
}

namespace PolyAi.Messaging.ServiceDefaults.Time;

/// <summary>
/// Compressed time for benchmarks: the clock runs <see cref="Scale"/> times faster than real time from a shared
/// <see cref="Epoch"/> (now = epoch + (real − epoch) × scale), and timers fire after due / scale real time. Every
/// process started with the same epoch and scale agrees on the time, so a 30-minute run takes 3 real minutes at 10×.
/// Never in production: the services register it only when <c>Time:Scale</c> is set (<see cref="TimeOptions"/>).
/// </summary>
public sealed class ScaledTimeProvider : TimeProvider
{
    private readonly TimeProvider _real;

    public ScaledTimeProvider(double scale, DateTimeOffset epoch, TimeProvider? real = null)
    {
        ArgumentOutOfRangeException.ThrowIfLessThanOrEqual(scale, 0);
        Scale = scale;
        Epoch = epoch;
        _real = real ?? System;
    }

    public double Scale { get; }

    public DateTimeOffset Epoch { get; }

    public override DateTimeOffset GetUtcNow() => Epoch + (_real.GetUtcNow() - Epoch) * Scale;

    public override long TimestampFrequency => _real.TimestampFrequency;

    public override long GetTimestamp() => (long)(_real.GetTimestamp() * Scale);

    public override ITimer CreateTimer(TimerCallback callback, object? state, TimeSpan dueTime, TimeSpan period) =>
        new ScaledTimer(_real.CreateTimer(callback, state, Real(dueTime), Real(period)), this);

    /// <summary>Simulated → real duration; infinite stays infinite.</summary>
    private TimeSpan Real(TimeSpan simulated) =>
        simulated == Timeout.InfiniteTimeSpan || simulated <= TimeSpan.Zero ? simulated : simulated / Scale;

    private sealed class ScaledTimer(ITimer inner, ScaledTimeProvider time) : ITimer
    {
        public bool Change(TimeSpan dueTime, TimeSpan period) => inner.Change(time.Real(dueTime), time.Real(period));

        public void Dispose() => inner.Dispose();

        public ValueTask DisposeAsync() => inner.DisposeAsync();
    }
}

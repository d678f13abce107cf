namespace PolyAi.Messaging.ServiceDefaults;

/// <summary>
/// How many lines of one kind may be logged: <c>burst</c> at once, then one per <c>interval</c>. For lines anyone can
/// cause (a rejected request), so a flood costs a few lines, not a line per request; what was held back is counted
/// and handed to the next line that may be written, so the log still says how much happened.
/// </summary>
public sealed class LogBudget(int burst, TimeSpan interval, TimeProvider time)
{
    private readonly TokenBucket _bucket = new(burst, 1 / interval.TotalSeconds, time.GetTimestamp());
    private long _suppressed;

    /// <summary>
    /// True when this line may be written; <paramref name="suppressedBefore"/> is then how many were held back since
    /// the last one written.
    /// </summary>
    public bool TryTake(out long suppressedBefore)
    {
        if (_bucket.TryTake(time.GetTimestamp(), time))
        {
            suppressedBefore = Interlocked.Exchange(ref _suppressed, 0);
            return true;
        }

        Interlocked.Increment(ref _suppressed);
        suppressedBefore = 0;
        return false;
    }
}

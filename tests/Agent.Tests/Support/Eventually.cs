namespace PolyAi.Messaging.Testing;

/// <summary>Polls until a condition holds or a deadline passes: the only way tests wait for asynchronous delivery.</summary>
public static class Eventually
{
    public static readonly TimeSpan DefaultTimeout = TimeSpan.FromSeconds(15);

    public static async Task<T> Until<T>(Func<Task<T>> probe, Func<T, bool> done, string what, TimeSpan? timeout = null)
    {
        var deadline = DateTimeOffset.UtcNow + (timeout ?? DefaultTimeout);
        while (true)
        {
            var value = await probe();
            if (done(value))
            {
                return value;
            }

            if (DateTimeOffset.UtcNow > deadline)
            {
                throw new TimeoutException($"Timed out waiting for {what}; last seen: {value}");
            }

            await Task.Delay(TimeSpan.FromMilliseconds(25));
        }
    }

    /// <summary>The same, for a probe that needs no I/O.</summary>
    public static Task<T> UntilSeen<T>(Func<T> probe, Func<T, bool> done, string what, TimeSpan? timeout = null) =>
        Until(() => Task.FromResult(probe()), done, what, timeout);
}

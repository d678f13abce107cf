namespace PolyAi.Messaging.Testing;

/// <summary>
/// Polls until a condition holds or a deadline passes: the only way tests wait for something asynchronous.
/// A miss throws <see cref="TimeoutException"/> naming what was awaited and the last value seen.
/// </summary>
public static class Eventually
{
    public static readonly TimeSpan DefaultTimeout = TimeSpan.FromSeconds(15);

    private static readonly TimeSpan Interval = TimeSpan.FromMilliseconds(20);

    /// <summary>Reads <paramref name="probe"/> until <paramref name="done"/> holds for its value, and returns that value.</summary>
    public static async Task<T> Until<T>(
        Func<Task<T>> probe, Func<T, bool> done, string what, TimeSpan? timeout = null, Func<T, string>? describe = null)
    {
        var within = timeout ?? DefaultTimeout;
        var deadline = DateTimeOffset.UtcNow + within;
        while (true)
        {
            var value = await probe();
            if (done(value))
            {
                return value;
            }

            if (DateTimeOffset.UtcNow > deadline)
            {
                var seen = describe is null ? value?.ToString() : describe(value);
                throw new TimeoutException($"Timed out after {within.TotalSeconds:0.#} s waiting for {what}; last seen: {seen}");
            }

            await Task.Delay(Interval);
        }
    }

    /// <summary>The same, with the explanation of a miss drawn from the last value (logs, counts) instead of a name.</summary>
    public static Task<T> Until<T>(Func<Task<T>> probe, Func<T, bool> done, TimeSpan timeout, Func<T, string> describe) =>
        Until(probe, done, "the condition", timeout, describe);

    /// <summary>The same, for a probe that needs no I/O.</summary>
    public static Task<T> UntilSeen<T>(Func<T> probe, Func<T, bool> done, string what, TimeSpan? timeout = null) =>
        Until(() => Task.FromResult(probe()), done, what, timeout);

    /// <summary>Until a condition holds.</summary>
    public static Task Until(Func<bool> condition, string what, TimeSpan? timeout = null) =>
        UntilSeen(condition, holds => holds, what, timeout);

    /// <summary>Until a condition that needs I/O holds.</summary>
    public static Task Until(Func<Task<bool>> condition, string what, TimeSpan? timeout = null) =>
        Until(condition, holds => holds, what, timeout);

    /// <summary>Until the probe gives something, and returns it.</summary>
    public static async Task<T> Get<T>(Func<T?> probe, string what, TimeSpan? timeout = null)
        where T : class =>
        (await UntilSeen(probe, value => value is not null, what, timeout))!;

    /// <summary>Until the probe, which needs I/O, gives something, and returns it.</summary>
    public static async Task<T> GetAsync<T>(Func<Task<T?>> probe, string what, TimeSpan? timeout = null)
        where T : class =>
        (await Until(probe, value => value is not null, what, timeout))!;
}

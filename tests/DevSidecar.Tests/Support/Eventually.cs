namespace PolyAi.Messaging.DevSidecar.Tests.Support;

/// <summary>Polls a condition until it holds or a deadline passes — the only way these tests wait.</summary>
internal static class Eventually
{
    private static readonly TimeSpan DefaultTimeout = TimeSpan.FromSeconds(10);

    public static Task<T> Until<T>(Func<T> probe, Func<T, bool> condition, string what, TimeSpan? timeout = null) =>
        Until(() => Task.FromResult(probe()), condition, what, timeout);

    public static async Task<T> Until<T>(Func<Task<T>> probe, Func<T, bool> condition, string what, TimeSpan? timeout = null)
    {
        var deadline = DateTime.UtcNow + (timeout ?? DefaultTimeout);
        while (true)
        {
            var value = await probe();
            if (condition(value))
            {
                return value;
            }

            if (DateTime.UtcNow > deadline)
            {
                throw new TimeoutException($"timed out waiting for {what}");
            }

            await Task.Delay(TimeSpan.FromMilliseconds(20));
        }
    }

    public static Task Until(Func<bool> condition, string what, TimeSpan? timeout = null) =>
        Until(condition, holds => holds, what, timeout);
}

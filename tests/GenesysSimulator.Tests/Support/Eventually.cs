namespace PolyAi.Messaging.GenesysSimulator.Tests.Support;

/// <summary>Polls a condition until it holds or a deadline passes — the tests' only way to wait.</summary>
internal static class Eventually
{
    public static async Task<T> Get<T>(Func<T?> probe, string what, int timeoutMs = 10_000)
        where T : class
    {
        var deadline = DateTime.UtcNow.AddMilliseconds(timeoutMs);
        while (true)
        {
            if (probe() is { } value)
            {
                return value;
            }

            if (DateTime.UtcNow > deadline)
            {
                throw new TimeoutException($"timed out waiting for {what}");
            }

            await Task.Delay(20);
        }
    }

    public static async Task<T> GetAsync<T>(Func<Task<T?>> probe, string what, int timeoutMs = 10_000)
        where T : class
    {
        var deadline = DateTime.UtcNow.AddMilliseconds(timeoutMs);
        while (true)
        {
            if (await probe() is { } value)
            {
                return value;
            }

            if (DateTime.UtcNow > deadline)
            {
                throw new TimeoutException($"timed out waiting for {what}");
            }

            await Task.Delay(20);
        }
    }

    public static Task True(Func<bool> condition, string what, int timeoutMs = 10_000) =>
        Get(() => condition() ? "ok" : null, what, timeoutMs);
}

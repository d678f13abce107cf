namespace PolyAi.Messaging.EndToEnd.Tests;

/// <summary>Polls a condition until it holds or a deadline passes: the only way these tests wait.</summary>
public static class Eventually
{
    public static async Task<T> HoldsAsync<T>(Func<Task<T>> probe, Func<T, bool> condition, TimeSpan within, Func<T, string> explain)
    {
        var deadline = DateTime.UtcNow + within;
        using var poll = new PeriodicTimer(TimeSpan.FromMilliseconds(50));
        while (true)
        {
            var value = await probe();
            if (condition(value))
            {
                return value;
            }

            if (DateTime.UtcNow > deadline)
            {
                Assert.Fail($"Still not true after {within.TotalSeconds:0} s: {explain(value)}");
            }

            await poll.WaitForNextTickAsync();
        }
    }
}

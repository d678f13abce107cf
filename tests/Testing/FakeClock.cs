using Microsoft.Extensions.Time.Testing;

namespace PolyAi.Messaging.Testing;

/// <summary>Drives a <see cref="FakeTimeProvider"/> for code whose timers are armed at moments a test cannot see.</summary>
public static class FakeClock
{
    /// <summary>
    /// Advances <paramref name="time"/> by <paramref name="step"/> until <paramref name="work"/> ends, and returns how
    /// much fake time that took. A timer armed at any moment fires once fake time passes its due time, so the result
    /// is exact to one step: a 1 s wait measures between 1 s and 1 s + step, however slow the machine.
    /// </summary>
    public static async Task<TimeSpan> AdvanceUntilDoneAsync(FakeTimeProvider time, Task work, TimeSpan step, TimeSpan? limit = null)
    {
        var started = time.GetUtcNow();
        var giveUp = limit ?? TimeSpan.FromMinutes(10);
        var realDeadline = DateTimeOffset.UtcNow + Eventually.DefaultTimeout;
        while (!work.IsCompleted)
        {
            if (time.GetUtcNow() - started > giveUp || DateTimeOffset.UtcNow > realDeadline)
            {
                throw new TimeoutException($"Still running after {time.GetUtcNow() - started} of fake time");
            }

            time.Advance(step);
            // Let the continuations the advance released run before the next step.
            await Task.WhenAny(work, Task.Delay(TimeSpan.FromMilliseconds(2)));
        }

        return time.GetUtcNow() - started;
    }
}

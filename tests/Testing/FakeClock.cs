using Microsoft.Extensions.Time.Testing;

namespace PolyAi.Messaging.Testing;

/// <summary>Drives a <see cref="FakeTimeProvider"/> for code whose timers are armed at moments a test cannot see.</summary>
public static class FakeClock
{
    /// <summary>
    /// Advances <paramref name="time"/> by <paramref name="step"/> every <paramref name="step"/> of real time until
    /// <paramref name="work"/> ends, and returns how much fake time that took. A timer armed at any moment fires only
    /// once fake time passes its due time, so the result is never below the waits the code made on the clock (a 1 s
    /// Retry-After measures at least 1 s); it is above them by about the real time spent in I/O meanwhile (fake time
    /// keeps the pace of real time), so upper bounds need slack for a loaded machine.
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
            // Real time for what the advance released (and any I/O) before the next step.
            await Task.WhenAny(work, Task.Delay(step));
        }

        return time.GetUtcNow() - started;
    }
}

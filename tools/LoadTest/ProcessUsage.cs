using System.Globalization;

namespace PolyAi.Messaging.LoadTest;

/// <summary>One process's CPU time over a phase and its memory at the end of it.</summary>
/// <param name="CpuSeconds">User + system CPU time spent during the phase.</param>
/// <param name="WorkingSetMiB">Resident set (<c>VmRSS</c>) at the end of the phase.</param>
/// <param name="PeakWorkingSetMiB">Highest resident set since the process started (<c>VmHWM</c>).</param>
public sealed record ProcessUsage(string Name, int ProcessId, double CpuSeconds, double WorkingSetMiB, double PeakWorkingSetMiB)
{
    /// <summary>Share of one core used during <paramref name="duration"/> (200 % = both cores of this machine).</summary>
    public double CpuPercent(TimeSpan duration) => duration > TimeSpan.Zero ? 100 * CpuSeconds / duration.TotalSeconds : 0;
}

/// <summary>Reads <c>/proc/&lt;pid&gt;/stat</c> and <c>/proc/&lt;pid&gt;/status</c> (Linux) before and after a phase.</summary>
public sealed class ProcessSampler(IReadOnlyDictionary<string, int> processes)
{
    // USER_HZ: the unit of utime/stime in /proc/<pid>/stat; 100 on every Linux build .NET runs on.
    private const double ClockTicksPerSecond = 100;

    private readonly Dictionary<string, double> _start = processes.ToDictionary(p => p.Key, p => CpuSeconds(p.Value) ?? 0);

    public static bool IsSupported => File.Exists("/proc/self/stat");

    public IReadOnlyList<ProcessUsage> Stop() =>
        [.. processes.Select(p => new ProcessUsage(
            p.Key,
            p.Value,
            Math.Max(0, (CpuSeconds(p.Value) ?? 0) - _start[p.Key]),
            StatusMiB(p.Value, "VmRSS:") ?? 0,
            StatusMiB(p.Value, "VmHWM:") ?? 0))];

    /// <summary>The resident set of a process now, in MiB (null if it is gone or this is not Linux).</summary>
    public static double? WorkingSetMiB(int processId) => StatusMiB(processId, "VmRSS:");

    /// <summary>The peak resident set since the process started (<c>VmHWM</c>).</summary>
    public static double? PeakWorkingSetMiB(int processId) => StatusMiB(processId, "VmHWM:");

    public static double? CpuSeconds(int processId)
    {
        try
        {
            var stat = File.ReadAllText($"/proc/{processId}/stat");
            // The command name is in parentheses and may hold spaces: fields are counted after its closing one.
            var fields = stat[(stat.LastIndexOf(')') + 2)..].Split(' ');
            // After ")": state is field 3 of the man page, so utime (14) and stime (15) are at 11 and 12 here.
            var ticks = long.Parse(fields[11], CultureInfo.InvariantCulture) + long.Parse(fields[12], CultureInfo.InvariantCulture);
            return ticks / ClockTicksPerSecond;
        }
        catch (IOException)
        {
            return null;
        }
        catch (UnauthorizedAccessException)
        {
            return null;
        }
    }

    private static double? StatusMiB(int processId, string field)
    {
        try
        {
            foreach (var line in File.ReadLines($"/proc/{processId}/status"))
            {
                if (line.StartsWith(field, StringComparison.Ordinal))
                {
                    var kib = long.Parse(line[field.Length..].Trim().Split(' ')[0], CultureInfo.InvariantCulture);
                    return kib / 1024.0;
                }
            }
        }
        catch (IOException)
        {
        }
        catch (UnauthorizedAccessException)
        {
        }

        return null;
    }
}

/// <summary>Waits for the processes to go quiet between phases, so one phase's backlog is not measured in the next.</summary>
public static class Settle
{
    /// <summary>
    /// Returns once the processes together use less than <paramref name="cores"/> of CPU over a second (a phase that
    /// was accepted faster than the consumers process leaves pub/sub deliveries behind), or after <paramref name="within"/>.
    /// </summary>
    /// <returns>How long it took.</returns>
    public static async Task<TimeSpan> QuietAsync(IReadOnlyDictionary<string, int> processes, TimeSpan within, double cores, CancellationToken cancellationToken)
    {
        var started = System.Diagnostics.Stopwatch.GetTimestamp();
        var before = Total(processes);
        while (System.Diagnostics.Stopwatch.GetElapsedTime(started) < within)
        {
            await Task.Delay(TimeSpan.FromSeconds(1), cancellationToken);
            var now = Total(processes);
            if (now - before < cores)
            {
                break;
            }

            before = now;
        }

        return System.Diagnostics.Stopwatch.GetElapsedTime(started);
    }

    private static double Total(IReadOnlyDictionary<string, int> processes) =>
        processes.Values.Sum(pid => ProcessSampler.CpuSeconds(pid) ?? 0);
}


using System.Globalization;
using System.Runtime.InteropServices;

namespace PolyAi.Messaging.LoadTest;

/// <summary>What the numbers were measured on, and how busy it was.</summary>
public sealed record Machine(int Cores, double MemoryGiB, string Runtime, string OperatingSystem, string LoadAverage)
{
    public static Machine Describe() => new(
        Environment.ProcessorCount,
        MemTotalGiB(),
        RuntimeInformation.FrameworkDescription,
        RuntimeInformation.OSDescription,
        LoadAverageNow());

    /// <summary>The 1, 5 and 15 minute load averages (<c>/proc/loadavg</c>).</summary>
    public static string LoadAverageNow()
    {
        try
        {
            return string.Join(' ', File.ReadAllText("/proc/loadavg").Split(' ').Take(3));
        }
        catch (IOException)
        {
            return "unknown";
        }
    }

    private static double MemTotalGiB()
    {
        try
        {
            var line = File.ReadLines("/proc/meminfo").First(l => l.StartsWith("MemTotal:", StringComparison.Ordinal));
            return long.Parse(line["MemTotal:".Length..].Trim().Split(' ')[0], CultureInfo.InvariantCulture) / 1024.0 / 1024.0;
        }
        catch (IOException)
        {
            return 0;
        }
    }
}

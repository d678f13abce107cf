using Microsoft.Extensions.Configuration;

namespace PolyAi.Messaging.ServiceDefaults.Time;

/// <summary>
/// <c>Time:Scale</c> (e.g. 10) and <c>Time:Epoch</c> (unix milliseconds, the same for every process of a run): the
/// benchmark's compressed time (<see cref="ScaledTimeProvider"/>). Unset or 1: real time.
/// </summary>
public static class TimeOptions
{
    public const string Section = "Time";

    public static TimeProvider FromConfiguration(IConfiguration configuration)
    {
        var section = configuration.GetSection(Section);
        var scale = section.GetValue<double?>("Scale") ?? 1;
        if (scale == 1)
        {
            return TimeProvider.System;
        }

        if (scale <= 0 || section.GetValue<long?>("Epoch") is not { } epoch)
        {
            throw new InvalidOperationException("Time:Scale must be positive and needs Time:Epoch (unix milliseconds, the same for every process).");
        }

        return new ScaledTimeProvider(scale, DateTimeOffset.FromUnixTimeMilliseconds(epoch));
    }
}

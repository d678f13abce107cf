using System.Globalization;
using System.Text.RegularExpressions;

namespace PolyAi.Messaging.DevSidecar.Components;

/// <summary>Parses Go duration strings as Dapr resources write them: "200ms", "5s", "1m30s", "1h".</summary>
internal static partial class GoDuration
{
    public static TimeSpan Parse(string text)
    {
        var matches = Part().Matches(text);
        if (matches.Count == 0 || string.Concat(matches.Select(m => m.Value)) != text)
        {
            throw new FormatException($"'{text}' is not a duration like 500ms, 5s or 1m30s");
        }

        return matches.Aggregate(TimeSpan.Zero, (total, m) =>
        {
            var amount = double.Parse(m.Groups["amount"].Value, CultureInfo.InvariantCulture);
            return total + m.Groups["unit"].Value switch
            {
                "ns" => TimeSpan.FromTicks((long)(amount / 100)),
                "us" or "µs" => TimeSpan.FromMicroseconds(amount),
                "ms" => TimeSpan.FromMilliseconds(amount),
                "s" => TimeSpan.FromSeconds(amount),
                "m" => TimeSpan.FromMinutes(amount),
                _ => TimeSpan.FromHours(amount),
            };
        });
    }

    [GeneratedRegex(@"(?<amount>\d+(\.\d+)?)(?<unit>ns|us|µs|ms|s|m|h)")]
    private static partial Regex Part();
}

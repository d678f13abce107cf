using System.Globalization;

namespace PolyAi.Messaging.Testing;

/// <summary>Reads samples out of the Prometheus text exposition format.</summary>
public static class PrometheusText
{
    public static double Sum(string text, string name, params (string Name, string Value)[] labels)
    {
        var total = 0.0;
        foreach (var line in text.Split('\n'))
        {
            if (line.StartsWith('#') || !(line.StartsWith(name + "{", StringComparison.Ordinal) || line.StartsWith(name + " ", StringComparison.Ordinal)))
            {
                continue;
            }

            var sample = line.LastIndexOf(' ');
            var series = line[..sample];
            if (labels.All(label => series.Contains($"{label.Name}=\"{label.Value}\"", StringComparison.Ordinal)))
            {
                total += double.Parse(line[(sample + 1)..], CultureInfo.InvariantCulture);
            }
        }

        return total;
    }
}

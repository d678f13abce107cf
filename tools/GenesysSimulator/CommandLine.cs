namespace PolyAi.Messaging.GenesysSimulator;

/// <summary><c>--urls http://127.0.0.1:9090 [--seed-org] [--verbose] [--time-scale 10 --time-epoch &lt;unix ms&gt;] [--rate-limit 300]</c>.</summary>
internal static class CommandLine
{
    public const string Usage = "usage: GenesysSimulator [--urls http://127.0.0.1:<port>] [--seed-org] [--verbose] [--time-scale <x> --time-epoch <unix ms>] [--rate-limit <requests per minute per OAuth client>]";

    public static bool TryParse(string[] args, out GenesysSimulatorOptions options, out string problem)
    {
        options = new GenesysSimulatorOptions();
        problem = "";
        double? scale = null;
        long? epoch = null;
        for (var i = 0; i < args.Length; i++)
        {
            switch (args[i])
            {
                case "--urls" when i + 1 < args.Length:
                    var url = args[++i].Split(';')[0];
                    if (!Uri.TryCreate(url, UriKind.Absolute, out var uri) || uri.Scheme != "http" || uri.Host is not ("127.0.0.1" or "localhost"))
                    {
                        problem = $"--urls must be http://127.0.0.1:<port> (the simulator binds loopback only), not '{url}'";
                        return false;
                    }

                    options = options with { Port = uri.Port };
                    break;
                case "--seed-org":
                    options = options with { SeedOrg = true };
                    break;
                case "--verbose":
                    options = options with { MinimumLogLevel = LogLevel.Information };
                    break;
                case "--time-scale" when i + 1 < args.Length:
                    if (!double.TryParse(args[++i], System.Globalization.NumberStyles.Float, System.Globalization.CultureInfo.InvariantCulture, out var s) || s <= 0)
                    {
                        problem = $"--time-scale must be a positive number, not '{args[i]}'";
                        return false;
                    }

                    scale = s;
                    break;
                case "--time-epoch" when i + 1 < args.Length:
                    if (!long.TryParse(args[++i], System.Globalization.CultureInfo.InvariantCulture, out var e))
                    {
                        problem = $"--time-epoch must be unix milliseconds, not '{args[i]}'";
                        return false;
                    }

                    epoch = e;
                    break;
                case "--rate-limit" when i + 1 < args.Length:
                    // Genesys' is 300 per OAuth client; a scale benchmark lifts it to measure our side, not the budget.
                    if (!int.TryParse(args[++i], System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out var limit) || limit <= 0)
                    {
                        problem = $"--rate-limit must be a positive whole number of requests per minute, not '{args[i]}'";
                        return false;
                    }

                    options = options with { RateLimitPerMinute = limit };
                    break;
                default:
                    problem = $"unknown argument '{args[i]}'";
                    return false;
            }
        }

        if (scale is { } x && x != 1)
        {
            if (epoch is not { } start)
            {
                problem = "--time-scale needs --time-epoch (unix milliseconds, the same for every process of the run)";
                return false;
            }

            options = options with { TimeProvider = new CompressedTime(x, DateTimeOffset.FromUnixTimeMilliseconds(start)) };
        }

        return true;
    }
}

namespace PolyAi.Messaging.GenesysSimulator;

/// <summary><c>--urls http://127.0.0.1:9090 [--seed-org] [--verbose]</c>.</summary>
internal static class CommandLine
{
    public const string Usage = "usage: GenesysSimulator [--urls http://127.0.0.1:<port>] [--seed-org] [--verbose]";

    public static bool TryParse(string[] args, out GenesysSimulatorOptions options, out string problem)
    {
        options = new GenesysSimulatorOptions();
        problem = "";
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
                default:
                    problem = $"unknown argument '{args[i]}'";
                    return false;
            }
        }

        return true;
    }
}

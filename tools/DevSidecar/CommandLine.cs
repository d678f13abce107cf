using System.Globalization;

namespace PolyAi.Messaging.DevSidecar;

/// <summary>
/// <c>--components &lt;dir&gt; --app &lt;appId&gt;=http:&lt;port&gt;,grpc:&lt;port&gt;[,app:&lt;url&gt;] [--app ...] [--api-token &lt;t&gt;] [--app-api-token &lt;t&gt;]</c>
/// </summary>
internal static class CommandLine
{
    public const string Usage =
        "usage: DevSidecar --components <dir> --app <appId>=http:<port>,grpc:<port>[,app:<url>] [--app ...] [--api-token <token>] [--app-api-token <token>]";

    /// <exception cref="FormatException">The arguments do not follow <see cref="Usage"/>.</exception>
    public static DevSidecarOptions Parse(IReadOnlyList<string> args)
    {
        string? components = null;
        string? apiToken = null;
        string? appApiToken = null;
        var apps = new List<DevSidecarApp>();
        for (var i = 0; i < args.Count; i++)
        {
            var value = i + 1 < args.Count ? args[i + 1] : throw new FormatException($"{args[i]} needs a value");
            switch (args[i])
            {
                case "--components":
                    components = value;
                    break;
                case "--app":
                    apps.Add(ParseApp(value));
                    break;
                case "--api-token":
                    apiToken = value;
                    break;
                case "--app-api-token":
                    appApiToken = value;
                    break;
                default:
                    throw new FormatException($"unknown argument '{args[i]}'");
            }

            i++;
        }

        var options = new DevSidecarOptions
        {
            ComponentsPath = components ?? throw new FormatException("--components is required"),
            ApiToken = apiToken,
            AppApiToken = appApiToken,
        };
        if (apps.Count == 0)
        {
            throw new FormatException("at least one --app is required");
        }

        foreach (var app in apps)
        {
            options.Apps.Add(app);
        }

        return options;
    }

    private static DevSidecarApp ParseApp(string text)
    {
        var (appId, endpoints) = text.Split('=', 2) is [var id, var rest] && id.Length > 0
            ? (id, rest)
            : throw new FormatException($"'{text}' is not <appId>=http:<port>,grpc:<port>[,app:<url>]");
        int? http = null, grpc = null;
        Uri? appUrl = null;
        foreach (var part in endpoints.Split(','))
        {
            switch (part.Split(':', 2))
            {
                case ["http", var port]:
                    http = Port(port);
                    break;
                case ["grpc", var port]:
                    grpc = Port(port);
                    break;
                case ["app", var url] when Uri.TryCreate(url, UriKind.Absolute, out var parsed):
                    appUrl = parsed;
                    break;
                default:
                    throw new FormatException($"app '{appId}': cannot read '{part}'");
            }
        }

        return new DevSidecarApp(
            appId,
            http ?? throw new FormatException($"app '{appId}' needs http:<port>"),
            grpc ?? throw new FormatException($"app '{appId}' needs grpc:<port>"),
            appUrl);
    }

    private static int Port(string text) =>
        int.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out var port) && port <= 65535
            ? port
            : throw new FormatException($"'{text}' is not a port");
}

using System.Diagnostics;

namespace PolyAi.Messaging.Deployment.Tests;

/// <summary>
/// The command-line tools the deployment checks run. <c>./test.sh</c> installs them (helm and the schema packages under
/// <c>.tools/</c>, promtool from Debian's prometheus package) and names them in HELM_BIN, PROMTOOL_BIN and
/// SCHEMA_MODULES; plain <c>dotnet test</c> finds them in the same places. A missing tool fails the test that needs
/// it, saying so: these checks never pass by not running.
/// </summary>
internal static class Tools
{
    private static readonly string ToolsDirectory = Path.Combine(Repo.Root, ".tools");

    public static string Helm => Find("HELM_BIN", "helm", Path.Combine(ToolsDirectory, "bin", "helm"));

    public static string Promtool => Find("PROMTOOL_BIN", "promtool", "/usr/bin/promtool");

    public static string Node => Find("NODE_BIN", "node", "/usr/bin/node");

    /// <summary>The node_modules folder holding kubernetes-models and the other schema packages.</summary>
    public static string SchemaModules
    {
        get
        {
            var folder = Environment.GetEnvironmentVariable("SCHEMA_MODULES") is { Length: > 0 } set
                ? set
                : Path.Combine(ToolsDirectory, "schemas", "node_modules");
            return Directory.Exists(Path.Combine(folder, "kubernetes-models"))
                ? folder
                : throw Missing("the schema packages (kubernetes-models, @kubernetes-models/prometheus-operator, @kubernetes-models/gateway-api, ajv)", folder);
        }
    }

    /// <summary>
    /// Runs a tool to its end and returns its exit code and output. A tool that hangs is killed after
    /// <paramref name="hangAfter"/> (two minutes unless given); <paramref name="environment"/> sets (or, with null,
    /// removes) variables.
    /// </summary>
    public static async Task<ToolRun> RunAsync(string file, IEnumerable<string> arguments, string? workingDirectory = null,
        IReadOnlyDictionary<string, string?>? environment = null, TimeSpan? hangAfter = null)
    {
        var limit = hangAfter ?? TimeSpan.FromMinutes(2);
        var start = new ProcessStartInfo(file)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
            WorkingDirectory = workingDirectory ?? Repo.Root,
        };
        foreach (var argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }

        foreach (var (name, value) in environment ?? new Dictionary<string, string?>())
        {
            if (value is null)
            {
                start.Environment.Remove(name);
            }
            else
            {
                start.Environment[name] = value;
            }
        }

        using var process = Process.Start(start) ?? throw new InvalidOperationException($"Could not start {file}");
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        using var hang = new CancellationTokenSource(limit);
        try
        {
            await process.WaitForExitAsync(hang.Token);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            throw new TimeoutException($"{file} {string.Join(' ', start.ArgumentList)} did not finish in {limit}");
        }

        return new ToolRun(process.ExitCode, await stdout, await stderr);
    }

    private static string Find(string variable, string name, string installed)
    {
        if (Environment.GetEnvironmentVariable(variable) is { Length: > 0 } set)
        {
            return File.Exists(set) ? set : throw Missing(name, $"{variable}={set}");
        }

        if (File.Exists(installed))
        {
            return installed;
        }

        var onPath = (Environment.GetEnvironmentVariable("PATH") ?? "").Split(Path.PathSeparator)
            .Select(dir => Path.Combine(dir, name))
            .FirstOrDefault(File.Exists);
        return onPath ?? throw Missing(name, installed);
    }

    private static FileNotFoundException Missing(string what, string where) =>
        new($"Not installed: {what} (looked at {where} and on PATH). Run ./test.sh from the repository root: it installs "
            + "what the deployment checks need (helm under .tools/, the schema packages, promtool, Chromium, redis-server) and then runs dotnet test.");
}

/// <summary>What a tool printed and how it ended.</summary>
internal sealed record ToolRun(int ExitCode, string Output, string Error)
{
    public string Printed => (Output + Environment.NewLine + Error).Trim();
}

using System.Reflection;

namespace PolyAi.Messaging.DevStack;

/// <summary>Where the repository and the built parts are. DevStack runs what `dotnet build` produced beside it.</summary>
public sealed record StackLayout(string RepoRoot, string Configuration)
{
    public const string SolutionFile = "PolyAiMessaging.sln";

    public static StackLayout Discover()
    {
        var configuration = typeof(StackLayout).Assembly.GetCustomAttribute<AssemblyConfigurationAttribute>()?.Configuration ?? "Debug";
        foreach (var start in new[] { AppContext.BaseDirectory, Directory.GetCurrentDirectory() })
        {
            for (var dir = new DirectoryInfo(start); dir is not null; dir = dir.Parent)
            {
                if (File.Exists(Path.Combine(dir.FullName, SolutionFile)))
                {
                    return new StackLayout(dir.FullName, configuration);
                }
            }
        }

        throw new InvalidOperationException($"Cannot find {SolutionFile} above {AppContext.BaseDirectory}: run DevStack from the repository.");
    }

    public string LocalComponents => Path.Combine(RepoRoot, "components", "local");

    public string DefaultStateDirectory => Path.Combine(RepoRoot, ".devstack");

    /// <summary>The built entry assembly of a project, e.g. <c>services/Edge</c> → <c>.../bin/Debug/net10.0/Edge.dll</c>.</summary>
    public string Assembly(string projectFolder, string assemblyName)
    {
        var path = Path.Combine(RepoRoot, projectFolder, "bin", Configuration, "net10.0", assemblyName + ".dll");
        return File.Exists(path)
            ? path
            : throw new FileNotFoundException($"{assemblyName} is not built at {path}; run `dotnet build` first.", path);
    }
}

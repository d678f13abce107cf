using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;

namespace PolyAi.Messaging.Deployment.Tests;

/// <summary>
/// The services' Dockerfiles, as far as they can be exercised without a Docker engine: what they copy exists in the
/// build context (the repository less .dockerignore), the images agree with the chart, and the build stage's own
/// commands, run here on exactly what it copies, publish the entry point the runtime stage starts.
/// </summary>
public sealed partial class DockerfileTests
{
    public static TheoryData<string> Services => new(Repo.Services);

    private static string Project(string service) => char.ToUpperInvariant(service[0]) + service[1..];

    private static Dockerfile Read(string service) => Dockerfile.Parse(Path.Combine(Repo.Root, "services", Project(service), "Dockerfile"));

    [Theory]
    [MemberData(nameof(Services))]
    public void Every_path_a_dockerfile_copies_is_in_the_build_context(string service)
    {
        var dockerfile = Read(service);
        var context = DockerIgnore.Load(Repo.Root);
        var copies = dockerfile.Stages.SelectMany(s => s.Copies).Where(c => c.From is null).ToList();
        Assert.NotEmpty(copies);
        foreach (var source in copies.SelectMany(c => c.Sources))
        {
            var path = Path.Combine(Repo.Root, source);
            Assert.True(File.Exists(path) || Directory.Exists(path), $"{Project(service)}/Dockerfile copies {source}, which does not exist");
            Assert.False(context.Excludes(source), $"{Project(service)}/Dockerfile copies {source}, which .dockerignore leaves out of the build context");
        }
    }

    [Theory]
    [MemberData(nameof(Services))]
    public void The_image_runs_the_service_as_the_charts_non_root_user_on_the_charts_port(string service)
    {
        var dockerfile = Read(service);
        var values = Yaml.LoadObject(Path.Combine(Repo.Chart, "values.yaml"));
        var sdk = JsonNode.Parse(File.ReadAllText(Path.Combine(Repo.Root, "global.json")))!["sdk"]!["version"]!.GetValue<string>();
        var dotnet = string.Join('.', sdk.Split('.').Take(2));

        Assert.Equal(2, dockerfile.Stages.Count);
        var (build, runtime) = (dockerfile.Stages[0], dockerfile.Stages[1]);
        Assert.Equal($"mcr.microsoft.com/dotnet/sdk:{dotnet}", build.Image);
        Assert.StartsWith($"mcr.microsoft.com/dotnet/aspnet:{dotnet}-", runtime.Image, StringComparison.Ordinal);
        Assert.Contains(build.Runs, r => r.Contains($"dotnet publish services/{Project(service)}/{Project(service)}.csproj", StringComparison.Ordinal));

        var user = runtime.Instructions.Last(i => i.Keyword == "USER").Arguments.Split(':');
        Assert.Equal(values["pod"]!["securityContext"]!["runAsUser"]!.GetValue<long>().ToString(System.Globalization.CultureInfo.InvariantCulture), user[0]);
        Assert.NotEqual("0", user[0]);
        Assert.Equal(values["services"]![service]!["port"]!.GetValue<long>().ToString(System.Globalization.CultureInfo.InvariantCulture), runtime.Instructions.Single(i => i.Keyword == "EXPOSE").Arguments);
        Assert.Equal(["dotnet", $"{Project(service)}.dll"], runtime.Entrypoint);

        // Skaffold builds this Dockerfile into the image the chart names.
        var skaffold = Yaml.LoadObject(Path.Combine(Repo.Root, "skaffold.yaml"));
        var artifact = skaffold["build"]!["artifacts"]!.AsArray()
            .Single(a => a!["image"]!.GetValue<string>() == values["services"]![service]!["image"]!["repository"]!.GetValue<string>())!;
        Assert.Equal($"services/{Project(service)}/Dockerfile", artifact["docker"]!["dockerfile"]!.GetValue<string>());
        Assert.Equal(".", artifact["context"]!.GetValue<string>());
        Assert.True(File.Exists(Path.Combine(Repo.Root, ".dockerignore")));
    }

    /// <summary>
    /// The build stage as Docker runs it, with a temporary folder as the image's root: COPY what it copies from the
    /// build context, RUN its commands there, then the runtime stage's COPY --from and ENTRYPOINT must find the
    /// published service. Every service: about a minute of the 2-core machine each (restore from the NuGet cache, a
    /// Release build of the service and its libraries).
    /// </summary>
    [Theory]
    [MemberData(nameof(Services))]
    public async Task The_build_stage_publishes_the_entry_point_from_only_what_it_copies(string service)
    {
        var dockerfile = Read(service);
        var context = DockerIgnore.Load(Repo.Root);
        using var root = new TemporaryFolder();
        string InImage(string path) => Path.Combine(root.Path, path.TrimStart('/'));

        var build = dockerfile.Stages[0];
        var workdir = "/";
        foreach (var instruction in build.Instructions)
        {
            switch (instruction.Keyword)
            {
                case "WORKDIR":
                    workdir = Path.Combine(workdir, instruction.Arguments);
                    Directory.CreateDirectory(InImage(workdir));
                    break;
                case "COPY":
                    var copy = Copy.Parse(instruction.Arguments);
                    Assert.Null(copy.From);
                    var destination = InImage(Path.Combine(workdir, copy.Destination));
                    foreach (var source in copy.Sources)
                    {
                        context.CopyInto(source, destination, copy.Destination.EndsWith('/') || copy.Sources.Count > 1);
                    }

                    break;
                case "RUN":
                    // Absolute paths are the image's: /app is root/app here.
                    var command = AbsolutePath().Replace(instruction.Arguments, root.Path + "/");
                    var run = await Tools.RunAsync("/bin/sh", ["-c", command], InImage(workdir), CleanDotnetEnvironment(), TimeSpan.FromMinutes(10));
                    Assert.True(run.ExitCode == 0, $"{Project(service)}/Dockerfile: RUN {instruction.Arguments} failed ({run.ExitCode}):{Environment.NewLine}{Tail(run.Printed)}");
                    break;
                case "ARG" or "FROM":
                    break;
                default:
                    throw new InvalidOperationException($"{Project(service)}/Dockerfile: the test does not know what {instruction.Keyword} does in the build stage");
            }
        }

        var runtime = dockerfile.Stages[1];
        var fromBuild = runtime.Copies.Single(c => c.From == build.Name);
        var published = InImage(fromBuild.Sources.Single());
        var entrypoint = runtime.Entrypoint;
        Assert.Equal("dotnet", entrypoint[0]);
        Assert.True(File.Exists(Path.Combine(published, entrypoint[1])), $"{Project(service)}/Dockerfile: the build stage published no {entrypoint[1]} in {fromBuild.Sources.Single()}");
        var runtimeConfig = JsonNode.Parse(File.ReadAllText(Path.Combine(published, Path.ChangeExtension(entrypoint[1], ".runtimeconfig.json"))))!;
        Assert.Contains(runtimeConfig["runtimeOptions"]!["frameworks"]!.AsArray(), f => f!["name"]!.GetValue<string>() == "Microsoft.AspNetCore.App");

        // Only the services that call Genesys carry its client: the edge and the agent load neither the assembly nor
        // anything that needs it (their contracts come from PolyAi.Messaging.Contracts).
        var deps = File.ReadAllText(Path.Combine(published, Path.ChangeExtension(entrypoint[1], ".deps.json")));
        var callsGenesys = service is "verifier" or "handoff";
        Assert.Equal(callsGenesys, File.Exists(Path.Combine(published, "PolyAi.Messaging.Genesys.dll")));
        Assert.Equal(callsGenesys, deps.Contains("PolyAi.Messaging.Genesys/", StringComparison.Ordinal));
        Assert.Contains(service is "edge" ? "PolyAi.Messaging.ServiceDefaults/" : "PolyAi.Messaging.Contracts/", deps, StringComparison.Ordinal);
    }

    [Fact]
    public void The_dockerignore_reader_matches_as_docker_does()
    {
        var context = new DockerIgnore(["**/bin/", "charts/", "*.md", ".git/"]);
        Assert.True(context.Excludes("services/Agent/bin/Debug/Agent.dll"));
        Assert.True(context.Excludes("bin"));
        Assert.True(context.Excludes("charts/polyai-messaging/values.yaml"));
        Assert.True(context.Excludes("README.md"));
        Assert.False(context.Excludes("services/Agent/README.md"));
        Assert.False(context.Excludes("services/Agent/Agent.csproj"));
        Assert.False(context.Excludes("services/binary/x.cs"));
    }

    /// <summary>
    /// The test host's MSBuild and test-platform variables would leak into the child build, and Docker has none; and,
    /// as in a container that ends with its build, no MSBuild node outlives it.
    /// </summary>
    private static Dictionary<string, string?> CleanDotnetEnvironment()
    {
        var environment = System.Environment.GetEnvironmentVariables().Keys.Cast<string>()
            .Where(k => k.StartsWith("MSBUILD", StringComparison.OrdinalIgnoreCase) || k.StartsWith("VSTEST", StringComparison.OrdinalIgnoreCase)
                || k.StartsWith("TESTINGPLATFORM", StringComparison.OrdinalIgnoreCase) || k is "DOTNET_HOST_PATH" or "MSBuildExtensionsPath" or "MSBuildSDKsPath")
            .ToDictionary(k => k, _ => (string?)null);
        environment["MSBUILDDISABLENODEREUSE"] = "1";
        return environment;
    }

    private static string Tail(string text) => text.Length > 6000 ? text[^6000..] : text;

    [GeneratedRegex(@"(?<![\w./$:-])/(?=\w)")]
    private static partial Regex AbsolutePath();
}

/// <summary>One Dockerfile: its stages and their instructions, ARGs substituted in FROM lines.</summary>
internal sealed partial record Dockerfile(IReadOnlyList<Stage> Stages)
{
    public static Dockerfile Parse(string path)
    {
        var args = new Dictionary<string, string>();
        var stages = new List<Stage>();
        foreach (var (keyword, arguments) in Instructions(File.ReadAllText(path)))
        {
            if (keyword == "ARG" && stages.Count == 0)
            {
                var parts = arguments.Split('=', 2);
                args[parts[0]] = parts.Length > 1 ? parts[1] : "";
                continue;
            }

            if (keyword == "FROM")
            {
                var from = ArgReference().Replace(arguments, m => args[m.Groups[1].Value]).Split(' ', StringSplitOptions.RemoveEmptyEntries);
                stages.Add(new Stage(from[0], from.Length == 3 && from[1].Equals("AS", StringComparison.OrdinalIgnoreCase) ? from[2] : null, []));
            }

            if (stages.Count == 0)
            {
                throw new InvalidDataException($"{path}: {keyword} before FROM");
            }

            stages[^1].Instructions.Add(new Instruction(keyword, arguments));
        }

        return new Dockerfile(stages);
    }

    /// <summary>Instructions with continuation lines joined; comments (and the syntax directive) skipped.</summary>
    private static IEnumerable<(string Keyword, string Arguments)> Instructions(string text)
    {
        var current = "";
        foreach (var raw in text.Split('\n'))
        {
            var line = raw.TrimEnd();
            if (current.Length == 0 && (line.TrimStart().StartsWith('#') || line.Trim().Length == 0))
            {
                continue;
            }

            if (line.EndsWith('\\'))
            {
                current += line[..^1] + " ";
                continue;
            }

            current += line;
            var parts = current.Trim().Split((char[]?)null, 2, StringSplitOptions.RemoveEmptyEntries);
            yield return (parts[0].ToUpperInvariant(), parts.Length > 1 ? parts[1].Trim() : "");
            current = "";
        }
    }

    [GeneratedRegex(@"\$\{([A-Za-z_][A-Za-z0-9_]*)\}")]
    private static partial Regex ArgReference();
}

internal sealed record Instruction(string Keyword, string Arguments);

internal sealed record Stage(string Image, string? Name, List<Instruction> Instructions)
{
    public IEnumerable<Copy> Copies => Instructions.Where(i => i.Keyword == "COPY").Select(i => Copy.Parse(i.Arguments));

    public IEnumerable<string> Runs => Instructions.Where(i => i.Keyword == "RUN").Select(i => i.Arguments);

    public string[] Entrypoint => JsonSerializer.Deserialize<string[]>(Instructions.Last(i => i.Keyword == "ENTRYPOINT").Arguments)!;
}

/// <summary>A COPY: its --from stage (null = the build context), sources and destination.</summary>
internal sealed record Copy(string? From, IReadOnlyList<string> Sources, string Destination)
{
    public static Copy Parse(string arguments)
    {
        var words = arguments.Split(' ', StringSplitOptions.RemoveEmptyEntries).ToList();
        var from = words.FirstOrDefault(w => w.StartsWith("--from=", StringComparison.Ordinal))?["--from=".Length..];
        words.RemoveAll(w => w.StartsWith("--", StringComparison.Ordinal));
        if (words.Count < 2 || words[0].StartsWith('['))
        {
            throw new InvalidDataException($"COPY {arguments}: only the space-separated form with a source and a destination is read");
        }

        return new Copy(from, words[..^1], words[^1]);
    }
}

/// <summary>
/// The build context: the repository less what .dockerignore excludes, matched as Docker does (a path is out when a
/// pattern matches it or one of its parent folders; <c>*</c> stays inside a folder, <c>**</c> spans folders).
/// </summary>
internal sealed class DockerIgnore(IEnumerable<string> patterns)
{
    private readonly Regex[] _patterns = patterns.Select(ToRegex).ToArray();

    public static DockerIgnore Load(string root) =>
        new(File.ReadAllLines(Path.Combine(root, ".dockerignore")).Select(l => l.Trim()).Where(l => l.Length > 0 && !l.StartsWith('#')));

    public bool Excludes(string relativePath)
    {
        var parts = relativePath.Replace('\\', '/').Trim('/').Split('/');
        for (var i = 1; i <= parts.Length; i++)
        {
            var prefix = string.Join('/', parts[..i]);
            if (_patterns.Any(p => p.IsMatch(prefix)))
            {
                return true;
            }
        }

        return false;
    }

    /// <summary>Copies a file, or a folder's contents, from the context to a destination as COPY does.</summary>
    public void CopyInto(string source, string destination, bool destinationIsFolder)
    {
        var from = Path.Combine(Repo.Root, source);
        if (File.Exists(from))
        {
            var to = destinationIsFolder ? Path.Combine(destination, Path.GetFileName(from)) : destination;
            Directory.CreateDirectory(Path.GetDirectoryName(to)!);
            File.Copy(from, to, overwrite: true);
            return;
        }

        foreach (var file in Directory.EnumerateFiles(from, "*", SearchOption.AllDirectories))
        {
            var relative = Path.GetRelativePath(Repo.Root, file);
            if (Excludes(relative))
            {
                continue;
            }

            var to = Path.Combine(destination, Path.GetRelativePath(from, file));
            Directory.CreateDirectory(Path.GetDirectoryName(to)!);
            File.Copy(file, to, overwrite: true);
        }
    }

    private static Regex ToRegex(string pattern)
    {
        if (pattern.StartsWith('!'))
        {
            throw new NotSupportedException($".dockerignore exception {pattern}: the test's reader does not handle exceptions");
        }

        var clean = pattern.Trim('/');
        var regex = Regex.Escape(clean)
            .Replace(@"\*\*/", "(.*/)?", StringComparison.Ordinal)
            .Replace(@"/\*\*", "(/.*)?", StringComparison.Ordinal)
            .Replace(@"\*\*", ".*", StringComparison.Ordinal)
            .Replace(@"\*", "[^/]*", StringComparison.Ordinal)
            .Replace(@"\?", "[^/]", StringComparison.Ordinal);
        return new Regex("^" + regex + "$", RegexOptions.CultureInvariant);
    }
}

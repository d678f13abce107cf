namespace PolyAi.Messaging.Verifier.Tests.Support;

/// <summary>A temporary copy of the repository's local Dapr components, with its own secrets file.</summary>
public static class Components
{
    public static string WriteTemporaryCopy(string secretsJson)
    {
        var source = Path.Combine(RepositoryRoot(), "components", "local");
        var target = Directory.CreateTempSubdirectory("polyai-verifier-components-").FullName;
        foreach (var name in new[] { "statestore.yaml", "pubsub.yaml", "secretstore.yaml" })
        {
            File.Copy(Path.Combine(source, name), Path.Combine(target, name));
        }

        File.WriteAllText(Path.Combine(target, "secrets.json"), secretsJson);
        return target;
    }

    private static string RepositoryRoot()
    {
        for (var directory = new DirectoryInfo(AppContext.BaseDirectory); directory is not null; directory = directory.Parent)
        {
            if (Directory.Exists(Path.Combine(directory.FullName, "components", "local")))
            {
                return directory.FullName;
            }
        }

        throw new InvalidOperationException($"No components/local above {AppContext.BaseDirectory}.");
    }
}

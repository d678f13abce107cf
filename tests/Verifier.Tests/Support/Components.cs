namespace PolyAi.Messaging.Verifier.Tests.Support;

/// <summary>A temporary copy of the repository's local Dapr components, with its own secrets file.</summary>
public static class Components
{
    public static string WriteTemporaryCopy(string secretsJson)
    {
        var source = Repo.LocalComponents;
        var target = Directory.CreateTempSubdirectory("polyai-verifier-components-").FullName;
        foreach (var name in new[] { "statestore.yaml", "pubsub.yaml", "secretstore.yaml" })
        {
            File.Copy(Path.Combine(source, name), Path.Combine(target, name));
        }

        File.WriteAllText(Path.Combine(target, "secrets.json"), secretsJson);
        return target;
    }
}

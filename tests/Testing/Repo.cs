namespace PolyAi.Messaging.Testing;

/// <summary>The repository checkout the tests run from, found above the test assembly.</summary>
public static class Repo
{
    public static readonly string Root = FindRoot();

    /// <summary>A path below the repository root: <c>Repo.Path("components", "local")</c>.</summary>
    public static string Path(params string[] parts) => System.IO.Path.Combine([Root, .. parts]);

    /// <summary>The local Dapr components every local run uses.</summary>
    public static string LocalComponents => Path("components", "local");

    private static string FindRoot()
    {
        for (var directory = new DirectoryInfo(AppContext.BaseDirectory); directory is not null; directory = directory.Parent)
        {
            if (File.Exists(System.IO.Path.Combine(directory.FullName, "PolyAiMessaging.sln")))
            {
                return directory.FullName;
            }
        }

        throw new InvalidOperationException("Cannot find the repository root (PolyAiMessaging.sln) above " + AppContext.BaseDirectory);
    }
}

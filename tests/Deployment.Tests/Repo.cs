namespace PolyAi.Messaging.Deployment.Tests;

/// <summary>Paths of the deployment files, found from the repository root above the test assembly.</summary>
internal static class Repo
{
    public static readonly string Root = PolyAi.Messaging.Testing.Repo.Root;

    public static string Chart => Path.Combine(Root, "charts", "polyai-messaging");

    public static string ChartTemplates => Path.Combine(Chart, "templates");

    public static string KubernetesComponents => Path.Combine(Root, "components", "kubernetes");

    public static string LocalComponents => Path.Combine(Root, "components", "local");

    public static readonly string[] Regions = ["dev", "us-1", "uk-1", "euw-1"];

    /// <summary>The services with a Dapr sidecar, by app id; the edge has none.</summary>
    public static readonly string[] DaprAppIds = ["verifier", "agent", "handoff"];

    public static readonly string[] Services = ["edge", "verifier", "agent", "handoff"];
}

using System.Net.Sockets;
using PolyAi.Messaging.DevStack;

namespace PolyAi.Messaging.LoadTest;

/// <summary>
/// The two baselines, each its own process on a free loopback port: the bare Kestrel endpoint (this tool in
/// <c>bare</c> mode), and the real Edge build with its verifier cluster pointed at that bare endpoint.
/// </summary>
public sealed class Baselines : IAsyncDisposable
{
    public const string BareName = "bare";
    public const string EdgeName = "edge-baseline";

    private readonly List<ChildProcess> _children = [];

    private Baselines(Uri bare, Uri edge)
    {
        BareUrl = bare;
        EdgeUrl = edge;
    }

    public Uri BareUrl { get; }

    public Uri EdgeUrl { get; }

    public IReadOnlyDictionary<string, int> ProcessIds =>
        _children.Where(c => c.ProcessId is not null).ToDictionary(c => c.Name, c => c.ProcessId!.Value);

    public static async Task<Baselines> StartAsync(IReadOnlyDictionary<string, string> edgeSettings, Action<string, string> log, CancellationToken cancellationToken)
    {
        var layout = StackLayout.Discover();
        var baselines = new Baselines(Loopback(FreePort()), Loopback(FreePort()));
        try
        {
            var bare = new ChildProcess(BareName, layout.Assembly("tools/LoadTest", "LoadTest"), ["bare", "--urls", Origin(baselines.BareUrl)], new Dictionary<string, string>(), log);
            baselines._children.Add(bare);
            bare.Start();
            await WaitHealthyAsync(bare, new Uri(baselines.BareUrl, "healthz"), cancellationToken);

            var environment = new Dictionary<string, string>(edgeSettings)
            {
                ["ASPNETCORE_URLS"] = Origin(baselines.EdgeUrl),
                ["ASPNETCORE_ENVIRONMENT"] = "Development",
                ["DOTNET_NOLOGO"] = "1",
                ["ReverseProxy__Clusters__verifier__Destinations__primary__Address"] = baselines.BareUrl.ToString(),
                ["ReverseProxy__Clusters__agent__Destinations__primary__Address"] = baselines.BareUrl.ToString(),
            };
            var edge = new ChildProcess(EdgeName, layout.Assembly("services/Edge", "Edge"), [], environment, log);
            baselines._children.Add(edge);
            edge.Start();
            await WaitHealthyAsync(edge, new Uri(baselines.EdgeUrl, "healthz"), cancellationToken);
            return baselines;
        }
        catch
        {
            await baselines.DisposeAsync();
            throw;
        }
    }

    public async ValueTask DisposeAsync()
    {
        foreach (var child in Enumerable.Reverse(_children))
        {
            await child.DisposeAsync();
        }
    }

    private static async Task WaitHealthyAsync(ChildProcess child, Uri health, CancellationToken cancellationToken)
    {
        using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(2) };
        var deadline = DateTime.UtcNow.AddSeconds(60);
        while (DateTime.UtcNow < deadline)
        {
            if (!child.IsRunning)
            {
                throw new InvalidOperationException($"{child.Name} exited while starting:{Environment.NewLine}{child.RecentOutput}");
            }

            try
            {
                using var response = await http.GetAsync(health, cancellationToken);
                if (response.IsSuccessStatusCode)
                {
                    return;
                }
            }
            catch (HttpRequestException)
            {
            }
            catch (TaskCanceledException) when (!cancellationToken.IsCancellationRequested)
            {
            }

            await Task.Delay(100, cancellationToken);
        }

        throw new TimeoutException($"{child.Name} was not healthy at {health} within 60 s:{Environment.NewLine}{child.RecentOutput}");
    }

    private static int FreePort()
    {
        using var listener = new TcpListener(System.Net.IPAddress.Loopback, 0);
        listener.Start();
        return ((System.Net.IPEndPoint)listener.LocalEndpoint).Port;
    }

    private static Uri Loopback(int port) => new($"http://127.0.0.1:{port}/");

    private static string Origin(Uri url) => url.GetLeftPart(UriPartial.Authority);
}

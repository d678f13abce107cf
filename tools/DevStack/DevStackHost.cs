using System.Net;
using System.Net.Sockets;
using System.Text.Json;
using Dapr.Client;
using PolyAi.Messaging.Contracts;

namespace PolyAi.Messaging.DevStack;

/// <summary>
/// The whole system on one machine, each part its own process: the dev sidecar, then the verifier, agent, handoff
/// and edge. Used by the DevStack command and by the end-to-end tests.
/// </summary>
public sealed class DevStackHost : IAsyncDisposable
{
    public const string Edge = "edge";
    public const string Verifier = "verifier";
    public const string Agent = "agent";
    public const string Handoff = "handoff";
    public const string Sidecar = "sidecar";
    public const string Genesys = "genesys";

    /// <summary>The services that have a Dapr sidecar (their app id is their name).</summary>
    public static readonly IReadOnlyList<string> DaprApps = [Verifier, Agent, Handoff];

    private const string HandoffGrpc = "handoff-grpc";

    private static readonly (string Name, string Folder, string Assembly)[] Services =
    [
        (Verifier, "services/Verifier", "Verifier"),
        (Agent, "services/Agent", "Agent"),
        (Handoff, "services/Handoff", "Handoff"),
        (Edge, "services/Edge", "Edge"),
    ];

    private readonly Dictionary<string, ChildProcess> _children = new();
    private readonly Dictionary<string, Uri> _serviceUrls = new();
    private readonly Dictionary<string, (Uri Http, Uri Grpc)> _sidecars = new();

    // What the sidecar sends the apps as dapr-api-token (APP_API_TOKEN), fresh per run: only it may deliver events.
    private readonly string _appApiToken = Convert.ToHexString(System.Security.Cryptography.RandomNumberGenerator.GetBytes(16));

    // The agent → handoff gRPC token (Handoff:RpcTokenSecret), fresh per run, in the local secrets file as in production's store.
    private const string HandoffRpcSecret = "handoff-rpc";
    private readonly string _handoffRpcToken = Convert.ToHexString(System.Security.Cryptography.RandomNumberGenerator.GetBytes(16));
    private readonly HttpClient _http = new() { Timeout = TimeSpan.FromSeconds(5) };
    private readonly DevStackOptions _options;

    private DevStackHost(DevStackOptions options, StackLayout layout, string stateDirectory)
    {
        _options = options;
        Layout = layout;
        StateDirectory = stateDirectory;
    }

    public StackLayout Layout { get; }

    public string StateDirectory { get; }

    public IReadOnlyList<RegisteredTenant> Tenants { get; private set; } = [];

    public Uri EdgeUrl => _serviceUrls[Edge];

    /// <summary>The Genesys simulator standing in for Genesys Cloud (API, login, control API, /desktop).</summary>
    public Uri GenesysUrl => _serviceUrls[Genesys];

    /// <summary>The handoff service's gRPC (HTTP/2) endpoint, called by the agent.</summary>
    public Uri HandoffGrpcUrl => _serviceUrls[HandoffGrpc];

    /// <summary>What a gRPC call to the handoff service must carry as <c>authorization</c> (the agent's token; local runs only).</summary>
    public string HandoffRpcAuthorization => "Bearer " + _handoffRpcToken;

    /// <summary>The gRPC endpoint of every handoff replica, the first being <see cref="HandoffGrpcUrl"/>.</summary>
    public IReadOnlyList<Uri> HandoffGrpcUrls =>
        [HandoffGrpcUrl, .. Enumerable.Range(2, Math.Max(0, _options.HandoffReplicas - 1)).Select(i => _serviceUrls[HandoffReplica(i) + "-grpc"])];

    /// <summary>The process names of the handoff replicas: <c>handoff</c>, <c>handoff-2</c>, ...</summary>
    public IReadOnlyList<string> HandoffProcesses =>
        [Handoff, .. Enumerable.Range(2, Math.Max(0, _options.HandoffReplicas - 1)).Select(HandoffReplica)];

    /// <summary>Where compressed time starts (<see cref="DevStackOptions.TimeScale"/>); simulated now = epoch + (real − epoch) × scale.</summary>
    public DateTimeOffset TimeEpoch { get; private set; }

    public Uri ServiceUrl(string service) => _serviceUrls[service];

    /// <summary>Where a service (or a handoff replica) serves <c>/metrics</c>: a listener of its own, as in the chart.</summary>
    public Uri MetricsUrl(string service) => new(_serviceUrls[service + "-metrics"], "metrics");

    public Uri SidecarHttpEndpoint(string appId) => _sidecars[appId].Http;

    public Uri SidecarGrpcEndpoint(string appId) => _sidecars[appId].Grpc;

    /// <summary>Raised when a part of the stack exits without having been stopped: (name, exit code).</summary>
    public event Action<string, int>? PartExited;

    public static async Task<DevStackHost> StartAsync(DevStackOptions options, CancellationToken cancellationToken = default)
    {
        var layout = StackLayout.Discover();
        var stateDirectory = Path.GetFullPath(options.StateDirectory ?? layout.DefaultStateDirectory);
        var host = new DevStackHost(options, layout, stateDirectory);
        try
        {
            await host.StartAllAsync(cancellationToken);
            return host;
        }
        catch
        {
            await host.DisposeAsync();
            throw;
        }
    }

    /// <summary>Ends a service at once, as a crash would.</summary>
    public Task KillAsync(string service) => _children[service].KillAsync();

    /// <summary>Starts a service again on the same ports and waits until it is healthy.</summary>
    /// <param name="environment">Variables for this start only (e.g. <c>POLYAI_CRASH_AT</c> to arm a crash point).</param>
    public async Task RestartAsync(string service, IReadOnlyDictionary<string, string>? environment = null, CancellationToken cancellationToken = default)
    {
        var child = _children[service];
        if (child.IsRunning)
        {
            await child.KillAsync();
        }

        child.Start(environment);
        await WaitHealthyAsync(child, new Uri(_serviceUrls[service], "healthz"), cancellationToken);
    }

    /// <summary>Waits until a service has exited by itself; false if it still runs after <paramref name="within"/>.</summary>
    public Task<bool> WaitForExitAsync(string service, TimeSpan within) => _children[service].WaitForExitAsync(within);

    public bool IsRunning(string part) => _children[part].IsRunning;

    /// <summary>The operating-system process id of every running part, by name (e.g. to read its CPU time and memory).</summary>
    public IReadOnlyDictionary<string, int> ProcessIds =>
        _children.Values.Where(c => c.ProcessId is not null).ToDictionary(c => c.Name, c => c.ProcessId!.Value);

    public async ValueTask DisposeAsync()
    {
        // Services first, so nothing is left talking to a sidecar that is gone.
        foreach (var child in _children.Values.Reverse())
        {
            await child.DisposeAsync();
        }

        _http.Dispose();
    }

    private async Task StartAllAsync(CancellationToken cancellationToken)
    {
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(_options.StartTimeout);
        var ct = timeout.Token;

        var components = PrepareComponents();
        var ports = new PortPlan(_options.UseFreePorts);
        foreach (var name in Services.Select(s => s.Name).Append(Genesys).Append(HandoffGrpc))
        {
            _serviceUrls[name] = Loopback(name == Edge && !_options.UseFreePorts ? _options.EdgePort : ports.Next(name));
        }

        foreach (var (name, _, _) in Services)
        {
            _serviceUrls[name + "-metrics"] = Loopback(ports.Next(name + "-metrics"));
        }

        var replicas = Enumerable.Range(2, Math.Max(0, _options.HandoffReplicas - 1)).Select(HandoffReplica).ToList();
        var replicaPorts = _options.UseFreePorts ? ports : new PortPlan(free: true); // no fixed ports for extra replicas
        foreach (var replica in replicas)
        {
            _serviceUrls[replica] = Loopback(replicaPorts.Next(replica));
            _serviceUrls[replica + "-grpc"] = Loopback(replicaPorts.Next(replica + "-grpc"));
            _serviceUrls[replica + "-metrics"] = Loopback(replicaPorts.Next(replica + "-metrics"));
        }

        foreach (var app in DaprApps)
        {
            _sidecars[app] = (Loopback(ports.Next(app + "-dapr-http")), Loopback(ports.Next(app + "-dapr-grpc")));
        }

        var simulatorArguments = new List<string> { "--urls", Origin(GenesysUrl) };
        TimeEpoch = DateTimeOffset.UtcNow;
        if (_options.TimeScale != 1)
        {
            var epoch = TimeEpoch.ToUnixTimeMilliseconds().ToString(System.Globalization.CultureInfo.InvariantCulture);
            var scale = _options.TimeScale.ToString(System.Globalization.CultureInfo.InvariantCulture);
            simulatorArguments.AddRange(["--time-scale", scale, "--time-epoch", epoch]);
            _options.ServiceSettings["Time__Scale"] = scale;
            _options.ServiceSettings["Time__Epoch"] = epoch;
        }

        if (_options.GenesysRateLimitPerMinute is { } limit)
        {
            simulatorArguments.AddRange(["--rate-limit", limit.ToString(System.Globalization.CultureInfo.InvariantCulture)]);
        }

        // Genesys first; then the sidecar, because provisioning stores each tenant's record through it.
        var genesys = Add(Genesys, Layout.Assembly("tools/GenesysSimulator", "GenesysSimulator"), simulatorArguments, new Dictionary<string, string>());
        genesys.Start();
        await WaitHealthyAsync(genesys, new Uri(GenesysUrl, "desktop"), ct);
        var secretsFile = Path.Combine(components, "secrets.json");
        await File.WriteAllTextAsync(secretsFile, JsonSerializer.Serialize(new Dictionary<string, Dictionary<string, string>>
        {
            [HandoffRpcSecret] = new() { ["token"] = _handoffRpcToken },
        }), ct);

        var sidecarArguments = new List<string> { "--components", components, "--app-api-token", _appApiToken };
        foreach (var app in DaprApps)
        {
            var (http, grpc) = _sidecars[app];
            sidecarArguments.AddRange(["--app", $"{app}=http:{http.Port},grpc:{grpc.Port},app:{Origin(_serviceUrls[app])}"]);
        }

        var sidecar = Add(Sidecar, Layout.Assembly("tools/DevSidecar", "DevSidecar"), sidecarArguments, new Dictionary<string, string>());
        sidecar.Start();
        foreach (var app in DaprApps)
        {
            await WaitHealthyAsync(sidecar, new Uri(_sidecars[app].Http, "v1.0/healthz"), ct);
        }

        // Each tenant is provisioned exactly as an operator would with the setup CLI: role, OAuth client, typing,
        // integration with this stack's webhook URL and a fresh secret, queue, flow, routing; then simulated agents.
        var org = new TenantProvisioning(_http, GenesysUrl, EdgeUrl, secretsFile, _sidecars[Verifier].Grpc, _sidecars[Verifier].Http, _options.Log);
        await org.CreateAdminAsync(ct);
        var registered = new List<RegisteredTenant>();
        foreach (var tenant in _options.Tenants.Distinct())
        {
            var provisioned = await org.ProvisionAsync(tenant, _options.Agents.ToList(), ct);
            registered.Add(new RegisteredTenant(tenant, provisioned.WebhookSecret, WebhookUrl(tenant), provisioned.Genesys));
        }

        Tenants = registered;

        foreach (var (name, folder, assembly) in Services)
        {
            var child = Add(name, Layout.Assembly(folder, assembly), [], EnvironmentFor(name));
            child.Start();
        }

        foreach (var replica in replicas)
        {
            var environment = EnvironmentFor(Handoff);
            environment["ASPNETCORE_URLS"] = Origin(_serviceUrls[replica]);
            environment["Kestrel__Endpoints__Http__Url"] = Origin(_serviceUrls[replica]);
            environment["Kestrel__Endpoints__Grpc__Url"] = Origin(_serviceUrls[replica + "-grpc"]);
            environment["Metrics__Url"] = Origin(_serviceUrls[replica + "-metrics"]);
            Add(replica, Layout.Assembly("services/Handoff", "Handoff"), [], environment).Start();
        }

        foreach (var name in Services.Select(s => s.Name).Concat(replicas))
        {
            await WaitHealthyAsync(_children[name], new Uri(_serviceUrls[name], "healthz"), ct);
        }
    }

    private static string HandoffReplica(int number) => $"{Handoff}-{number}";

    private string PrepareComponents()
    {
        var components = Path.Combine(StateDirectory, "components");
        Directory.CreateDirectory(components);
        foreach (var file in Directory.EnumerateFiles(Layout.LocalComponents, "*.yaml"))
        {
            File.Copy(file, Path.Combine(components, Path.GetFileName(file)), overwrite: true);
        }

        return components;
    }

    private Uri WebhookUrl(TenantKey tenant) => new(EdgeUrl, $"webhooks/genesys/{tenant}/events");

    private static string Origin(Uri url) => url.GetLeftPart(UriPartial.Authority);

    private Dictionary<string, string> EnvironmentFor(string service)
    {
        var environment = new Dictionary<string, string>(_options.ServiceSettings)
        {
            ["ASPNETCORE_URLS"] = Origin(_serviceUrls[service]),
            ["Metrics__Url"] = Origin(_serviceUrls[service + "-metrics"]),
            ["ASPNETCORE_ENVIRONMENT"] = "Development",
            ["DOTNET_NOLOGO"] = "1",
        };
        if (_sidecars.TryGetValue(service, out var sidecar))
        {
            environment["DAPR_HTTP_ENDPOINT"] = Origin(sidecar.Http);
            environment["DAPR_GRPC_ENDPOINT"] = Origin(sidecar.Grpc);
            environment["APP_API_TOKEN"] = _appApiToken;
        }

        switch (service)
        {
            case Edge:
                environment["ReverseProxy__Clusters__verifier__Destinations__primary__Address"] = _serviceUrls[Verifier].ToString();
                environment["ReverseProxy__Clusters__agent__Destinations__primary__Address"] = _serviceUrls[Agent].ToString();
                foreach (var (tenant, index) in _options.Tenants.Distinct().Select((t, i) => (t, i)))
                {
                    environment[$"Edge__DemoTenants__{index}"] = tenant.ToString();
                }

                break;
            case Agent:
                environment["Handoff__GrpcAddress"] = Origin(HandoffGrpcUrl);
                environment["Handoff__RpcTokenSecret"] = HandoffRpcSecret;
                break;
            case Handoff:
                environment["Handoff__RpcTokenSecret"] = HandoffRpcSecret;
                // HTTP/1.1 for health, metrics and Dapr deliveries; HTTP/2 cleartext for the agent's gRPC calls.
                environment["Kestrel__Endpoints__Http__Url"] = Origin(_serviceUrls[Handoff]);
                environment["Kestrel__Endpoints__Grpc__Url"] = Origin(HandoffGrpcUrl);
                environment["Kestrel__Endpoints__Grpc__Protocols"] = "Http2";
                break;
        }

        return environment;
    }

    private ChildProcess Add(string name, string assembly, IEnumerable<string> arguments, IReadOnlyDictionary<string, string> environment)
    {
        var child = new ChildProcess(name, assembly, arguments, environment, _options.Log);
        child.ExitedUnexpectedly += (c, code) => PartExited?.Invoke(c.Name, code);
        _children[name] = child;
        return child;
    }

    private async Task WaitHealthyAsync(ChildProcess child, Uri health, CancellationToken ct)
    {
        using var poll = new PeriodicTimer(TimeSpan.FromMilliseconds(100));
        try
        {
            do
            {
                if (!child.IsRunning)
                {
                    throw new InvalidOperationException($"{child.Name} exited while starting. Its last output:{Environment.NewLine}{child.RecentOutput}");
                }

                if (await IsHealthyAsync(health, ct))
                {
                    return;
                }
            }
            while (await poll.WaitForNextTickAsync(ct));
        }
        catch (OperationCanceledException) when (ct.IsCancellationRequested)
        {
        }

        throw new TimeoutException($"{child.Name} was not healthy at {health} within {_options.StartTimeout.TotalSeconds:0} s. Its last output:{Environment.NewLine}{child.RecentOutput}");
    }

    private async Task<bool> IsHealthyAsync(Uri health, CancellationToken ct)
    {
        try
        {
            using var response = await _http.GetAsync(health, ct);
            return response.IsSuccessStatusCode;
        }
        catch (HttpRequestException)
        {
            return false; // not listening yet
        }
        catch (TaskCanceledException) when (!ct.IsCancellationRequested)
        {
            return false; // a slow answer during start-up
        }
    }

    private static Uri Loopback(int port) => new($"http://127.0.0.1:{port}/");

    /// <summary>Fixed, memorable ports for people; free ones for tests.</summary>
    private sealed class PortPlan(bool free)
    {
        private static readonly Dictionary<string, int> Fixed = new()
        {
            [Verifier] = 5101, [Agent] = 5102, [Handoff] = 5103, [HandoffGrpc] = 5113, [Edge] = 8080, [Genesys] = 9090,
            ["edge-metrics"] = 5200, ["verifier-metrics"] = 5201, ["agent-metrics"] = 5202, ["handoff-metrics"] = 5203,
            ["verifier-dapr-http"] = 3501, ["verifier-dapr-grpc"] = 50001,
            ["agent-dapr-http"] = 3502, ["agent-dapr-grpc"] = 50002,
            ["handoff-dapr-http"] = 3503, ["handoff-dapr-grpc"] = 50003,
        };

        private readonly HashSet<int> _taken = [];

        public int Next(string name)
        {
            if (!free)
            {
                return Fixed[name];
            }

            while (true)
            {
                using var listener = new TcpListener(IPAddress.Loopback, 0);
                listener.Start();
                var port = ((IPEndPoint)listener.LocalEndpoint).Port;
                if (_taken.Add(port))
                {
                    return port;
                }
            }
        }
    }
}

using System.Collections.Concurrent;
using PolyAi.Messaging.DevStack;

namespace PolyAi.Messaging.Deployment.Tests;

/// <summary>
/// The real services, started by DevStack's code on free ports, and what each one's /metrics printed right after
/// start-up — before any traffic, which is what a freshly deployed region shows its dashboard.
/// </summary>
public sealed class MetricsFixture : IAsyncLifetime
{
    private readonly string _stateDirectory = Path.Combine(Path.GetTempPath(), "polyai-deploy-" + Guid.NewGuid().ToString("N"));
    private readonly ConcurrentQueue<string> _log = new();
    private DevStackHost? _stack;

    /// <summary>Service → the metric (sample) names its /metrics printed.</summary>
    public Dictionary<string, HashSet<string>> Exported { get; } = new();

    /// <summary>Service → its <c># HELP</c> and <c># TYPE</c> lines, by metric family.</summary>
    public Dictionary<string, Dictionary<string, string>> Described { get; } = new();

    public DevStackHost Stack => _stack ?? throw new InvalidOperationException("not started");

    public string RecentLog => string.Join(Environment.NewLine, _log.TakeLast(60));

    public async Task InitializeAsync()
    {
        _stack = await DevStackHost.StartAsync(new DevStackOptions
        {
            UseFreePorts = true,
            StateDirectory = _stateDirectory,
            Log = (service, line) => _log.Enqueue($"{service}: {line}"),
            StartTimeout = TimeSpan.FromSeconds(90),
        });
        using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(10) };
        foreach (var service in Repo.Services)
        {
            var text = await http.GetStringAsync(_stack.MetricsUrl(service));
            Exported[service] = text.Split('\n')
                .Where(line => line.Length > 0 && line[0] != '#')
                .Select(line => line[..line.IndexOfAny(['{', ' '])])
                .ToHashSet();
            Described[service] = text.Split('\n')
                .Where(line => line.StartsWith("# HELP ", StringComparison.Ordinal) || line.StartsWith("# TYPE ", StringComparison.Ordinal))
                .GroupBy(line => line.Split(' ')[2])
                .ToDictionary(g => g.Key, g => string.Join('\n', g.Order(StringComparer.Ordinal)));
        }
    }

    public async Task DisposeAsync()
    {
        if (_stack is not null)
        {
            await _stack.DisposeAsync();
        }

        try
        {
            Directory.Delete(_stateDirectory, recursive: true);
        }
        catch (IOException)
        {
            // A leftover temp folder is harmless.
        }
    }
}

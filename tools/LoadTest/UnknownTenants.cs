using System.Collections.Concurrent;
using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Http.Headers;
using System.Security.Cryptography;
using System.Text;
using PolyAi.Messaging.DevStack;

namespace PolyAi.Messaging.LoadTest;

/// <summary>What the unknown-tenants phase saw, per target (the edge, and the verifier directly).</summary>
public sealed class UnknownTenantsResult
{
    public int RequestsPerTarget { get; init; }

    public IList<UnknownTenantsTarget> Targets { get; } = new List<UnknownTenantsTarget>();

    /// <summary>Each process's RSS right after start-up, before the (unmeasured) warm-up.</summary>
    public IDictionary<string, double> ColdRssMiB { get; } = new SortedDictionary<string, double>();

    public bool Ok => Targets.All(t => t.ServerErrors == 0 && t.TransportErrors == 0);

    public string ToMarkdown()
    {
        var c = CultureInfo.InvariantCulture;
        var md = new StringBuilder();
        md.AppendLine(c, $"Unknown tenants: {RequestsPerTarget} webhooks per target, each to a tenant path never registered (a new one per request), with a well-formed random signature; through the edge from rotating loopback source addresses, and straight to the verifier. Production limits (nothing lifted).");
        md.AppendLine(c, $"RSS right after start-up (before a warm-up of a tenth of the traffic, at most 20 000, unmeasured): {string.Join(", ", ColdRssMiB.Select(p => $"{p.Key} {p.Value:0} MiB"))}. \"idle\" below is after that warm-up.");
        md.AppendLine();
        md.AppendLine("| target | sent | answers | transport errors | took s | process | RSS MiB idle → end (+Δ) | VmHWM MiB | log lines written |");
        md.AppendLine("|---|---:|---|---:|---:|---|---|---:|---:|");
        foreach (var t in Targets)
        {
            foreach (var (process, p) in t.Processes)
            {
                md.AppendLine(c, $"| {t.Name} | {t.Sent} | {string.Join(", ", t.Statuses.OrderBy(s => s.Key).Select(s => $"{s.Key}×{s.Value}"))} | {t.TransportErrors} | {t.Took.TotalSeconds:0} | {process} | {p.RssBeforeMiB:0} → {p.RssAfterMiB:0} ({p.RssAfterMiB - p.RssBeforeMiB:+0;-0;+0}) | {p.PeakMiB:0} | {p.LogLines} |");
            }
        }

        return md.ToString();
    }
}

public sealed class UnknownTenantsTarget(string name)
{
    public string Name { get; } = name;

    private long _sent;
    private long _transportErrors;

    public long Sent => Interlocked.Read(ref _sent);

    public long TransportErrors => Interlocked.Read(ref _transportErrors);

    public void CountSent() => Interlocked.Increment(ref _sent);

    public void CountTransportError() => Interlocked.Increment(ref _transportErrors);

    public ConcurrentDictionary<int, long> Statuses { get; } = new();

    public long ServerErrors => Statuses.Where(s => s.Key >= 500).Sum(s => s.Value);

    public TimeSpan Took { get; set; }

    public IDictionary<string, ProcessMemory> Processes { get; } = new SortedDictionary<string, ProcessMemory>();
}

public sealed record ProcessMemory(double RssBeforeMiB, double RssAfterMiB, double PeakMiB, long LogLines);

/// <summary>
/// Issue 12, property 5: a stream of webhooks to tenant paths nobody registered must leave the edge and the verifier
/// within a bounded memory and write at most a few hundred log lines. Its own stack with the production limits; the
/// processes' output lines counted as they print them.
/// </summary>
public static class UnknownTenants
{
    private const int Workers = 32;

    /// <summary>A new source address this often through the edge, so its per-address table fills past its bound.</summary>
    private const int RequestsPerAddress = 16;

    private static readonly byte[] Body = Encoding.UTF8.GetBytes("""{"id":"n-1","channel":{"id":"integration-1"},"type":"Text","text":"hi"}""");

    public static async Task<UnknownTenantsResult> RunAsync(LoadTestOptions options, Action<string, string> childLog, CancellationToken cancellationToken)
    {
        var lines = new ConcurrentDictionary<string, long>();
        var state = Path.Combine(Path.GetTempPath(), "polyai-loadtest-" + Guid.NewGuid().ToString("N"));
        var devStack = new DevStackOptions
        {
            UseFreePorts = true,
            StateDirectory = state,
            StartTimeout = TimeSpan.FromSeconds(120),
            Log = (name, line) =>
            {
                lines.AddOrUpdate(name, 1, (_, n) => n + 1);
                childLog(name, line);
            },
        };
        var result = new UnknownTenantsResult { RequestsPerTarget = options.UnknownTenants };
        options.Log($"unknown tenants: {options.UnknownTenants} webhooks to made-up tenant paths, through the edge and straight to the verifier ...");
        try
        {
            await using var stack = await DevStackHost.StartAsync(devStack, cancellationToken);
            stack.PartExited += (name, code) => options.Log($"!!! {name} exited with code {code} during the run");
            var pids = stack.ProcessIds;
            await Settle.QuietAsync(pids, TimeSpan.FromSeconds(30), 0.1, cancellationToken);
            foreach (var process in new[] { DevStackHost.Edge, DevStackHost.Verifier })
            {
                result.ColdRssMiB[process] = ProcessSampler.WorkingSetMiB(pids[process]) ?? 0;
            }

            // Warm-up (JIT, thread pool, GC heaps sized): the same traffic, a tenth of it, not measured.
            var warmUp = Math.Min(20_000, Math.Max(1, options.UnknownTenants / 10));
            await SendAsync(stack.EdgeUrl, warmUp, rotateAddresses: true, new UnknownTenantsTarget("warm-up"), offset: 1L << 40, cancellationToken);
            await SendAsync(stack.ServiceUrl(DevStackHost.Verifier), warmUp, rotateAddresses: false, new UnknownTenantsTarget("warm-up"), offset: 2L << 40, cancellationToken);
            await Settle.QuietAsync(pids, TimeSpan.FromSeconds(30), 0.1, cancellationToken);
            foreach (var (name, url, rotate) in new[] { ("edge", stack.EdgeUrl, true), ("verifier", stack.ServiceUrl(DevStackHost.Verifier), false) })
            {
                var target = new UnknownTenantsTarget(name);
                var before = new Dictionary<string, (double Rss, long Lines)>();
                foreach (var process in new[] { DevStackHost.Edge, DevStackHost.Verifier })
                {
                    before[process] = (ProcessSampler.WorkingSetMiB(pids[process]) ?? 0, lines.GetValueOrDefault(process));
                }

                var clock = Stopwatch.StartNew();
                await SendAsync(url, options.UnknownTenants, rotate, target, offset: 0, cancellationToken);
                target.Took = clock.Elapsed;
                await Settle.QuietAsync(pids, TimeSpan.FromSeconds(30), 0.1, cancellationToken);
                foreach (var process in new[] { DevStackHost.Edge, DevStackHost.Verifier })
                {
                    target.Processes[process] = new ProcessMemory(
                        before[process].Rss,
                        ProcessSampler.WorkingSetMiB(pids[process]) ?? 0,
                        ProcessSampler.PeakWorkingSetMiB(pids[process]) ?? 0,
                        lines.GetValueOrDefault(process) - before[process].Lines);
                }

                options.Log($"  {name}: {target.Sent} sent in {target.Took.TotalSeconds:0} s; {string.Join(", ", target.Statuses.OrderBy(s => s.Key).Select(s => $"{s.Key}×{s.Value}"))}; {target.TransportErrors} transport errors; "
                    + string.Join("; ", target.Processes.Select(p => $"{p.Key} RSS {p.Value.RssBeforeMiB:0} → {p.Value.RssAfterMiB:0} MiB, {p.Value.LogLines} log lines")));
                result.Targets.Add(target);
            }
        }
        finally
        {
            try
            {
                Directory.Delete(state, recursive: true);
            }
            catch (IOException)
            {
                // A temp directory left behind is harmless.
            }
        }

        return result;
    }

    private static async Task SendAsync(Uri origin, int total, bool rotateAddresses, UnknownTenantsTarget target, long offset, CancellationToken cancellationToken)
    {
        var next = -1L;
        await Parallel.ForEachAsync(Enumerable.Range(0, Workers), new ParallelOptions { MaxDegreeOfParallelism = Workers, CancellationToken = cancellationToken }, async (worker, ct) =>
        {
            HttpClient? http = null;
            var sentOnClient = 0;
            try
            {
                long i;
                while ((i = Interlocked.Increment(ref next)) < total)
                {
                    if (http is null || (rotateAddresses && sentOnClient >= RequestsPerAddress))
                    {
                        http?.Dispose();
                        http = Client(origin, rotateAddresses ? AddressFor(offset / 4 + i) : null);
                        sentOnClient = 0;
                    }

                    sentOnClient++;
                    using var request = new HttpRequestMessage(HttpMethod.Post, $"webhooks/genesys/nobody-{offset + i:x}/project/prod/events")
                    {
                        Content = new ByteArrayContent(Body),
                    };
                    request.Content.Headers.ContentType = new MediaTypeHeaderValue("application/json");
                    request.Headers.TryAddWithoutValidation("X-Hub-Signature-256", "sha256=" + Convert.ToBase64String(RandomNumberGenerator.GetBytes(32)));
                    try
                    {
                        using var response = await http.SendAsync(request, ct);
                        target.Statuses.AddOrUpdate((int)response.StatusCode, 1, (_, n) => n + 1);
                    }
                    catch (HttpRequestException)
                    {
                        target.CountTransportError();
                    }

                    target.CountSent();
                }
            }
            finally
            {
                http?.Dispose();
            }
        });
    }

    /// <summary>127.x.y.z for request <paramref name="i"/>: a new address every <see cref="RequestsPerAddress"/> requests.</summary>
    private static IPAddress AddressFor(long i)
    {
        var n = (i / RequestsPerAddress % 16_000_000) + 2;
        return new IPAddress([127, (byte)(n >> 16), (byte)(n >> 8), (byte)n]);
    }

    private static HttpClient Client(Uri origin, IPAddress? source) => new(new SocketsHttpHandler
    {
        UseProxy = false,
        MaxConnectionsPerServer = 1,
        ConnectCallback = SourceAddress.Connect(() => source),
    })
    {
        BaseAddress = origin,
        Timeout = TimeSpan.FromSeconds(30),
    };
}

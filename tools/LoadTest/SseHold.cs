using System.Collections.Concurrent;
using System.Diagnostics;
using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Runtime.CompilerServices;
using System.Text.Json;

namespace PolyAi.Messaging.LoadTest;

/// <summary>What the open-streams phase saw: how many streams held, the agent's memory and CPU with them open, and
/// whether a message still reached a stream while they all were.</summary>
public sealed class SseResult
{
    public int Requested { get; init; }

    public int Created { get; set; }

    public int Opened { get; set; }

    /// <summary>Streams that were open when the hold ended (the others ended or failed during it).</summary>
    public int StillOpen { get; set; }

    public IDictionary<string, int> Failures { get; } = new SortedDictionary<string, int>();

    public TimeSpan CreateTime { get; set; }

    public TimeSpan OpenTime { get; set; }

    public TimeSpan Hold { get; set; }

    /// <summary>The agent's <c>VmRSS</c> before any conversation was created, after they were, with every stream open (start and end of the hold).</summary>
    public double RssBeforeMiB { get; set; }

    public double RssCreatedMiB { get; set; }

    public double RssOpenMiB { get; set; }

    public double RssEndMiB { get; set; }

    /// <summary>Highest <c>VmRSS</c> sampled each second during the hold.</summary>
    public double RssHoldMaxMiB { get; set; }

    /// <summary>The agent's <c>VmHWM</c> at the end: its peak since it started (creating and opening included).</summary>
    public double PeakMiB { get; set; }

    public double AgentCpuSeconds { get; set; }

    public double ClientCpuSeconds { get; set; }

    /// <summary>With <c>--sse-through-edge</c>: the edge's <c>VmRSS</c> before, created, open, end of hold, and its <c>VmHWM</c>.</summary>
    public double[]? EdgeRssMiB { get; set; }

    public double ClientRssMiB { get; set; }

    public long Events { get; set; }

    public long KeepAlives { get; set; }

    /// <summary>From posting a customer message to its <c>message</c> event on the same conversation's stream.</summary>
    public LatencyHistogram Delivery { get; } = new();

    public int Probes { get; set; }

    public int ProbesUndelivered { get; set; }

    public bool Ok => Opened == Requested && StillOpen == Requested && Probes > 0 && ProbesUndelivered == 0;
}

/// <summary>
/// N customer conversations created on the agent's chat API (directly, so the edge neither limits nor holds the
/// connections), each with its SSE stream open and read continuously for <c>--sse-hold</c>, while the agent's
/// resident memory and CPU are read from /proc; then a message to a few random conversations must still arrive.
/// </summary>
public static class SseHold
{
    private const int Concurrency = 32;

    /// <summary>Connections per loopback source address through the edge: under its 100 streams per address.</summary>
    private const int ConnectionsPerAddress = 50;

    /// <param name="agent">The agent's chat API, or the edge's (then <paramref name="edgePid"/> is the edge's process).</param>
    public static async Task<SseResult> RunAsync(
        LoadTestOptions options, Uri agent, string tenant, int agentPid, int? edgePid, CancellationToken cancellationToken)
    {
        var n = options.SseStreams;
        var result = new SseResult { Requested = n };
        options.Log($"sse streams: {n} conversations on {agent} ({tenant}), streams held {options.SseHold.TotalSeconds:0} s");
        var connections = 0;
        IPAddress NextAddress()
        {
            var k = (Interlocked.Increment(ref connections) / ConnectionsPerAddress) + 2;
            return new IPAddress([127, 1, (byte)(k >> 8), (byte)k]);
        }

        using var http = new HttpClient(new SocketsHttpHandler
        {
            UseProxy = false,
            MaxConnectionsPerServer = int.MaxValue,
            PooledConnectionIdleTimeout = TimeSpan.FromMinutes(10),
            // Through the edge, a new loopback source address every ConnectionsPerAddress connections.
            ConnectCallback = SourceAddress.Connect(() => edgePid is null ? null : NextAddress()),
        })
        {
            BaseAddress = agent,
            Timeout = Timeout.InfiniteTimeSpan,
        };

        double EdgeRss() => edgePid is { } pid ? ProcessSampler.WorkingSetMiB(pid) ?? 0 : 0;
        var edgeRss = new double[5];
        await Task.Delay(TimeSpan.FromSeconds(2), cancellationToken);
        result.RssBeforeMiB = ProcessSampler.WorkingSetMiB(agentPid) ?? 0;
        edgeRss[0] = EdgeRss();

        // Create: bounded concurrency, through the chat API.
        var conversations = new (string Id, string Token)[n];
        var created = 0;
        var clock = Stopwatch.StartNew();
        await Parallel.ForEachAsync(Enumerable.Range(0, n), new ParallelOptions { MaxDegreeOfParallelism = Concurrency, CancellationToken = cancellationToken }, async (i, ct) =>
        {
            try
            {
                using var response = await http.PostAsJsonAsync(
                    $"v1/chat/{tenant}/conversations", new { customer = new { firstName = "Sse", lastName = $"Hold {i}" }, locale = "en" }, ct);
                if (response.StatusCode != HttpStatusCode.Created)
                {
                    Fail(result, $"create {(int)response.StatusCode}");
                    return;
                }

                var body = await response.Content.ReadFromJsonAsync<JsonElement>(ct);
                conversations[i] = (body.GetProperty("conversationId").GetString()!, body.GetProperty("token").GetString()!);
                Interlocked.Increment(ref created);
            }
            catch (HttpRequestException e)
            {
                Fail(result, $"create: {e.Message}");
            }
        });
        result.Created = created;
        result.CreateTime = clock.Elapsed;
        options.Log($"  created {created}/{n} in {clock.Elapsed.TotalSeconds:0.0} s");
        await Settle.QuietAsync(new Dictionary<string, int> { ["agent"] = agentPid }, TimeSpan.FromSeconds(30), 0.1, cancellationToken);
        result.RssCreatedMiB = ProcessSampler.WorkingSetMiB(agentPid) ?? 0;
        edgeRss[1] = EdgeRss();

        // Open: one stream per conversation, bounded concurrency while connecting, then every stream read continuously.
        var set = new StreamSet(http, result);
        var gate = new SemaphoreSlim(Concurrency * 2);
        clock.Restart();
        var opens = new List<Task>(n);
        foreach (var (id, token) in conversations.Where(c => c.Id is not null))
        {
            await gate.WaitAsync(cancellationToken);
            var opened = set.Open(id, token);
            opens.Add(opened.ContinueWith(_ => gate.Release(), CancellationToken.None, TaskContinuationOptions.None, TaskScheduler.Default));
        }

        await Task.WhenAll(opens).WaitAsync(TimeSpan.FromMinutes(5), cancellationToken);
        gate.Dispose();
        result.Opened = set.Open_;
        result.OpenTime = clock.Elapsed;
        options.Log($"  opened {result.Opened}/{n} streams in {clock.Elapsed.TotalSeconds:0.0} s");

        try
        {
            // Hold: idle, every stream open and read; the agent's RSS each second, its CPU over the hold.
            await Settle.QuietAsync(new Dictionary<string, int> { ["agent"] = agentPid }, TimeSpan.FromSeconds(30), 0.1, cancellationToken);
            result.RssOpenMiB = ProcessSampler.WorkingSetMiB(agentPid) ?? 0;
            edgeRss[2] = EdgeRss();
            var sampler = new ProcessSampler(new Dictionary<string, int> { ["agent"] = agentPid, ["loadtest (client)"] = Environment.ProcessId });
            clock.Restart();
            while (clock.Elapsed < options.SseHold)
            {
                await Task.Delay(TimeSpan.FromSeconds(1), cancellationToken);
                result.RssHoldMaxMiB = Math.Max(result.RssHoldMaxMiB, ProcessSampler.WorkingSetMiB(agentPid) ?? 0);
            }

            result.Hold = clock.Elapsed;
            var usage = sampler.Stop();
            result.AgentCpuSeconds = usage.First(u => u.Name == "agent").CpuSeconds;
            result.ClientCpuSeconds = usage.First(u => u.Name != "agent").CpuSeconds;
            result.ClientRssMiB = usage.First(u => u.Name != "agent").WorkingSetMiB;
            result.RssEndMiB = usage.First(u => u.Name == "agent").WorkingSetMiB;
            result.PeakMiB = usage.First(u => u.Name == "agent").PeakWorkingSetMiB;
            result.StillOpen = set.StillOpen;
            if (edgePid is { } edge)
            {
                edgeRss[3] = EdgeRss();
                edgeRss[4] = ProcessSampler.PeakWorkingSetMiB(edge) ?? 0;
                result.EdgeRssMiB = edgeRss;
                options.Log($"  edge RSS before / created / open / end of hold: {edgeRss[0]:0} / {edgeRss[1]:0} / {edgeRss[2]:0} / {edgeRss[3]:0} MiB, VmHWM {edgeRss[4]:0} MiB");
            }
            options.Log($"  held {result.Hold.TotalSeconds:0} s: agent RSS {result.RssEndMiB:0} MiB (max {result.RssHoldMaxMiB:0}, peak {result.PeakMiB:0}), CPU {result.AgentCpuSeconds:0.00} s; {result.StillOpen} still open");

            // Probes: a customer message to a few random conversations must arrive on their streams.
            var random = new Random(7);
            var ids = set.OpenIds;
            result.Probes = Math.Min(options.SseProbes, ids.Count);
            for (var p = 0; p < result.Probes; p++)
            {
                var (id, token) = ids[random.Next(ids.Count)];
                if (!await set.ProbeAsync(id, token, TimeSpan.FromSeconds(10), cancellationToken))
                {
                    result.ProbesUndelivered++;
                }

                await Task.Delay(100, cancellationToken);
            }

            options.Log($"  probes: {result.Probes - result.ProbesUndelivered}/{result.Probes} delivered, p50 {result.Delivery.PercentileMilliseconds(50):0.0} ms, max {result.Delivery.MaxMicroseconds / 1000.0:0.0} ms");
        }
        finally
        {
            await set.DisposeAsync();
            result.Events = set.Events;
            result.KeepAlives = set.KeepAlives;
        }

        return result;
    }

    private static void Fail(SseResult result, string reason)
    {
        lock (result.Failures)
        {
            result.Failures[reason] = result.Failures.TryGetValue(reason, out var k) ? k + 1 : 1;
        }
    }

    /// <summary>The open streams: each read line by line, events and keep-alives counted, probe messages matched by text.</summary>
    private sealed class StreamSet(HttpClient http, SseResult result) : IAsyncDisposable
    {
        private readonly CancellationTokenSource _stop = new();
        private readonly ConcurrentBag<Task> _readers = [];
        private readonly ConcurrentDictionary<string, (string Token, StrongBox<bool> Open)> _open = new();
        private readonly ConcurrentDictionary<string, TaskCompletionSource> _awaited = new();
        private int _opened;
        private long _events;
        private long _keepAlives;

        public int Open_ => Volatile.Read(ref _opened);

        public int StillOpen => _open.Values.Count(o => o.Open.Value);

        public IReadOnlyList<(string Id, string Token)> OpenIds => [.. _open.Where(o => o.Value.Open.Value).Select(o => (o.Key, o.Value.Token))];

        public long Events => Interlocked.Read(ref _events);

        public long KeepAlives => Interlocked.Read(ref _keepAlives);

        /// <summary>Starts reading the conversation's stream; the task completes when its headers arrived (or it failed).</summary>
        public Task Open(string id, string token)
        {
            var opened = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            _readers.Add(Task.Run(() => ReadAsync(id, token, opened)));
            return opened.Task;
        }

        public async Task<bool> ProbeAsync(string id, string token, TimeSpan within, CancellationToken cancellationToken)
        {
            var text = "sse-probe-" + Guid.NewGuid().ToString("N");
            var arrived = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            _awaited[text] = arrived;
            var sentAt = Stopwatch.GetTimestamp();
            using var request = new HttpRequestMessage(HttpMethod.Post, $"v1/chat/conversations/{id}/messages") { Content = JsonContent.Create(new { text }) };
            request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token);
            using var response = await http.SendAsync(request, cancellationToken);
            if (response.StatusCode != HttpStatusCode.Accepted)
            {
                Fail(result, $"probe {(int)response.StatusCode}");
                _awaited.TryRemove(text, out _);
                return false;
            }

            try
            {
                await arrived.Task.WaitAsync(within, cancellationToken);
                result.Delivery.Record(Stopwatch.GetElapsedTime(sentAt));
                return true;
            }
            catch (TimeoutException)
            {
                _awaited.TryRemove(text, out _);
                return false;
            }
        }

        public async ValueTask DisposeAsync()
        {
            await _stop.CancelAsync();
            foreach (var reader in _readers)
            {
                await reader;
            }

            _stop.Dispose();
        }

        private async Task ReadAsync(string id, string token, TaskCompletionSource opened)
        {
            var open = new StrongBox<bool>(false);
            try
            {
                using var request = new HttpRequestMessage(HttpMethod.Get, $"v1/chat/conversations/{id}/events");
                request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token);
                request.Headers.Accept.Add(new MediaTypeWithQualityHeaderValue("text/event-stream"));
                using var response = await http.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, _stop.Token);
                if (!response.IsSuccessStatusCode)
                {
                    Fail(result, $"stream {(int)response.StatusCode}");
                    opened.TrySetResult();
                    return;
                }

                open.Value = true;
                _open[id] = (token, open);
                Interlocked.Increment(ref _opened);
                opened.TrySetResult();
                using var reader = new StreamReader(await response.Content.ReadAsStreamAsync(_stop.Token));
                while (await reader.ReadLineAsync(_stop.Token) is { } line)
                {
                    if (line.StartsWith(':'))
                    {
                        Interlocked.Increment(ref _keepAlives);
                    }
                    else if (line.StartsWith("event:", StringComparison.Ordinal))
                    {
                        Interlocked.Increment(ref _events);
                    }
                    else if (line.StartsWith("data:", StringComparison.Ordinal) && line.Contains("sse-probe-", StringComparison.Ordinal))
                    {
                        var at = line.IndexOf("sse-probe-", StringComparison.Ordinal);
                        var text = line.Substring(at, "sse-probe-".Length + 32);
                        if (_awaited.TryRemove(text, out var arrived))
                        {
                            arrived.TrySetResult();
                        }
                    }
                }

                if (!_stop.IsCancellationRequested)
                {
                    Fail(result, "stream ended by the server");
                }
            }
            catch (OperationCanceledException) when (_stop.IsCancellationRequested)
            {
            }
            catch (Exception e) when (e is HttpRequestException or IOException)
            {
                Fail(result, $"stream: {e.GetType().Name}: {e.Message}");
            }
            finally
            {
                open.Value = false;
                opened.TrySetResult();
            }
        }
    }
}

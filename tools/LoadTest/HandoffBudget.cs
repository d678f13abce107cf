using System.Globalization;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using Dapr.Client;
using Grpc.Core;
using Grpc.Core.Interceptors;
using Grpc.Net.Client;
using PolyAi.Messaging.Contracts;
using PolyAi.Messaging.DevStack;
using Customer = PolyAi.Messaging.Handoff.V1.Customer;
using HandoffClient = PolyAi.Messaging.Handoff.V1.Handoff.HandoffClient;
using StartHandoffRequest = PolyAi.Messaging.Handoff.V1.StartHandoffRequest;
using WireTenant = PolyAi.Messaging.Handoff.V1.Tenant;
using PolyAi.Messaging.ServiceDefaults.Time;

namespace PolyAi.Messaging.LoadTest;

/// <summary>
/// Issue 11 item 3: N concurrent handoffs on one tenant, handoff replicas sharing its Genesys budget, simulated
/// minutes in compressed time. Starts are ramped through the handoff gRPC API over the replicas; scripted agents
/// accept; each conversation is ended by its agent at a scheduled simulated time (spread over the rest of the run);
/// then the simulator's API call log gives 429s and requests per simulated minute, and each session's
/// <c>endedAt</c> against the agent's <c>endTime</c> gives the end-detection latency.
/// </summary>
public static partial class HandoffBudget
{
    private const int BudgetPerMinute = 300;

    public static async Task<HandoffBudgetResult> RunAsync(LoadTestOptions options, IReadOnlyDictionary<string, string> settings, Action<string, string> childLog, CancellationToken cancellationToken)
    {
        var scale = options.TimeScale;
        var state = Path.Combine(Path.GetTempPath(), "polyai-loadtest-handoffs-" + Guid.NewGuid().ToString("N"));
        var devStack = new DevStackOptions
        {
            UseFreePorts = true, StateDirectory = state, Log = childLog, StartTimeout = TimeSpan.FromSeconds(180),
            HandoffReplicas = options.HandoffReplicas, TimeScale = scale, GenesysRateLimitPerMinute = options.GenesysRateLimit,
        };
        devStack.Agents.Clear(); // the benchmark's agents are added below, with its own script
        foreach (var (key, value) in settings)
        {
            devStack.ServiceSettings[key] = value;
        }

        devStack.ServiceSettings["Handoff__NotificationsEnabled"] = options.HandoffNotifications ? "true" : "false";
        if (options.GenesysRateLimit is { } limit)
        {
            // The handoff service keeps itself within the budget it is told (Handoff:GenesysRequestsPerMinute): the same one.
            devStack.ServiceSettings["Handoff__GenesysRequestsPerMinute"] = limit.ToString(CultureInfo.InvariantCulture);
        }

        // The Genesys client's timeouts are simulated time too: keep them as long in real time as in production.
        devStack.ServiceSettings["Genesys__AttemptTimeout"] = TimeSpan.FromSeconds(20 * scale).ToString("c", CultureInfo.InvariantCulture);
        devStack.ServiceSettings["Genesys__TotalTimeout"] = TimeSpan.FromSeconds(90 * scale).ToString("c", CultureInfo.InvariantCulture);

        var result = new HandoffBudgetResult { Options = options, LoadAverageAtStart = Machine.LoadAverageNow() };
        options.Log($"handoffs: starting the stack ({options.HandoffReplicas} handoff replicas, time ×{scale}, notifications {(options.HandoffNotifications ? "on" : "off")}) ...");
        try
        {
            await using var stack = await DevStackHost.StartAsync(devStack, cancellationToken);
            stack.PartExited += (name, code) => options.Log($"!!! {name} exited with code {code} during the run");
            var time = new ScaledTimeProvider(scale, stack.TimeEpoch);
            var tenant = stack.Tenants[0];
            using var http = new HttpClient { BaseAddress = stack.GenesysUrl, Timeout = TimeSpan.FromSeconds(60) };
            await AddAgentsAsync(http, tenant.Genesys.QueueId, options, cancellationToken);

            using var sidecar = new HttpClient { BaseAddress = stack.SidecarHttpEndpoint(DevStackHost.Handoff), Timeout = TimeSpan.FromSeconds(60) };
            var opsBefore = await StateOpsAsync(sidecar, cancellationToken);
            var run = await DriveAsync(options, stack, tenant, http, time, result, cancellationToken);
            result.StateOps = (await StateOpsAsync(sidecar, cancellationToken)).Minus(opsBefore);
            await MeasureAsync(options, stack, tenant, http, time, run, result, cancellationToken);
        }
        finally
        {
            try
            {
                Directory.Delete(state, recursive: true);
            }
            catch (IOException)
            {
            }
        }

        result.LoadAverageAtEnd = Machine.LoadAverageNow();
        return result;
    }

    private static async Task AddAgentsAsync(HttpClient http, string queueId, LoadTestOptions options, CancellationToken ct)
    {
        for (var i = 0; i < options.HandoffAgents; i++)
        {
            // Agent times are simulated milliseconds. The agent accepts and stays silent (its reply is due after the run:
            // outbound webhooks are not what this measures); no EndAfterMessages: the run ends each conversation as its
            // agent at a scheduled time, so all N are open together and the ends spread evenly over the rest of the run.
            var script = new JsonObject
            {
                ["name"] = $"Bench agent {i + 1}", ["onQueue"] = true, ["acceptDelayMs"] = 20_000, ["replyDelayMs"] = 3_600_000,
                ["typingBeforeReply"] = false, ["replies"] = new JsonArray("Hello, a human here."), ["endAfterMessages"] = null,
            };
            using var added = await http.PostAsJsonAsync($"_sim/queues/{queueId}/agents", script, ct);
            added.EnsureSuccessStatusCode();
        }
    }

    private sealed record Planned(int Number, string ConversationId, DateTimeOffset EndAt)
    {
        public string? GenesysId { get; set; }

        public string Outcome { get; set; } = "not started";

        public int Attempts { get; set; }

        public bool EndSent { get; set; }

        /// <summary>Real seconds from the first StartHandoff call to its answer (retries included).</summary>
        public double? StartSeconds { get; set; }

        public DateTimeOffset? StartedAt { get; set; }

        public List<string> Failures { get; } = [];
    }

    private sealed record Run(DateTimeOffset Start, DateTimeOffset End, IReadOnlyList<Planned> Handoffs);

    private static async Task<Run> DriveAsync(LoadTestOptions options, DevStackHost stack, RegisteredTenant tenant, HttpClient http, ScaledTimeProvider time, HandoffBudgetResult result, CancellationToken ct)
    {
        var n = options.Handoffs;
        var start = time.GetUtcNow();
        var rampMinutes = n / options.HandoffStartsPerMinute;
        var end = start.AddMinutes(options.HandoffMinutes);
        // Ends: after every start has had time to be accepted, up to two minutes before the end of the run.
        var firstEnd = start.AddMinutes(rampMinutes + 1);
        var lastEnd = end.AddMinutes(-2);
        if (lastEnd <= firstEnd)
        {
            throw new ArgumentException($"{n} starts at {options.HandoffStartsPerMinute}/min take {rampMinutes:0.0} simulated minutes: --handoff-minutes {options.HandoffMinutes} leaves no time for the ends.");
        }

        var random = new Random(11);
        var every = options.HandoffEnds is { } sample and > 0 ? Math.Max(1, n / sample) : 1;
        var handoffs = Enumerable.Range(0, n)
            .Select(i => new Planned(i, $"bench-{i:d5}", i % every == 0 ? firstEnd + (lastEnd - firstEnd) * random.NextDouble() : DateTimeOffset.MaxValue))
            .ToList();
        result.RampMinutes = rampMinutes;
        options.Log($"handoffs: {n} starts at {options.HandoffStartsPerMinute:0}/simulated min over {rampMinutes:0.0} min, ends between minute {(firstEnd - start).TotalMinutes:0.0} and {(lastEnd - start).TotalMinutes:0.0} of {options.HandoffMinutes}");

        var channels = stack.HandoffGrpcUrls.Select(u => GrpcChannel.ForAddress(u)).ToList();
        try
        {
            // As the agent calls: with the shared token the handoff service checks (Handoff:RpcTokenSecret).
            var clients = channels.Select(c => new HandoffClient(c.Intercept(metadata =>
            {
                metadata.Add("authorization", stack.HandoffRpcAuthorization);
                return metadata;
            }))).ToList();
            var proto = new WireTenant { AccountId = tenant.Key.AccountId, ProjectId = tenant.Key.ProjectId, ClientEnv = tenant.Key.ClientEnv };
            var starts = handoffs.Select(h => StartOneAsync(h, clients[h.Number % clients.Count], proto, start.AddMinutes(h.Number / options.HandoffStartsPerMinute), end, time, ct)).ToList();
            var ends = EndAllAsync(handoffs, http, time, end, ct);
            var progress = ProgressAsync(options, handoffs, time, start, end, ct);
            await Task.WhenAll(starts);
            await ends;
            await progress;
        }
        finally
        {
            foreach (var channel in channels)
            {
                channel.Dispose();
            }
        }

        return new Run(start, end, handoffs);
    }

    /// <summary>Starts one handoff when it is due; <c>Unavailable</c> (budget spent, store busy) is retried as the agent would.</summary>
    private static async Task StartOneAsync(Planned handoff, HandoffClient client, WireTenant tenant, DateTimeOffset due, DateTimeOffset end, ScaledTimeProvider time, CancellationToken ct)
    {
        await DelayUntilAsync(time, due, ct);
        var request = new StartHandoffRequest
        {
            Tenant = tenant, ConversationId = handoff.ConversationId, MessageId = handoff.ConversationId + "-m1",
            Text = "I would like to talk to a person, please.", Summary = "Benchmark customer asking for a human.",
            Customer = new Customer { FirstName = "Bench", LastName = handoff.Number.ToString(CultureInfo.InvariantCulture) },
        };
        var first = System.Diagnostics.Stopwatch.GetTimestamp();
        while (time.GetUtcNow() < end)
        {
            handoff.Attempts++;
            try
            {
                var answer = await client.StartHandoffAsync(request, deadline: DateTime.UtcNow.AddSeconds(120), cancellationToken: ct);
                handoff.StartSeconds = System.Diagnostics.Stopwatch.GetElapsedTime(first).TotalSeconds;
                handoff.StartedAt = time.GetUtcNow();
                handoff.Outcome = answer.Outcome.ToString();
                handoff.GenesysId = answer.GenesysConversationId is { Length: > 0 } id ? id : null;
                return;
            }
            catch (RpcException e) when (!ct.IsCancellationRequested)
            {
                // Every call is idempotent: retry whatever went wrong, as the agent does, and count it.
                handoff.Outcome = "retrying: " + e.StatusCode;
                handoff.Failures.Add(e.StatusCode.ToString());
                await Task.Delay(TimeSpan.FromSeconds(5), time, ct); // simulated seconds
            }
        }
    }

    /// <summary>Each started conversation is ended by its agent at its time (the simulator's agent disconnect).</summary>
    private static async Task EndAllAsync(IReadOnlyList<Planned> handoffs, HttpClient http, ScaledTimeProvider time, DateTimeOffset end, CancellationToken ct)
    {
        foreach (var handoff in handoffs.Where(h => h.EndAt != DateTimeOffset.MaxValue).OrderBy(h => h.EndAt))
        {
            await DelayUntilAsync(time, handoff.EndAt, ct);
            if (handoff.GenesysId is { } id)
            {
                using var ended = await http.PostAsync($"_sim/conversations/{id}/end", null, ct);
                handoff.EndSent = ended.IsSuccessStatusCode;
            }
        }

        await DelayUntilAsync(time, end, ct);
    }

    private static async Task ProgressAsync(LoadTestOptions options, IReadOnlyList<Planned> handoffs, ScaledTimeProvider time, DateTimeOffset start, DateTimeOffset end, CancellationToken ct)
    {
        while (time.GetUtcNow() < end)
        {
            await Task.Delay(TimeSpan.FromMinutes(2), time, ct);
            options.Log(string.Create(CultureInfo.InvariantCulture,
                $"  minute {(time.GetUtcNow() - start).TotalMinutes:0.0}: started {handoffs.Count(h => h.GenesysId is not null)}, retrying {handoffs.Count(h => h.Outcome.StartsWith("retrying", StringComparison.Ordinal))}, ended {handoffs.Count(h => h.EndSent)}; load {Machine.LoadAverageNow()}"));
        }
    }

    private static async Task MeasureAsync(LoadTestOptions options, DevStackHost stack, RegisteredTenant tenant, HttpClient http, ScaledTimeProvider time, Run run, HandoffBudgetResult result, CancellationToken ct)
    {
        foreach (var name in stack.HandoffProcesses)
        {
            var pid = stack.ProcessIds[name];
            result.Replicas.Add(new ProcessUsage(name, pid, ProcessSampler.CpuSeconds(pid) ?? 0, ProcessSampler.WorkingSetMiB(pid) ?? 0, ProcessSampler.PeakWorkingSetMiB(pid) ?? 0));
        }

        var handoffs = run.Handoffs;
        result.Requested = handoffs.Count;
        result.Started = handoffs.Count(h => h.GenesysId is not null);
        result.Outcomes = handoffs.GroupBy(h => h.Outcome).ToDictionary(g => g.Key, g => g.Count());
        result.StartAttempts = handoffs.Sum(h => h.Attempts);
        result.StartFailures = handoffs.SelectMany(h => h.Failures).GroupBy(f => f).ToDictionary(g => g.Key, g => g.Count());
        result.EndsSent = handoffs.Count(h => h.EndSent);

        // The API call log, in simulated time: 429s, requests per minute of the run, and what they were.
        var calls = await http.GetFromJsonAsync<List<ApiCallRow>>($"_sim/api-calls?clientId={Uri.EscapeDataString(tenant.Genesys.OAuthClientId)}", ct) ?? [];
        var inRun = calls.Where(c => c.At >= run.Start && c.At < run.End).ToList();
        result.TooManyRequests = calls.Count(c => c.Status == 429);
        result.TotalCalls = inRun.Count;
        var firstMinute = run.Start.ToUnixTimeSeconds() / 60 + 1; // whole minutes only
        var lastMinute = run.End.ToUnixTimeSeconds() / 60 - 1;
        var perMinute = Enumerable.Range(0, (int)Math.Max(0, lastMinute - firstMinute + 1))
            .Select(i => inRun.Count(c => c.At.ToUnixTimeSeconds() / 60 == firstMinute + i)).ToList();
        result.PerMinute = perMinute;
        result.PeakPerMinute = perMinute.Count > 0 ? perMinute.Max() : 0;
        result.MeanPerMinute = perMinute.Count > 0 ? perMinute.Average() : 0;
        // The same in windows starting at every second: the simulator's own one-minute windows need not align with minutes.
        result.PeakSlidingMinute = PeakSliding(inRun.Select(c => c.At).OrderBy(t => t).ToList());
        result.CallsByEndpoint = inRun.GroupBy(c => $"{c.Method} {Normalize(c.Path)}").ToDictionary(g => g.Key, g => g.Count());

        // Detection: the agent's endTime in the simulator vs the session's endedAt (both simulated time).
        var conversations = await http.GetFromJsonAsync<JsonArray>("_sim/conversations", ct) ?? [];
        var agentEnd = new Dictionary<string, DateTimeOffset>(StringComparer.Ordinal);
        foreach (var conversation in conversations.OfType<JsonObject>())
        {
            var agent = conversation["participants"]?.AsArray().OfType<JsonObject>().FirstOrDefault(p => (string?)p["purpose"] == "agent" && p["endTime"] is not null);
            if ((string?)conversation["id"] is { } id && agent is not null)
            {
                agentEnd[id] = DateTimeOffset.Parse((string)agent["endTime"]!, CultureInfo.InvariantCulture);
            }
        }

        // Let the slowest detector (the poller, every 10 simulated s) see the last ends before reading the sessions.
        var ended = handoffs.Where(h => h.GenesysId is not null && agentEnd.ContainsKey(h.GenesysId)).ToList();
        using var dapr = new DaprClientBuilder().UseGrpcEndpoint(stack.SidecarGrpcEndpoint(DevStackHost.Handoff).ToString()).UseHttpEndpoint(stack.SidecarHttpEndpoint(DevStackHost.Handoff).ToString()).Build();
        var deadline = time.GetUtcNow().AddMinutes(3);
        Dictionary<string, (DateTimeOffset? EndedAt, string? By, string? Reason)> sessions;
        do
        {
            sessions = await SessionsAsync(dapr, tenant.Key, ended.Select(h => h.GenesysId!).ToList(), ct);
            if (sessions.Values.All(s => s.EndedAt is not null))
            {
                break;
            }

            await Task.Delay(TimeSpan.FromSeconds(10), time, ct);
        }
        while (time.GetUtcNow() < deadline);

        var latencies = new List<double>();
        foreach (var h in ended)
        {
            if (sessions.TryGetValue(h.GenesysId!, out var s) && s.EndedAt is { } at)
            {
                latencies.Add((at - agentEnd[h.GenesysId!]).TotalSeconds);
                var by = s.By ?? "?";
                result.DetectedBy[by] = result.DetectedBy.GetValueOrDefault(by) + 1;
                var reason = s.Reason ?? "?";
                result.EndReasons[reason] = result.EndReasons.GetValueOrDefault(reason) + 1;
            }
            else
            {
                result.Undetected++;
            }
        }

        latencies.Sort();
        result.StartLatencies = [.. handoffs.Where(h => h.StartSeconds is not null).Select(h => h.StartSeconds!.Value).Order()];
        // Simulated minutes each started session was open (start answered → its agent's end, else the run's end).
        result.SessionMinutes = handoffs.Where(h => h.StartedAt is not null)
            .Sum(h => ((h.GenesysId is { } g && agentEnd.TryGetValue(g, out var endedAt) ? endedAt : run.End) - h.StartedAt!.Value).TotalMinutes);
        result.AgentEnded = ended.Count;
        result.Latencies = latencies;
        options.Log($"  {result.Summary()}");
    }

    private static async Task<Dictionary<string, (DateTimeOffset?, string?, string?)>> SessionsAsync(DaprClient dapr, TenantKey tenant, IReadOnlyList<string> ids, CancellationToken ct)
    {
        var sessions = new Dictionary<string, (DateTimeOffset?, string?, string?)>(StringComparer.Ordinal);
        foreach (var chunk in ids.Chunk(100))
        {
            var keys = chunk.ToDictionary(id => $"handoff/sessions/{tenant}/{Uri.EscapeDataString(id)}", id => id);
            foreach (var item in await dapr.GetBulkStateAsync("statestore", keys.Keys.ToList(), parallelism: 4, cancellationToken: ct))
            {
                if (string.IsNullOrEmpty(item.Value))
                {
                    continue;
                }

                using var json = JsonDocument.Parse(item.Value);
                var root = json.RootElement;
                DateTimeOffset? endedAt = root.TryGetProperty("endedAt", out var e) && e.ValueKind == JsonValueKind.String ? e.GetDateTimeOffset() : null;
                string? by = root.TryGetProperty("endDetectedBy", out var b) && b.ValueKind == JsonValueKind.String ? b.GetString() : null;
                string? reason = root.TryGetProperty("endReason", out var r) && r.ValueKind == JsonValueKind.String ? r.GetString() : null;
                sessions[keys[item.Key]] = (endedAt, by, reason);
            }
        }

        return sessions;
    }

    /// <summary>The dev sidecar's count of keys read and written in the handoff's namespace (<c>/dev/state-ops</c>).</summary>
    private static async Task<StateOps> StateOpsAsync(HttpClient sidecar, CancellationToken ct)
    {
        var rows = await sidecar.GetFromJsonAsync<JsonArray>("dev/state-ops/statestore", ct) ?? [];
        var handoff = rows.OfType<JsonObject>().FirstOrDefault(r => (string?)r["namespace"] == "handoff");
        return handoff is null
            ? new StateOps(0, 0, 0, 0, 0)
            : new StateOps((long)handoff["reads"]!, (long)handoff["readBytes"]!, (long)handoff["writes"]!, (long)handoff["writeBytes"]!, (long)handoff["refused"]!);
    }

    private static int PeakSliding(List<DateTimeOffset> times)
    {
        var peak = 0;
        var from = 0;
        for (var to = 0; to < times.Count; to++)
        {
            while (times[to] - times[from] >= TimeSpan.FromMinutes(1))
            {
                from++;
            }

            peak = Math.Max(peak, to - from + 1);
        }

        return peak;
    }

    private static async Task DelayUntilAsync(ScaledTimeProvider time, DateTimeOffset at, CancellationToken ct)
    {
        var wait = at - time.GetUtcNow();
        if (wait > TimeSpan.Zero)
        {
            await Task.Delay(wait, time, ct);
        }
    }

    /// <summary>Ids in paths (GUIDs, long hex) become <c>{id}</c>, so calls group by endpoint.</summary>
    private static string Normalize(string path) => IdSegment().Replace(path, "{id}");

    [GeneratedRegex("[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}|[0-9a-fA-F]{16,}")]
    private static partial Regex IdSegment();

    private sealed record ApiCallRow(string ClientId, string Method, string Path, int Status, DateTimeOffset At);

    public static int Budget => BudgetPerMinute;
}

/// <summary>Keys of the handoff's state read and written (and refused by an etag) over a run.</summary>
public sealed record StateOps(long Reads, long ReadBytes, long Writes, long WriteBytes, long Refused)
{
    public StateOps Minus(StateOps before) =>
        new(Reads - before.Reads, ReadBytes - before.ReadBytes, Writes - before.Writes, WriteBytes - before.WriteBytes, Refused - before.Refused);
}

/// <summary>What the handoffs phase measured (simulated time throughout).</summary>
public sealed class HandoffBudgetResult
{
    public required LoadTestOptions Options { get; init; }

    public string LoadAverageAtStart { get; init; } = string.Empty;

    public string LoadAverageAtEnd { get; set; } = string.Empty;

    public double RampMinutes { get; set; }

    public int Requested { get; set; }

    public int Started { get; set; }

    public int StartAttempts { get; set; }

    public IReadOnlyDictionary<string, int> Outcomes { get; set; } = new Dictionary<string, int>();

    /// <summary>StartHandoff answers that were retried, by gRPC status.</summary>
    public IReadOnlyDictionary<string, int> StartFailures { get; set; } = new Dictionary<string, int>();

    public int EndsSent { get; set; }

    public int AgentEnded { get; set; }

    public int Undetected { get; set; }

    public int TooManyRequests { get; set; }

    public int TotalCalls { get; set; }

    public IReadOnlyList<int> PerMinute { get; set; } = [];

    public int PeakPerMinute { get; set; }

    public double MeanPerMinute { get; set; }

    public int PeakSlidingMinute { get; set; }

    public IReadOnlyDictionary<string, int> CallsByEndpoint { get; set; } = new Dictionary<string, int>();

    public Dictionary<string, int> DetectedBy { get; } = new(StringComparer.Ordinal);

    public Dictionary<string, int> EndReasons { get; } = new(StringComparer.Ordinal);

    /// <summary>Agent end → session <c>endedAt</c>, simulated seconds, sorted.</summary>
    public IReadOnlyList<double> Latencies { get; set; } = [];

    public IList<ProcessUsage> Replicas { get; } = new List<ProcessUsage>();

    /// <summary>StartHandoff first call → answer, real seconds, sorted.</summary>
    public IReadOnlyList<double> StartLatencies { get; set; } = [];

    public StateOps StateOps { get; set; } = new(0, 0, 0, 0, 0);

    /// <summary>Simulated minutes the sessions were open, summed.</summary>
    public double SessionMinutes { get; set; }

    private int Budget => Options.GenesysRateLimit ?? HandoffBudget.Budget;

    private static double PercentileOf(IReadOnlyList<double> sorted, double p) =>
        sorted.Count == 0 ? double.NaN : sorted[Math.Clamp((int)Math.Ceiling(p / 100 * sorted.Count) - 1, 0, sorted.Count - 1)];

    public bool Ok => Started > 0 && Undetected == 0 && TooManyRequests == 0;

    public double Percentile(double p) => PercentileOf(Latencies, p);

    public string Summary() => string.Create(CultureInfo.InvariantCulture,
        $"handoffs: started {Started}/{Requested}, agent-ended {AgentEnded}, undetected {Undetected}, 429s {TooManyRequests}, requests/min peak {PeakPerMinute} ({100.0 * PeakPerMinute / Budget:0} %), mean {MeanPerMinute:0} ({100 * MeanPerMinute / Budget:0} %), detection p50 {Percentile(50):0.0} s, p99 {Percentile(99):0.0} s, max {(Latencies.Count > 0 ? Latencies[^1] : double.NaN):0.0} s, start p50 {PercentileOf(StartLatencies, 50):0.000} s p99 {PercentileOf(StartLatencies, 99):0.000} s, state ops/session/min {(StateOps.Reads + StateOps.Writes) / Math.Max(1, SessionMinutes):0.00}");

    public string ToMarkdown()
    {
        var c = CultureInfo.InvariantCulture;
        var o = Options;
        var md = new StringBuilder();
        md.AppendLine(c, $"Handoffs on one tenant: {Requested} requested, {o.HandoffReplicas} handoff replicas, {o.HandoffMinutes:0} simulated minutes at time ×{o.TimeScale:0.#}, notifications {(o.HandoffNotifications ? "on" : "off (socket dropped: polling only)")}, starts at {o.HandoffStartsPerMinute:0}/simulated min ({RampMinutes:0.0} min), {o.HandoffAgents} scripted agents; load average at start {LoadAverageAtStart}, at end {LoadAverageAtEnd}.");
        md.AppendLine();
        md.AppendLine("| notifications | started | start attempts | agent-ended | undetected | 429s | requests in run | peak / min | peak % of budget | mean / min | mean % of budget | peak sliding 60 s | detect p50 s | p99 s | max s |");
        md.AppendLine("|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|");
        md.AppendLine(c, $"| {(o.HandoffNotifications ? "on" : "off")} | {Started}/{Requested} | {StartAttempts} | {AgentEnded} | {Undetected} | {TooManyRequests} | {TotalCalls} | {PeakPerMinute} | {100.0 * PeakPerMinute / Budget:0} % | {MeanPerMinute:0} | {100 * MeanPerMinute / Budget:0} % | {PeakSlidingMinute} | {Percentile(50):0.0} | {Percentile(99):0.0} | {(Latencies.Count > 0 ? Latencies[^1] : double.NaN):0.0} |");
        md.AppendLine();
        md.AppendLine(c, $"Start outcomes: {string.Join(", ", Outcomes.OrderByDescending(p => p.Value).Select(p => $"{p.Key} ×{p.Value}"))}; retried answers: {(StartFailures.Count == 0 ? "none" : string.Join(", ", StartFailures.Select(p => $"{p.Key} ×{p.Value}")))}. Detected by: {string.Join(", ", DetectedBy.Select(p => $"{p.Key} ×{p.Value}"))}; end reasons: {string.Join(", ", EndReasons.Select(p => $"{p.Key} ×{p.Value}"))}.");
        md.AppendLine(c, $"Requests per simulated minute: {string.Join(" ", PerMinute)}.");
        md.AppendLine();
        md.AppendLine("| Genesys call | requests in run | share |");
        md.AppendLine("|---|---:|---:|");
        foreach (var (endpoint, count) in CallsByEndpoint.OrderByDescending(p => p.Value))
        {
            md.AppendLine(c, $"| `{endpoint}` | {count} | {100.0 * count / Math.Max(1, TotalCalls):0} % |");
        }

        md.AppendLine();
        md.AppendLine(c, $"Genesys budget {Budget} requests per OAuth client and minute{(Options.GenesysRateLimit is null ? " (Genesys' own)" : " (lifted for this run)")}. StartHandoff, first call to answer (real time): p50 {PercentileOf(StartLatencies, 50) * 1000:0} ms, p99 {PercentileOf(StartLatencies, 99) * 1000:0} ms, max {(StartLatencies.Count > 0 ? StartLatencies[^1] * 1000 : double.NaN):0} ms.");
        md.AppendLine();
        var perSessionMinute = Math.Max(1e-9, SessionMinutes);
        md.AppendLine("| handoff state (`handoff/…` keys, through the sidecar) | keys read | KiB read | keys written | KiB written | refused (etag) |");
        md.AppendLine("|---|---:|---:|---:|---:|---:|");
        md.AppendLine(c, $"| whole run | {StateOps.Reads} | {StateOps.ReadBytes / 1024.0:0} | {StateOps.Writes} | {StateOps.WriteBytes / 1024.0:0} | {StateOps.Refused} |");
        md.AppendLine(c, $"| per session and simulated minute open ({SessionMinutes:0} session-minutes) | {StateOps.Reads / perSessionMinute:0.00} | {StateOps.ReadBytes / 1024.0 / perSessionMinute:0.00} | {StateOps.Writes / perSessionMinute:0.00} | {StateOps.WriteBytes / 1024.0 / perSessionMinute:0.00} | {StateOps.Refused / perSessionMinute:0.000} |");
        md.AppendLine();
        md.AppendLine("| handoff replica | CPU s | RSS MiB (end) | peak RSS MiB |");
        md.AppendLine("|---|---:|---:|---:|");
        foreach (var p in Replicas)
        {
            md.AppendLine(c, $"| {p.Name} | {p.CpuSeconds:0.0} | {p.WorkingSetMiB:0} | {p.PeakWorkingSetMiB:0} |");
        }

        return md.ToString();
    }
}

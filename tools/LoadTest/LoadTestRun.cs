using System.Security.Cryptography;
using PolyAi.Messaging.DevStack;

namespace PolyAi.Messaging.LoadTest;

/// <summary>
/// One load test run: the baselines (bare Kestrel, edge → bare), then the pipeline (edge → verifier → dedupe →
/// publish, the stack started with DevStack's code) flat out and at half its maximum, then end to end
/// (webhook → message on the customer's SSE stream). Same client settings for every phase.
/// </summary>
public static class LoadTestRun
{
    /// <summary>The tenant path the baselines are loaded on (they do not check it).</summary>
    private const string BaselinePath = "webhooks/genesys/ACCOUNT-load/PROJECT-load/live/events";

    /// <summary>The per-tenant and per-IP limits lifted so the measurement sees the pipeline, not the limiter.</summary>
    private static readonly Dictionary<string, string> LiftedLimits = new()
    {
        ["Edge__RateLimit__PermitsPerSecond"] = "100000",
        ["Edge__RateLimit__Burst"] = "100000",
        ["Edge__UnverifiedLimit__PermitsPerSecond"] = "100000",
        ["Edge__UnverifiedLimit__Burst"] = "1000000",
        ["Edge__UnverifiedLimit__MaxInFlight"] = "100000",
        ["Edge__ConversationRateLimit__PermitsPerMinute"] = "10000",
        ["Edge__ConversationRateLimit__Burst"] = "10000",
    };

    public static async Task<LoadTestReport> RunAsync(LoadTestOptions options, CancellationToken cancellationToken)
    {
        var report = new LoadTestReport(options, Machine.Describe());
        using var partsLog = options.PartsLogPath is { } partsLogPath ? TextWriter.Synchronized(new StreamWriter(partsLogPath, append: false) { AutoFlush = true }) : null;
        var childLog = (Action<string, string>)((name, line) =>
        {
            partsLog?.WriteLine($"[{name}] {line}");
            // Only what a part says when it fails; their request logs would drown the report.
            if (line.Contains("\"LogLevel\":\"Error\"", StringComparison.Ordinal) || line.Contains("\"LogLevel\":\"Critical\"", StringComparison.Ordinal) || line.StartsWith("Unhandled", StringComparison.Ordinal))
            {
                options.Log($"  [{name}] {line}");
            }
        });

        if (options.Baselines && options.WebhookUrl is null)
        {
            options.Log("starting the baselines: bare Kestrel, edge → bare ...");
            await using var baselines = await Baselines.StartAsync(LiftedLimits, childLog, cancellationToken);
            var secret = Convert.ToBase64String(RandomNumberGenerator.GetBytes(32));
            var pids = baselines.ProcessIds;
            report.Results.Add(await MeasureAsync(options, "bare", "bare Kestrel: reads the body, answers 200",
                new Uri(baselines.BareUrl, BaselinePath), secret, "integration-load", Only(pids, Baselines.BareName), options.Rate, cancellationToken));
            report.Results.Add(await MeasureAsync(options, "edge → bare", "the edge (YARP, limits) proxying to the bare endpoint",
                new Uri(baselines.EdgeUrl, BaselinePath), secret, "integration-load", pids, options.Rate, cancellationToken));
        }

        if (options.WebhookUrl is { } url)
        {
            var secret = options.Secret ?? throw new ArgumentException("--secret is needed with --webhook-url.");
            await PipelineAsync(options, report, url, secret, "integration-load", new Dictionary<string, int>(), cancellationToken);
            report.LoadAverageAtEnd = Machine.LoadAverageNow();
            return report;
        }

        if (options.Handoffs > 0)
        {
            // Its own stack: no agents at start, compressed time, several handoff replicas.
            report.Handoffs = await HandoffBudget.RunAsync(options, LiftedLimits, childLog, cancellationToken);
        }

        if (options.UnknownTenants > 0)
        {
            // Its own stack with the production limits: what an attacker meets.
            report.UnknownTenants = await UnknownTenants.RunAsync(options, childLog, cancellationToken);
        }

        if (!options.Ingest && !options.EndToEnd && options.SseStreams <= 0)
        {
            report.LoadAverageAtEnd = Machine.LoadAverageNow();
            return report;
        }

        options.Log("starting the stack (DevStack's code, every part its own process) ...");
        var state = Path.Combine(Path.GetTempPath(), "polyai-loadtest-" + Guid.NewGuid().ToString("N"));
        var devStack = new DevStackOptions { UseFreePorts = true, StateDirectory = state, Log = childLog, StartTimeout = TimeSpan.FromSeconds(120) };
        foreach (var (key, value) in LiftedLimits)
        {
            devStack.ServiceSettings[key] = value;
        }

        try
        {
            await using var stack = await DevStackHost.StartAsync(devStack, cancellationToken);
            stack.PartExited += (name, code) => options.Log($"!!! {name} exited with code {code} during the run");
            // Idle: started, health-checked, nothing sent yet.
            await Task.Delay(TimeSpan.FromSeconds(2), cancellationToken);
            foreach (var (name, pid) in stack.ProcessIds)
            {
                report.IdleWorkingSetMiB[name] = ProcessSampler.WorkingSetMiB(pid) ?? 0;
            }

            var tenant = stack.Tenants[0];
            await PipelineAsync(options, report, tenant.WebhookUrl, tenant.WebhookSecret, tenant.Genesys.IntegrationId, stack.ProcessIds, cancellationToken);
            if (options.SseStreams > 0)
            {
                report.Sse = options.SseThroughEdge
                    ? await SseHold.RunAsync(options, stack.EdgeUrl, TenantOf(tenant.WebhookUrl), stack.ProcessIds["agent"], stack.ProcessIds["edge"], cancellationToken)
                    : await SseHold.RunAsync(options, stack.ServiceUrl("agent"), TenantOf(tenant.WebhookUrl), stack.ProcessIds["agent"], null, cancellationToken);
            }
        }
        finally
        {
            TryDelete(state);
        }

        report.LoadAverageAtEnd = Machine.LoadAverageNow();
        return report;
    }

    private static async Task PipelineAsync(
        LoadTestOptions options, LoadTestReport report, Uri webhookUrl, string secret, string integrationId,
        IReadOnlyDictionary<string, int> pids, CancellationToken cancellationToken)
    {
        if (options.Ingest)
        {
            var max = await MeasureAsync(options, "pipeline", "edge → verifier → dedupe → publish (200 = published)",
                webhookUrl, secret, integrationId, pids, options.Rate, cancellationToken);
            report.Results.Add(max);
            if (options.HalfRate && max.Throughput > 0)
            {
                var half = Math.Max(1, Math.Round((options.Rate ?? max.Throughput) / 2));
                report.Results.Add(await MeasureAsync(options, "pipeline at ½ max", "the same, at a fixed rate of half the maximum",
                    webhookUrl, secret, integrationId, pids, half, cancellationToken));
            }
        }

        if (options.EndToEnd)
        {
            report.Results.Add(await EndToEndAsync(options, webhookUrl, secret, integrationId, pids, cancellationToken));
        }
    }

    private static async Task<LoadResult> MeasureAsync(
        LoadTestOptions options, string name, string target, Uri url, string secret, string integrationId,
        IReadOnlyDictionary<string, int> pids, double? rate, CancellationToken cancellationToken)
    {
        options.Log($"{name}: {(rate is { } r ? $"{r:0} webhooks/s" : "flat out")}, {options.Connections} connections, {options.Duration.TotalSeconds:0.#} s (+{options.WarmUp.TotalSeconds:0.#} s warm-up) → {url}");
        var webhooks = new GenesysWebhooks(secret, integrationId);
        var conversations = options.Conversations;
        using var load = new WebhookLoad(url, webhooks, options.Connections, n => $"load-customer-{n % conversations:d5}");
        var shape = new LoadShape(options.Connections, options.Duration, options.WarmUp, rate);
        var sampler = await WarmThenSampleAsync(load, name, target, shape, pids, cancellationToken);
        var result = await load.RunAsync(name, target, shape with { WarmUp = TimeSpan.Zero }, cancellationToken);
        result.Backlog = await SettleAsync(options, pids, cancellationToken);
        foreach (var usage in sampler.Stop())
        {
            result.Processes.Add(usage);
        }

        options.Log($"  {LoadTestReport.Summary(result)}");
        return result;
    }

    private static async Task<LoadResult> EndToEndAsync(
        LoadTestOptions options, Uri webhookUrl, string secret, string integrationId, IReadOnlyDictionary<string, int> pids, CancellationToken cancellationToken)
    {
        var edge = new Uri(webhookUrl.GetLeftPart(UriPartial.Authority) + "/");
        var tenant = TenantOf(webhookUrl);
        options.Log($"end to end: {options.EndToEndConversations} customers with open SSE streams on {tenant}, {options.EndToEndRate:0} webhooks/s, {options.Duration.TotalSeconds:0.#} s");
        await using var customers = await CustomerStreams.OpenAsync(edge, tenant, options.EndToEndConversations, cancellationToken);
        var ids = customers.ConversationIds;
        var webhooks = new GenesysWebhooks(secret, integrationId);
        using var load = new WebhookLoad(webhookUrl, webhooks, options.Connections, n => ids[(int)(n % ids.Count)], customers.Sent);
        var shape = new LoadShape(options.Connections, options.Duration, TimeSpan.Zero, options.EndToEndRate);

        var warmUp = new LatencyHistogram();
        customers.Current = warmUp;
        if (options.WarmUp > TimeSpan.Zero)
        {
            await load.RunAsync("warm-up", string.Empty, shape with { Duration = options.WarmUp }, cancellationToken);
            await customers.DrainAsync(warmUp, TimeSpan.FromSeconds(10), cancellationToken);
        }

        var delivered = new LatencyHistogram();
        customers.Current = delivered;
        var sampler = new ProcessSampler(WithSelf(pids));
        var result = await load.RunAsync("end to end", "webhook → message on the customer's SSE stream", shape, cancellationToken);
        var undelivered = await customers.DrainAsync(delivered, TimeSpan.FromSeconds(15), cancellationToken);
        result.Backlog = await SettleAsync(options, pids, cancellationToken);
        foreach (var usage in sampler.Stop())
        {
            result.Processes.Add(usage);
        }

        result.Delivery = delivered;
        result.Undelivered = undelivered;
        options.Log($"  {LoadTestReport.Summary(result)}");
        return result;
    }

    /// <summary>
    /// After a phase, until the processes are quiet (together below a tenth of a core): webhooks accepted faster than
    /// the consumers process them leave pub/sub deliveries behind, which belong to this phase, not the next.
    /// </summary>
    private static async Task<TimeSpan> SettleAsync(LoadTestOptions options, IReadOnlyDictionary<string, int> pids, CancellationToken cancellationToken)
    {
        if (pids.Count == 0)
        {
            return TimeSpan.Zero;
        }

        var took = await Settle.QuietAsync(pids, TimeSpan.FromSeconds(60), 0.1, cancellationToken);
        options.Log($"  quiet again {took.TotalSeconds:0.0} s after the phase ended");
        return took;
    }

    private static async Task<ProcessSampler> WarmThenSampleAsync(
        WebhookLoad load, string name, string target, LoadShape shape, IReadOnlyDictionary<string, int> pids, CancellationToken cancellationToken)
    {
        if (shape.WarmUp > TimeSpan.Zero)
        {
            await load.RunAsync(name, target, shape with { Duration = shape.WarmUp, WarmUp = TimeSpan.Zero }, cancellationToken);
        }

        return new ProcessSampler(WithSelf(pids));
    }

    private static Dictionary<string, int> WithSelf(IReadOnlyDictionary<string, int> pids) =>
        new(pids) { ["loadtest (client)"] = Environment.ProcessId };

    private static Dictionary<string, int> Only(IReadOnlyDictionary<string, int> pids, string name) =>
        pids.Where(p => p.Key == name).ToDictionary(p => p.Key, p => p.Value);

    /// <summary><c>.../webhooks/genesys/{acct}/{proj}/{env}/events</c> → <c>acct/proj/env</c>.</summary>
    private static string TenantOf(Uri webhookUrl)
    {
        var segments = webhookUrl.AbsolutePath.Trim('/').Split('/');
        return segments.Length >= 6 ? string.Join('/', segments[^4..^1]) : throw new ArgumentException($"{webhookUrl} is not a tenant webhook URL.");
    }

    private static void TryDelete(string directory)
    {
        try
        {
            Directory.Delete(directory, recursive: true);
        }
        catch (IOException)
        {
        }
        catch (UnauthorizedAccessException)
        {
        }
    }
}

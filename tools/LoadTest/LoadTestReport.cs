using System.Globalization;
using System.Text;

namespace PolyAi.Messaging.LoadTest;

/// <summary>Every phase of a run, and the Markdown that docs/performance.md quotes.</summary>
public sealed class LoadTestReport(LoadTestOptions options, Machine machine)
{
    public LoadTestOptions Options { get; } = options;

    public Machine Machine { get; } = machine;

    public string LoadAverageAtEnd { get; set; } = string.Empty;

    public IList<LoadResult> Results { get; } = new List<LoadResult>();

    /// <summary>Resident set of each stack process after start-up, before any load.</summary>
    public IDictionary<string, double> IdleWorkingSetMiB { get; } = new SortedDictionary<string, double>();

    /// <summary>The open-streams phase, when it ran (<c>--sse-streams</c>).</summary>
    public SseResult? Sse { get; set; }

    /// <summary>The unknown-tenants phase, when it ran (<c>--unknown-tenants</c>).</summary>
    public UnknownTenantsResult? UnknownTenants { get; set; }

    /// <summary>The handoffs phase, when it ran (<c>--handoffs</c>).</summary>
    public HandoffBudgetResult? Handoffs { get; set; }

    public LoadResult? Find(string name) => Results.FirstOrDefault(r => r.Name == name);

    public static string Summary(LoadResult r)
    {
        var c = CultureInfo.InvariantCulture;
        var line = string.Create(c, $"{r.Accepted / Math.Max(r.Duration.TotalSeconds, 1e-9):0} accepted/s, {r.Answered} answered ({Statuses(r)}), {r.TransportErrors} errors, ")
            + string.Create(c, $"p50 {r.Latency.PercentileMilliseconds(50):0.00} ms, p99 {r.Latency.PercentileMilliseconds(99):0.00} ms");
        return r.Delivery is { } d
            ? line + string.Create(c, $"; delivered {d.Count}, undelivered {r.Undelivered}, delivery p50 {d.PercentileMilliseconds(50):0.0} ms, p99 {d.PercentileMilliseconds(99):0.0} ms")
            : line;
    }

    public string ToMarkdown()
    {
        var md = new StringBuilder();
        var c = CultureInfo.InvariantCulture;
        md.AppendLine(c, $"Machine: {Machine.Cores} cores, {Machine.MemoryGiB:0.0} GiB, {Machine.Runtime}, {Machine.OperatingSystem}; load average at start {Machine.LoadAverage}, at end {LoadAverageAtEnd}.");
        md.AppendLine(c, $"Client: {Options.Connections} connections (HTTP/1.1 keep-alive), {Options.Duration.TotalSeconds:0.#} s per phase after {Options.WarmUp.TotalSeconds:0.#} s warm-up, bodies of ~{GenesysWebhooks.TargetBytes} bytes, unique ids, {Options.Conversations} customers.");
        if (Results.Count > 0)
        {
            md.AppendLine();
            md.AppendLine("| phase | load | accepted/s | vs edge → bare | vs bare | p50 ms | p90 ms | p99 ms | p99.9 ms | max ms | answers | errors |");
            md.AppendLine("|---|---|---:|---:|---:|---:|---:|---:|---:|---:|---|---:|");
            var bare = Find("bare")?.Throughput;
            var edge = Find("edge → bare")?.Throughput;
            foreach (var r in Results)
            {
                var load = r.Rate is { } rate ? string.Create(c, $"{rate:0}/s fixed") : "flat out";
                md.AppendLine(c, $"| {r.Name} | {load} | {r.Throughput:0} | {Ratio(r.Throughput, edge)} | {Ratio(r.Throughput, bare)} | {Row(r.Latency)} | {Statuses(r)} | {r.TransportErrors + r.Unsent} |");
                if (r.Delivery is { } d)
                {
                    md.AppendLine(c, $"| ↳ delivered on SSE | {load} | {d.Count / Math.Max(r.Duration.TotalSeconds, 1e-9):0} | | | {Row(d)} | {r.Undelivered} undelivered | |");
                }
            }

            md.AppendLine();
            md.AppendLine("CPU and resident memory per process, from the start of each phase until the processes were quiet again (the backlog:");
            md.AppendLine("pub/sub deliveries still being consumed after the last answer). CPU % is a share of one core over that time (200 % = the");
            md.AppendLine("whole machine); CPU ms/webhook divides the CPU by the webhooks accepted in the phase.");
            md.AppendLine();
            md.AppendLine("| phase | backlog s | process | CPU s | CPU % | CPU ms/webhook | RSS MiB (end) | peak RSS MiB |");
            md.AppendLine("|---|---:|---|---:|---:|---:|---:|---:|");
            foreach (var r in Results)
            {
                foreach (var p in r.Processes.OrderByDescending(p => p.CpuSeconds))
                {
                    md.AppendLine(c, $"| {r.Name} | {r.Backlog.TotalSeconds:0.0} | {p.Name} | {p.CpuSeconds:0.00} | {p.CpuPercent(r.Duration + r.Backlog):0} | {1000 * p.CpuSeconds / Math.Max(1, r.Accepted):0.000} | {p.WorkingSetMiB:0} | {p.PeakWorkingSetMiB:0} |");
                }
            }
        }

        if (IdleWorkingSetMiB.Count > 0)
        {
            md.AppendLine();
            md.AppendLine(c, $"Idle resident memory after start-up: {string.Join(", ", IdleWorkingSetMiB.Select(p => string.Create(c, $"{p.Key} {p.Value:0} MiB")))}.");
        }

        if (Sse is { } sse)
        {
            md.AppendLine();
            md.AppendLine(c, $"Open SSE streams on one agent process ({sse.Requested} requested, created directly on the agent's chat API, held {sse.Hold.TotalSeconds:0} s at idle):");
            md.AppendLine();
            md.AppendLine("| created | opened | still open after hold | agent RSS MiB before / created / open / end of hold | max RSS in hold | VmHWM MiB | agent CPU in hold | events / keep-alives read | probe delivery p50 / max ms | probes undelivered |");
            md.AppendLine("|---:|---:|---:|---|---:|---:|---:|---|---|---:|");
            md.AppendLine(c, $"| {sse.Created} ({sse.CreateTime.TotalSeconds:0.0} s) | {sse.Opened} ({sse.OpenTime.TotalSeconds:0.0} s) | {sse.StillOpen} | {sse.RssBeforeMiB:0} / {sse.RssCreatedMiB:0} / {sse.RssOpenMiB:0} / {sse.RssEndMiB:0} | {sse.RssHoldMaxMiB:0} | {sse.PeakMiB:0} | {sse.AgentCpuSeconds:0.00} s = {100 * sse.AgentCpuSeconds / Math.Max(sse.Hold.TotalSeconds, 1e-9):0.0} % | {sse.Events} / {sse.KeepAlives} | {sse.Delivery.PercentileMilliseconds(50):0.0} / {sse.Delivery.MaxMicroseconds / 1000.0:0.0} | {sse.ProbesUndelivered} of {sse.Probes} |");
            if (sse.EdgeRssMiB is { } edge)
            {
                md.AppendLine(c, $"Through the edge: edge RSS before / created / open / end of hold {edge[0]:0} / {edge[1]:0} / {edge[2]:0} / {edge[3]:0} MiB, VmHWM {edge[4]:0} MiB.");
            }

            md.AppendLine(c, $"Client (this tool) during the hold: CPU {sse.ClientCpuSeconds:0.00} s, RSS {sse.ClientRssMiB:0} MiB.");
            if (sse.Failures.Count > 0)
            {
                md.AppendLine(c, $"Failures: {string.Join(", ", sse.Failures.Select(f => $"{f.Key} ×{f.Value}"))}.");
            }
        }

        if (UnknownTenants is { } unknown)
        {
            md.AppendLine();
            md.Append(unknown.ToMarkdown());
        }

        if (Handoffs is { } handoffs)
        {
            md.AppendLine();
            md.Append(handoffs.ToMarkdown());
        }

        return md.ToString();
    }

    private static string Row(LatencyHistogram h) => string.Create(CultureInfo.InvariantCulture,
        $"{h.PercentileMilliseconds(50):0.00} | {h.PercentileMilliseconds(90):0.00} | {h.PercentileMilliseconds(99):0.00} | {h.PercentileMilliseconds(99.9):0.00} | {h.MaxMicroseconds / 1000.0:0.00}");

    private static string Ratio(double value, double? baseline) =>
        baseline is > 0 ? string.Create(CultureInfo.InvariantCulture, $"{100 * value / baseline.Value:0} %") : "–";

    private static string Statuses(LoadResult r) =>
        string.Join(", ", r.StatusCounts.OrderBy(s => s.Key).Select(s => $"{s.Key}×{s.Value}"));
}

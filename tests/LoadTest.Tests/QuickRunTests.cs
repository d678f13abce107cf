namespace PolyAi.Messaging.LoadTest.Tests;

/// <summary>The load test's <c>--quick</c> mode as a smoke test: every phase runs and the product accepts webhooks. No timing claims.</summary>
public sealed class QuickRunTests
{
    [Fact]
    public async Task Quick_run_measures_every_phase_with_accepted_webhooks_and_no_server_errors()
    {
        var log = new List<string>();
        var options = LoadTestOptions.Quick with { Log = line => { lock (log) { log.Add(line); } } };

        var report = await LoadTestRun.RunAsync(options, CancellationToken.None);

        var why = string.Join(Environment.NewLine, log) + Environment.NewLine + report.ToMarkdown();
        Assert.Equal(["bare", "edge → bare", "pipeline", "pipeline at ½ max", "end to end"], report.Results.Select(r => r.Name));
        foreach (var result in report.Results)
        {
            Assert.True(result.Accepted > 0, $"{result.Name}: nothing accepted{Environment.NewLine}{why}");
            Assert.True(result.ServerErrors == 0, $"{result.Name}: {result.ServerErrors} 5xx{Environment.NewLine}{why}");
            Assert.True(result.Processes.Count > 0, $"{result.Name}: no process measured{Environment.NewLine}{why}");
        }

        var endToEnd = report.Find("end to end")!;
        Assert.True(endToEnd.Delivery!.Count > 0, $"no message reached a customer's stream{Environment.NewLine}{why}");
        Assert.Contains(DevStack.DevStackHost.Verifier, report.IdleWorkingSetMiB.Keys);
    }
}

using System.Diagnostics;
using System.Text.Json.Nodes;
using PolyAi.Messaging.GenesysSimulator.Tests.Support;

namespace PolyAi.Messaging.GenesysSimulator.Tests;

/// <summary>Genesys' official JavaScript SDK (purecloud-platform-client-v2) against the simulator.</summary>
public sealed class JsSdkFidelityTests
{
    [Fact]
    public async Task Official_javascript_sdk_logs_in_sends_a_message_reads_the_conversation_creates_an_integration_and_queries_observations()
    {
        await using var sim = await Sim.StartAsync();
        await using var receiver = await WebhookReceiver.StartAsync();
        var world = sim.Control.SeedWorld(new WorldSeed(receiver.Url, "0123456789abcdef-secret") { Agents = [new AgentScript { Manual = true }] });
        var fixture = FixtureDirectory();
        if (!Directory.Exists(Path.Combine(fixture, "node_modules", "purecloud-platform-client-v2")))
        {
            var (install, installOutput) = await RunAsync("npm", "ci --no-audit --no-fund", fixture, [], TimeSpan.FromMinutes(5));
            Assert.True(install == 0, $"npm ci failed: {installOutput}");
        }

        var (exit, output) = await RunAsync("node", "fidelity.js", fixture, new Dictionary<string, string>
        {
            ["SIM_PORT"] = sim.BaseUrl.Port.ToString(System.Globalization.CultureInfo.InvariantCulture),
            ["CLIENT_ID"] = world.ClientId,
            ["CLIENT_SECRET"] = world.ClientSecret,
            ["INTEGRATION_ID"] = world.IntegrationId,
            ["QUEUE_ID"] = world.QueueId,
            ["WEBHOOK_URL"] = receiver.Url.ToString(),
        }, TimeSpan.FromMinutes(1));

        Assert.True(exit == 0, $"node fidelity.js exited {exit}: {output}");
        var seen = JsonNode.Parse(output.Split('\n', StringSplitOptions.RemoveEmptyEntries).Last(l => l.StartsWith('{')))!;
        Assert.True((bool)seen["hasAccessToken"]!);
        Assert.True((bool)seen["tokenExpiresInFuture"]!);
        var conversationId = (string?)seen["sent"]!["conversationId"];
        Assert.False(string.IsNullOrEmpty(conversationId));
        Assert.Equal("Text", (string?)seen["sent"]!["type"]);
        Assert.Equal(world.IntegrationId, (string?)seen["sent"]!["toId"]);
        Assert.Equal(conversationId, (string?)seen["conversation"]!["id"]);
        Assert.Equal(["customer", "acd", "agent"], seen["conversation"]!["purposes"]!.AsArray().Select(p => (string?)p));
        Assert.Equal(400, (int)seen["rejected"]!["status"]!);
        Assert.Equal("bad.request", (string?)seen["rejected"]!["code"]);
        Assert.Equal("Initiated", (string?)seen["integration"]!["createStatus"]);
        Assert.Equal((string?)seen["integration"]!["id"], (string?)seen["integration"]!["fetchedId"]);
        Assert.Equal(world.QueueId, (string?)seen["observations"]![0]!["queueId"]);

        var received = Assert.Single(sim.Control.Received("message"));
        Assert.Equal("asked for a human", (string?)received.Body["channel"]!["metadata"]!["customAttributes"]!["aiSummary"]);
    }

    private static string FixtureDirectory() => Repo.Path("tests", "GenesysSimulator.Tests", "JsSdk");

    private static async Task<(int ExitCode, string Output)> RunAsync(string file, string arguments, string directory, Dictionary<string, string> environment, TimeSpan timeout)
    {
        var start = new ProcessStartInfo(file, arguments)
        {
            WorkingDirectory = directory,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var (name, value) in environment)
        {
            start.Environment[name] = value;
        }

        using var process = Process.Start(start)!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        using var deadline = new CancellationTokenSource(timeout);
        try
        {
            await process.WaitForExitAsync(deadline.Token);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            throw new TimeoutException($"{file} {arguments} did not finish within {timeout}");
        }

        return (process.ExitCode, await stdout + await stderr);
    }
}

using System.Collections.Concurrent;
using System.Net;
using PolyAi.Messaging.DevStack;

namespace PolyAi.Messaging.EndToEnd.Tests;

/// <summary>Nothing acknowledged is lost: a consumer that crashes mid-stream catches up after it restarts.</summary>
[Collection(StackCollection.Name)]
public sealed class CrashRecoveryTests(StackFixture stack)
{
    private const int Webhooks = 500;
    private const int Conversations = 10;

    [Fact]
    public async Task Agent_killed_during_a_stream_of_500_webhooks_processes_every_acknowledged_one_exactly_once()
    {
        var run = WebhookPipelineTests.NewId()[..8];
        string Customer(int i) => $"crash-{run}-{i % Conversations}";
        var acknowledged = new ConcurrentBag<string>();
        var statuses = new ConcurrentDictionary<HttpStatusCode, int>();
        var sent = 0;
        var killedAt = -1;
        var restartedAt = -1;

        async Task Sender(int lane)
        {
            for (var i = lane; i < Webhooks; i += 4)
            {
                var id = $"{run}-{i:D4}";
                using var response = await stack.SendAsync(stack.Demo, GenesysWebhook.TextBody(id, Customer(i), $"message {i}"));
                statuses.AddOrUpdate(response.StatusCode, 1, (_, n) => n + 1);
                if (response.StatusCode == HttpStatusCode.OK)
                {
                    acknowledged.Add(id);
                }

                Interlocked.Increment(ref sent);
            }
        }

        async Task Chaos()
        {
            await Eventually.Until(() => Task.FromResult(Volatile.Read(ref sent)), n => n >= 100, TimeSpan.FromSeconds(60), n => $"{n} sent");
            killedAt = Volatile.Read(ref sent);
            await stack.Stack.KillAsync(DevStackHost.Agent);
            await Eventually.Until(() => Task.FromResult(Volatile.Read(ref sent)), n => n >= 300, TimeSpan.FromSeconds(60), n => $"{n} sent");
            restartedAt = Volatile.Read(ref sent);
            await stack.Stack.RestartAsync(DevStackHost.Agent);
        }

        await Task.WhenAll(Sender(0), Sender(1), Sender(2), Sender(3), Chaos());

        Assert.True(killedAt >= 100 && restartedAt > killedAt, $"agent killed after {killedAt}, restarted after {restartedAt} webhooks");
        Assert.True(stack.Stack.IsRunning(DevStackHost.Agent));
        // The agent is not on the acknowledgement path, so its crash must not cost a single 200.
        Assert.Equal(Webhooks, acknowledged.Count);

        var expected = acknowledged.ToHashSet();
        var landed = await Eventually.Until(
            () => stack.TranscriptIdsAsync(stack.Demo.Key, Enumerable.Range(0, Conversations).Select(Customer)),
            ids => expected.IsSubsetOf(ids),
            TimeSpan.FromSeconds(90),
            ids => $"{expected.Except(ids).Count()} of {expected.Count} acknowledged webhooks missing; statuses {string.Join(", ", statuses)}\n{stack.RecentLog}");

        Assert.Equal(expected.Count, landed.Count);          // nothing duplicated
        Assert.Equal(expected.Order(), landed.Order());      // nothing lost, nothing foreign
    }
}

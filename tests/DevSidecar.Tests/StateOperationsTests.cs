using System.Net;
using System.Text.Json.Nodes;
using Dapr.Client;
using PolyAi.Messaging.DevSidecar.State;
using PolyAi.Messaging.DevSidecar.Tests.Support;

namespace PolyAi.Messaging.DevSidecar.Tests;

/// <summary><c>/dev/state-ops/{store}</c>: what benchmarks divide by sessions and minutes (keys and bytes, by namespace).</summary>
public sealed class StateOperationsTests : SidecarTestBase
{
    private const string Store = ComponentsDirectory.StateStore;

    [Fact]
    public async Task Reads_writes_and_refused_writes_are_counted_by_the_key_namespace()
    {
        await Verifier.SaveStateAsync(Store, "handoff/sessions/a", new { n = 1 });
        await Verifier.GetBulkStateAsync(Store, ["handoff/sessions/a", "handoff/sessions/missing"], parallelism: 1);
        Assert.False(await Verifier.TrySaveStateAsync(Store, "handoff/sessions/a", new { n = 2 }, "99"));
        await Verifier.ExecuteStateTransactionAsync(Store, [
            new StateTransactionRequest("handoff/links/a", "{}"u8.ToArray(), StateOperationType.Upsert),
            new StateTransactionRequest("agent/transcripts/a", "{}"u8.ToArray(), StateOperationType.Upsert),
        ]);

        var report = await ReportAsync();

        var handoff = report.Single(r => (string?)r!["namespace"] == "handoff")!;
        Assert.Equal(2, (long)handoff["writes"]!);   // the save, the transaction's link
        Assert.Equal(2, (long)handoff["reads"]!);    // the two bulk keys, the missing one too; an etag check is no read
        Assert.Equal(1, (long)handoff["refused"]!);
        Assert.True((long)handoff["writeBytes"]! > 0 && (long)handoff["readBytes"]! > 0);
        Assert.Equal(1, (long)report.Single(r => (string?)r!["namespace"] == "agent")!["writes"]!);
    }

    [Fact]
    public async Task An_unknown_store_is_404()
    {
        using var http = new HttpClient();
        using var response = await http.GetAsync(new Uri(Sidecar.HttpEndpoint(Publisher), "/dev/state-ops/nope"));

        Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
    }

    [Fact]
    public void Namespaces_past_the_cap_count_under_other()
    {
        var counters = new StateOperationCounters();

        for (var i = 0; i < StateOperationCounters.MaxNamespaces + 10; i++)
        {
            counters.Written($"ns{i}/key", 3);
        }

        var report = counters.Report();
        Assert.Equal(StateOperationCounters.MaxNamespaces + 1, report.Count); // the cap, then "other" for the rest
        Assert.Equal(10, report.Single(r => r.Namespace == "other").Writes);
        Assert.Equal(StateOperationCounters.MaxNamespaces + 10, report.Sum(r => r.Writes)); // nothing uncounted
    }

    [Theory]
    [InlineData("verifier||handoff/sessions/x", "handoff")]
    [InlineData("tenants/a/b/c", "tenants")]
    [InlineData("plain", "plain")]
    public void The_namespace_is_the_first_segment_after_the_prefix(string storageKey, string expected) =>
        Assert.Equal(expected, StateOperationCounters.NamespaceOf(storageKey));

    private async Task<JsonArray> ReportAsync()
    {
        using var http = new HttpClient();
        return JsonNode.Parse(await http.GetStringAsync(new Uri(Sidecar.HttpEndpoint(Publisher), $"/dev/state-ops/{Store}")))!.AsArray();
    }
}

using Dapr.Client;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using PolyAi.Messaging.Contracts;
using PolyAi.Messaging.DevSidecar;
using PolyAi.Messaging.Handoff.Handoffs;
using PolyAi.Messaging.Handoff.Sessions;

namespace PolyAi.Messaging.Handoff.Tests;

/// <summary>
/// The open-session index against the dev sidecar's state store (etags as Dapr's), without a service around it:
/// starts and ends of different conversations do not contend on one record, and sessions an older version listed in
/// the single record are still found and taken out.
/// </summary>
public sealed class ActiveIndexTests : IAsyncLifetime
{
    private const string AppId = "handoff";
    private readonly string _components = TestComponents.WriteTemporaryCopy();
    private DevSidecarHost _sidecar = null!;
    private DaprClient _dapr = null!;
    private HandoffSessionStore _store = null!;

    public async Task InitializeAsync()
    {
        _sidecar = await DevSidecarHost.StartAsync(new DevSidecarOptions { ComponentsPath = _components, Apps = { new DevSidecarApp(AppId) } });
        _dapr = new DaprClientBuilder()
            .UseGrpcEndpoint(_sidecar.GrpcEndpoint(AppId).ToString())
            .UseHttpEndpoint(_sidecar.HttpEndpoint(AppId).ToString())
            .UseJsonSerializationOptions(StateJson.Options(HandoffStateJsonContext.Default))
            .Build();
        _store = new HandoffSessionStore(_dapr, Options.Create(new HandoffSessionOptions()), TimeProvider.System, NullLogger<HandoffSessionStore>.Instance);
    }

    public async Task DisposeAsync()
    {
        _dapr.Dispose();
        await _sidecar.DisposeAsync();
        Directory.Delete(_components, recursive: true);
    }

    [Fact]
    public async Task Two_hundred_handoffs_starting_and_ending_at_once_spread_over_the_shards_and_all_land()
    {
        var tenant = new TenantKey("acct-index", "project", "prod");
        var sessions = Enumerable.Range(0, 200).Select(i => new ActiveSession(tenant, $"genesys-{i}", $"conv-{i}", "queue-1")).ToList();

        // With one record for every session, each of 200 etag-checked writers at once retries until it is the only one
        // left (the dev sidecar lets them all land, slowly); spread over the shards, a record sees a handful.
        await Task.WhenAll(sessions.Select(session => _store.AddActiveAsync(session, CancellationToken.None)));
        var listed = await _store.ActiveAsync(CancellationToken.None);

        Assert.Equal(200, listed.Count(s => s.Tenant == tenant));
        Assert.True(sessions.Select(s => ActiveSessions.ShardOf(s.Tenant, s.GenesysConversationId)).Distinct().Count() > 32, "spread over the shards");

        await Task.WhenAll(sessions.Select(session => _store.RemoveActiveAsync(tenant, session.GenesysConversationId, CancellationToken.None)));

        Assert.DoesNotContain(await _store.ActiveAsync(CancellationToken.None), s => s.Tenant == tenant);
    }

    [Fact]
    public async Task Sessions_listed_in_the_single_record_of_the_older_version_are_still_found_and_taken_out_when_they_end()
    {
        var tenant = new TenantKey("acct-legacy", "project", "prod");
        var old = new ActiveSession(tenant, "genesys-old", "conv-old", "queue-1");
        await _dapr.SaveStateAsync("statestore", ActiveSessions.LegacyStateKey, new ActiveSessions([old]));
        var fresh = new ActiveSession(tenant, "genesys-new", "conv-new", "queue-1");
        await _store.AddActiveAsync(fresh, CancellationToken.None);

        var listed = await _store.ActiveAsync(CancellationToken.None);
        await _store.RemoveActiveAsync(tenant, old.GenesysConversationId, CancellationToken.None);

        Assert.Contains(old, listed);
        Assert.Contains(fresh, listed);
        Assert.Empty((await _dapr.GetStateAsync<ActiveSessions>("statestore", ActiveSessions.LegacyStateKey)).Sessions);
        Assert.Equal([fresh], await _store.ActiveAsync(CancellationToken.None));
        Assert.Equal(ActiveSessions.ShardOf(tenant, "genesys-new"), ActiveSessions.ShardOf(tenant, "genesys-new")); // stable
        Assert.Equal(17, ActiveSessions.ShardOf(new TenantKey("a", "p", "e"), "g")); // the same in every process and version
    }
}

using Dapr.Client;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using PolyAi.Messaging.Contracts;
using PolyAi.Messaging.DevSidecar;
using PolyAi.Messaging.Handoff.Handoffs;
using PolyAi.Messaging.Handoff.Sessions;

namespace PolyAi.Messaging.Handoff.Tests;

/// <summary>
/// The handoff state against the dev sidecar (etags and pub/sub as Dapr's), without a service around it: the
/// open-session index spreads starts and ends over its shards and still finds what an older version listed in its single
/// record; a lifecycle event claimed on a session is published from the session's outbox even when the process died
/// between the claim and the publish.
/// </summary>
public sealed class HandoffStateTests : IAsyncLifetime
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

    [Fact]
    public async Task An_end_claimed_before_a_crash_is_published_from_the_outbox_once_and_the_outbox_emptied()
    {
        var tenant = new TenantKey("acct-outbox", "project", "prod");
        var now = DateTimeOffset.UtcNow;
        var ended = new HandoffEvent(tenant, "conv-crash", HandoffStatus.Ended, now, "genesys-crash", "agent-ended");
        // What a crash right after the claim leaves: the status claimed, the event in the outbox, nothing published.
        var session = HandoffSession.Create(tenant, "genesys-crash", now, now) with
        {
            ConversationId = "conv-crash",
            Status = HandoffStatus.Ended,
            PublishedStatuses = [HandoffStatus.Queued, HandoffStatus.Ended],
            Outbox = [ended],
        };
        await _dapr.SaveStateAsync("statestore", HandoffSession.StateKey(tenant, "genesys-crash"), session);

        await _store.PublishOutboxAsync(tenant, "genesys-crash", CancellationToken.None);
        await _store.PublishOutboxAsync(tenant, "genesys-crash", CancellationToken.None); // a second reconciliation

        var published = PublishedIds();
        Assert.Equal(1, published.Count(id => id == HandoffSessionStore.CloudEventId(ended)));
        Assert.Empty((await _store.SessionAsync(tenant, "genesys-crash", CancellationToken.None))!.Outbox);
    }

    [Fact]
    public async Task A_status_published_without_trouble_leaves_nothing_in_the_outbox_and_is_not_published_twice()
    {
        var tenant = new TenantKey("acct-outbox", "project", "prod");
        var now = DateTimeOffset.UtcNow;
        await _dapr.SaveStateAsync("statestore", HandoffSession.StateKey(tenant, "genesys-ok"),
            HandoffSession.Create(tenant, "genesys-ok", now, now) with { ConversationId = "conv-ok", Status = HandoffStatus.Queued, PublishedStatuses = [HandoffStatus.Queued] });

        HandoffSession Connect(HandoffSession s) => s with { Status = HandoffStatus.Connected, ConnectedAt = now };
        var first = await _store.PublishOnceAsync(tenant, "genesys-ok", HandoffStatus.Connected, Connect, null, CancellationToken.None);
        var second = await _store.PublishOnceAsync(tenant, "genesys-ok", HandoffStatus.Connected, Connect, null, CancellationToken.None);

        Assert.NotNull(first);
        Assert.Null(second);
        Assert.Single(PublishedIds(), id => id == "conv-ok:connected:genesys-ok");
        var saved = (await _store.SessionAsync(tenant, "genesys-ok", CancellationToken.None))!;
        Assert.Empty(saved.Outbox);
        Assert.Contains(HandoffStatus.Connected, saved.PublishedStatuses);
    }

    private List<string?> PublishedIds() =>
        [.. _sidecar.Published(Topics.PubSub, Topics.HandoffEvents).Select(envelope => envelope["id"]?.GetValue<string>())];
}

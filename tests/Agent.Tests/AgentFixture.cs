using PolyAi.Messaging.Agent.Transcripts;
using PolyAi.Messaging.Contracts;
using PolyAi.Messaging.Testing;

namespace PolyAi.Messaging.Agent.Tests;

/// <summary>
/// One agent service, its dev sidecar and a fake handoff gRPC server for the whole collection; every test uses its
/// own tenant and ids.
/// </summary>
public sealed class AgentFixture : IAsyncLifetime
{
    public const string AppId = "agent";

    public ServiceUnderTest<Program> Service { get; private set; } = null!;

    public FakeHandoff Handoff { get; private set; } = null!;

    /// <summary>Fast streams for tests: keep-alives and cross-replica polls in milliseconds.</summary>
    public IReadOnlyDictionary<string, string> Settings => new Dictionary<string, string>
    {
        ["Handoff:GrpcAddress"] = Handoff.Address.ToString(),
        ["Handoff:RpcTokenSecret"] = TestComponents.HandoffRpcSecretName,
        ["Chat:KeepAliveInterval"] = "00:00:00.300",
        ["Chat:StreamPollInterval"] = "00:00:00.050",
        ["Chat:TenantCacheTtl"] = "00:00:00",
        ["Transcripts:PendingSweepInterval"] = "00:00:00.200",
        // A forward that keeps failing is given up after 2 s here (20 s in production: longer than a replica's restart).
        ["Handoff:ForwardPatience"] = "00:00:02",
    };

    public static TenantKey NewTenant() => new("acct-" + Guid.NewGuid().ToString("N")[..8], "project-1", "prod");

    /// <summary>The documented key, spelled out here so a change to it fails a test.</summary>
    public static string TranscriptKey(TenantKey tenant, string conversationId) =>
        $"agent/transcripts/{tenant.AccountId}/{tenant.ProjectId}/{tenant.ClientEnv}/{Uri.EscapeDataString(conversationId)}";

    /// <summary>Registers a tenant as the setup tooling does: its record in the state store.</summary>
    public async Task<TenantKey> RegisterTenantAsync(string? agentDefinition = null)
    {
        var tenant = NewTenant();
        await Service.Dapr.SaveStateAsync(
            ServiceUnderTest<Program>.StateStore,
            tenant.RecordStateKey,
            new TenantRecord(tenant.AccountId, tenant.ProjectId, tenant.ClientEnv, IntegrationId: "integration-1", QueueId: "queue-1", AgentDefinition: agentDefinition));
        return tenant;
    }

    public async Task InitializeAsync()
    {
        Handoff = await FakeHandoff.StartAsync("Bearer " + TestComponents.HandoffRpcToken);
        Service = await ServiceUnderTest.StartAsync<Program>(AppId, Settings);
    }

    public async Task DisposeAsync()
    {
        await Service.DisposeAsync();
        await Handoff.DisposeAsync();
    }
}

[CollectionDefinition(Name)]
public sealed class AgentCollection : ICollectionFixture<AgentFixture>
{
    public const string Name = "agent service";
}

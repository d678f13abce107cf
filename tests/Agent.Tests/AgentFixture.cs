using PolyAi.Messaging.Agent.Transcripts;
using PolyAi.Messaging.ServiceDefaults;
using PolyAi.Messaging.Testing;

namespace PolyAi.Messaging.Agent.Tests;

/// <summary>One agent service and its dev sidecar for the whole collection; every test uses its own tenant and ids.</summary>
public sealed class AgentFixture : IAsyncLifetime
{
    public const string AppId = "agent";

    public ServiceUnderTest<TranscriptOptions> Service { get; private set; } = null!;

    public static TenantKey NewTenant() => new("acct-" + Guid.NewGuid().ToString("N")[..8], "project-1", "prod");

    /// <summary>The documented key, spelled out here so a change to it fails a test.</summary>
    public static string TranscriptKey(TenantKey tenant, string conversationId) =>
        $"agent/transcripts/{tenant.AccountId}/{tenant.ProjectId}/{tenant.ClientEnv}/{Uri.EscapeDataString(conversationId)}";

    public async Task InitializeAsync() => Service = await ServiceUnderTest.StartAsync<TranscriptOptions>(AppId);

    public async Task DisposeAsync() => await Service.DisposeAsync();
}

[CollectionDefinition(Name)]
public sealed class AgentCollection : ICollectionFixture<AgentFixture>
{
    public const string Name = "agent service";
}

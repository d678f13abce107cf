using PolyAi.Messaging.Contracts;
using PolyAi.Messaging.Handoff.Sessions;
using PolyAi.Messaging.Testing;

namespace PolyAi.Messaging.Handoff.Tests;

/// <summary>One handoff service and its dev sidecar for the whole collection; every test uses its own tenant and ids.</summary>
public sealed class HandoffFixture : IAsyncLifetime
{
    public const string AppId = "handoff";

    public ServiceUnderTest<Program> Service { get; private set; } = null!;

    public static TenantKey NewTenant() => new("acct-" + Guid.NewGuid().ToString("N")[..8], "project-1", "prod");

    /// <summary>The documented key, spelled out here so a change to it fails a test.</summary>
    public static string SessionKey(TenantKey tenant, string sessionId) =>
        $"handoff/sessions/{tenant.AccountId}/{tenant.ProjectId}/{tenant.ClientEnv}/{Uri.EscapeDataString(sessionId)}";

    public async Task InitializeAsync() => Service = await ServiceUnderTest.StartAsync<Program>(AppId);

    public async Task DisposeAsync() => await Service.DisposeAsync();
}

[CollectionDefinition(Name)]
public sealed class HandoffCollection : ICollectionFixture<HandoffFixture>
{
    public const string Name = "handoff service";
}

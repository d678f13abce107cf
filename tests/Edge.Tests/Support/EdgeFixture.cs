namespace PolyAi.Messaging.Edge.Tests.Support;

/// <summary>A fake verifier, a fake agent and an edge in front of them with the default limits; every test uses its own tenant.</summary>
public sealed class EdgeFixture : IAsyncLifetime
{
    public FakeVerifier Verifier { get; private set; } = null!;

    public FakeAgent Agent { get; private set; } = null!;

    public EdgeInstance Edge { get; private set; } = null!;

    public static string NewAccount() => "acct-" + Guid.NewGuid().ToString("N")[..10];

    public async Task InitializeAsync()
    {
        Verifier = await FakeVerifier.StartAsync();
        Agent = await FakeAgent.StartAsync();
        Edge = EdgeInstance.Start(Verifier.Address, agent: Agent.Address);
    }

    public async Task DisposeAsync()
    {
        await Edge.DisposeAsync();
        await Agent.DisposeAsync();
        await Verifier.DisposeAsync();
    }
}

[CollectionDefinition(Name)]
public sealed class EdgeCollection : ICollectionFixture<EdgeFixture>
{
    public const string Name = "edge with a fake verifier and agent";
}

namespace PolyAi.Messaging.Edge.Tests.Support;

/// <summary>One fake verifier and an edge in front of it with the default limits; every test uses its own tenant.</summary>
public sealed class EdgeFixture : IAsyncLifetime
{
    public FakeVerifier Verifier { get; private set; } = null!;

    public EdgeInstance Edge { get; private set; } = null!;

    public static string NewAccount() => "acct-" + Guid.NewGuid().ToString("N")[..10];

    public async Task InitializeAsync()
    {
        Verifier = await FakeVerifier.StartAsync();
        Edge = EdgeInstance.Start(Verifier.Address);
    }

    public async Task DisposeAsync()
    {
        await Edge.DisposeAsync();
        await Verifier.DisposeAsync();
    }
}

[CollectionDefinition(Name)]
public sealed class EdgeCollection : ICollectionFixture<EdgeFixture>
{
    public const string Name = "edge with a fake verifier";
}

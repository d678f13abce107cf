using Microsoft.Extensions.Logging;
using PolyAi.Messaging.Genesys.Tests.Client;
using PolyAi.Messaging.GenesysSimulator;

namespace PolyAi.Messaging.Genesys.Tests.Simulator;

/// <summary>One in-process Genesys simulator with a seeded admin client, shared by a test class.</summary>
public sealed class SimulatorFixture : IAsyncLifetime
{
    public GenesysSimulatorHost Host { get; private set; } = null!;

    public SeededOrg Admin => Host.SeededOrg!;

    public SimulatorControl Control => Host.Control;

    public async Task InitializeAsync() => Host = await GenesysSimulatorHost.StartAsync(FastSimulator.Options());

    public async Task DisposeAsync() => await Host.DisposeAsync();

    public GenesysClient AdminClient(GenesysClientOptions? options = null, ILoggerFactory? logs = null, TimeProvider? time = null) =>
        Client(Admin.ClientId, Admin.ClientSecret, options, logs, time);

    public GenesysClient Client(string clientId, string secret, GenesysClientOptions? options = null, ILoggerFactory? logs = null, TimeProvider? time = null) =>
        new(GenesysEnvironment.ForBaseUrl(Host.BaseUrl), new GenesysCredentials(clientId, secret), options ?? StubGenesys.FastOptions(), timeProvider: time, loggerFactory: logs);

    public static string Unique(string name) => $"{name} {Guid.NewGuid():N}"[..(name.Length + 9)];
}

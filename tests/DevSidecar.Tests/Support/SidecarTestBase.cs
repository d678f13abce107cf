using Dapr.Client;

namespace PolyAi.Messaging.DevSidecar.Tests.Support;

/// <summary>
/// A dev sidecar per test with two apps — "verifier" (publisher, no app URL) and "agent" (subscriber) — and a real
/// DaprClient for each. Tests that need a subscriber start it before or after the sidecar as their story requires.
/// </summary>
public abstract class SidecarTestBase : IAsyncLifetime
{
    public const string Publisher = "verifier";

    internal ComponentsDirectory Components { get; } = ComponentsDirectory.Create();

    protected DevSidecarHost Sidecar { get; private set; } = null!;

    protected DaprClient Verifier { get; private set; } = null!;

    protected DaprClient Agent { get; private set; } = null!;

    public virtual Task InitializeAsync() => StartSidecarAsync(agentUrl: null);

    protected async Task StartSidecarAsync(Uri? agentUrl, TimeProvider? time = null, string? apiToken = null)
    {
        var options = new DevSidecarOptions
        {
            ComponentsPath = Components.Path,
            ApiToken = apiToken,
            TimeProvider = time ?? TimeProvider.System,
            Apps = { new DevSidecarApp(Publisher), new DevSidecarApp(SubscriberApp.AppId, AppUrl: agentUrl) },
        };
        Sidecar = await DevSidecarHost.StartAsync(options);
        Verifier = ClientFor(Publisher, apiToken);
        Agent = ClientFor(SubscriberApp.AppId, apiToken);
    }

    protected DaprClient ClientFor(string appId, string? apiToken = null)
    {
        var builder = new DaprClientBuilder()
            .UseGrpcEndpoint(Sidecar.GrpcEndpoint(appId).ToString())
            .UseHttpEndpoint(Sidecar.HttpEndpoint(appId).ToString());
        if (apiToken is not null)
        {
            builder.UseDaprApiToken(apiToken);
        }

        return builder.Build();
    }

    public virtual async Task DisposeAsync()
    {
        Verifier?.Dispose();
        Agent?.Dispose();
        if (Sidecar is not null)
        {
            await Sidecar.DisposeAsync();
        }

        Components.Dispose();
    }
}

namespace PolyAi.Messaging.DevSidecar.Hosting;

/// <summary>
/// Keeps the per-app web hosts from hooking Ctrl+C / SIGTERM themselves: <see cref="DevSidecarHost"/> owns
/// start and stop, whether it runs inside a test or behind Program.
/// </summary>
internal sealed class ExternallyControlledLifetime : IHostLifetime
{
    public Task WaitForStartAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
}

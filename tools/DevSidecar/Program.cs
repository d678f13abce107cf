using System.Runtime.InteropServices;
using PolyAi.Messaging.DevSidecar;

DevSidecarOptions options;
try
{
    options = CommandLine.Parse(args);
}
catch (FormatException e)
{
    await Console.Error.WriteLineAsync($"dev-sidecar: {e.Message}\n{CommandLine.Usage}");
    return 2;
}

var stop = new TaskCompletionSource();
void OnSignal(PosixSignalContext context)
{
    context.Cancel = true;
    stop.TrySetResult();
}

using var sigint = PosixSignalRegistration.Create(PosixSignal.SIGINT, OnSignal);
using var sigterm = PosixSignalRegistration.Create(PosixSignal.SIGTERM, OnSignal);

DevSidecarHost host;
try
{
    host = await DevSidecarHost.StartAsync(options);
}
catch (Exception e) when (e is IOException or InvalidDataException or FormatException or YamlDotNet.Core.YamlException)
{
    await Console.Error.WriteLineAsync($"dev-sidecar: cannot load {options.ComponentsPath}: {e.Message}");
    return 1;
}

await using var running = host;
foreach (var app in options.Apps)
{
    Console.WriteLine(
        $"dev-sidecar: app={app.AppId} http={Authority(host.HttpEndpoint(app.AppId))} grpc={Authority(host.GrpcEndpoint(app.AppId))} app-url={app.AppUrl?.OriginalString ?? "-"}");
}

await stop.Task;
return 0;

static string Authority(Uri endpoint) => endpoint.GetLeftPart(UriPartial.Authority);

/// <summary>Internal: ASP.NET Core would make a top-level Program public, and the tests that reference a stand-in beside a
/// service must see one <c>Program</c> only, the service's.</summary>
internal partial class Program;

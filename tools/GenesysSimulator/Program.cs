using System.Runtime.InteropServices;
using PolyAi.Messaging.GenesysSimulator;

if (!CommandLine.TryParse(args, out var options, out var problem))
{
    await Console.Error.WriteLineAsync($"genesys-simulator: {problem}\n{CommandLine.Usage}");
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

await using var simulator = await GenesysSimulatorHost.StartAsync(options);
Console.WriteLine($"genesys-simulator: base-url={simulator.BaseUrl.ToString().TrimEnd('/')} desktop={simulator.BaseUrl}desktop");
if (simulator.SeededOrg is { } org)
{
    Console.WriteLine($"genesys-simulator: admin client-id={org.ClientId} client-secret={org.ClientSecret} organization={org.OrganizationId} home-division={org.HomeDivisionId}");
}

await stop.Task;
return 0;

/// <summary>Internal: ASP.NET Core would make a top-level Program public, and the tests that reference a stand-in beside a
/// service must see one <c>Program</c> only, the service's.</summary>
internal partial class Program;

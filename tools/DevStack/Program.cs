using System.CommandLine;
using System.Runtime.InteropServices;
using PolyAi.Messaging.Contracts;
using PolyAi.Messaging.DevStack;

var tenantOption = new Option<string[]>("--tenant")
{
    Description = "Register a further tenant ACCOUNT/PROJECT/ENV with its own webhook secret (repeatable).",
    AllowMultipleArgumentsPerToken = false,
};
var edgePortOption = new Option<int>("--edge-port") { Description = "Port of the public edge.", DefaultValueFactory = _ => 8080 };
var stateOption = new Option<string?>("--state-dir") { Description = "Where generated components and local secrets go (default .devstack/)." };
var noAgentsOption = new Option<bool>("--no-agents") { Description = "Nobody on the simulated Genesys queue: try the \"no agents available\" path." };
var manualAgentOption = new Option<bool>("--manual-agent") { Description = "Be the human agent yourself on the simulator's /desktop page instead of a scripted one." };

var root = new RootCommand("Runs PolyAI Messaging locally: dev sidecar, verifier, agent, handoff and edge, each its own process.")
{
    tenantOption, edgePortOption, stateOption, noAgentsOption, manualAgentOption,
};
root.SetAction(async (parse, cancellationToken) =>
{
    var options = new DevStackOptions
    {
        EdgePort = parse.GetValue(edgePortOption),
        StateDirectory = parse.GetValue(stateOption),
        Log = Output.Child,
    };
    if (parse.GetValue(noAgentsOption))
    {
        options.Agents.Clear();
    }
    else if (parse.GetValue(manualAgentOption))
    {
        options.Agents[0] = options.Agents[0] with { Manual = true, EndAfterMessages = null };
    }

    foreach (var text in parse.GetValue(tenantOption) ?? [])
    {
        if (!TenantKey.TryParse(text, out var tenant))
        {
            Output.Error($"--tenant '{text}' is not ACCOUNT/PROJECT/ENV (letters, digits, '-', '_', '.').");
            return 2;
        }

        options.Tenants.Add(tenant);
    }

    using var stop = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
    using var sigterm = PosixSignalRegistration.Create(PosixSignal.SIGTERM, context =>
    {
        context.Cancel = true;
        stop.Cancel();
    });

    Output.Info("starting: Genesys simulator, dev sidecar, verifier, agent, handoff, edge ...");
    var started = System.Diagnostics.Stopwatch.StartNew();
    await using var stack = await DevStackHost.StartAsync(options, stop.Token);
    stack.PartExited += (name, code) => Output.Error($"!!! {name} exited unexpectedly with code {code}; the stack is degraded. Ctrl+C stops everything.");
    Output.Ready(stack, started.Elapsed);

    try
    {
        await Task.Delay(Timeout.Infinite, stop.Token);
    }
    catch (OperationCanceledException)
    {
        Output.Info("stopping every part ...");
    }

    return 0;
});

return await root.Parse(args).InvokeAsync();

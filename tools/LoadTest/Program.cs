using System.CommandLine;
using PolyAi.Messaging.LoadTest;

var quick = new Option<bool>("--quick") { Description = "A few seconds at small rates: the CI smoke test (no timing claims)." };
var duration = new Option<double?>("--duration") { Description = "Seconds per measured phase (default 15)." };
var warmUp = new Option<double?>("--warm-up") { Description = "Unmeasured seconds before each phase (default 5)." };
var connections = new Option<int?>("--connections") { Description = "Client connections, the same for every target (default 32)." };
var rate = new Option<double?>("--rate") { Description = "Webhooks per second for the throughput phases; omit for flat out." };
var conversations = new Option<int?>("--conversations") { Description = "Customers the ingest webhooks are spread over (default 1000)." };
var e2eRate = new Option<double?>("--e2e-rate") { Description = "Webhooks per second in the end-to-end phase (default 200)." };
var e2eConversations = new Option<int?>("--e2e-conversations") { Description = "Open customer SSE streams in the end-to-end phase (default 50)." };
var noBaselines = new Option<bool>("--no-baselines") { Description = "Skip the bare Kestrel and edge → bare baselines." };
var noEndToEnd = new Option<bool>("--no-e2e") { Description = "Skip the end-to-end phase." };
var noIngest = new Option<bool>("--no-ingest") { Description = "Skip the pipeline throughput and half-rate phases." };
var sseStreams = new Option<int?>("--sse-streams") { Description = "Also hold this many open SSE conversations on one agent process and read its memory and CPU (off unless given)." };
var sseThroughEdge = new Option<bool>("--sse-through-edge") { Description = "Open the --sse-streams through the edge (many loopback source addresses) and read the edge's memory too." };
var sseHold = new Option<double?>("--sse-hold") { Description = "Seconds the SSE streams are held open (default 30)." };
var handoffs = new Option<int?>("--handoffs") { Description = "Also run N concurrent handoffs on one tenant against the simulator's request budget (issue 11; off unless given)." };
var handoffReplicas = new Option<int?>("--handoff-replicas") { Description = "Handoff processes in the handoffs phase (default 2)." };
var handoffMinutes = new Option<double?>("--handoff-minutes") { Description = "Simulated minutes of the handoffs phase (default 30)." };
var timeScale = new Option<double?>("--time-scale") { Description = "Compressed time for the handoffs phase: simulated seconds per real second (default 10)." };
var handoffStartRate = new Option<double?>("--handoff-starts-per-minute") { Description = "Handoff starts per simulated minute over all replicas (default 60)." };
var handoffNotifications = new Option<string?>("--handoff-notifications") { Description = "on (default) | off: the notification socket dropped, polling only." };
var handoffEnds = new Option<int?>("--handoff-ends") { Description = "How many handoffs their agents end during the run, spread evenly (default all; a scale run ends a sample while the rest stay open)." };
var genesysRateLimit = new Option<int?>("--genesys-rate-limit") { Description = "Requests per OAuth client and minute the simulator allows in the handoffs phase (default Genesys' 300; lift it for a scale run)." };
var unknownTenants = new Option<int?>("--unknown-tenants") { Description = "Also send N webhooks to made-up tenant paths through the edge and N straight to the verifier, production limits, and read their memory and log volume (issue 12; off unless given)." };
var webhookUrl = new Option<Uri?>("--webhook-url") { Description = "Load this tenant webhook URL (127.0.0.1 only) instead of starting the stack." };
var secret = new Option<string?>("--secret") { Description = "The tenant's webhook secret, with --webhook-url." };
var report = new Option<string?>("--report") { Description = "Also write the Markdown report to this file." };
var partsLog = new Option<string?>("--parts-log") { Description = "Write every line the started processes print to this file (by default only their errors reach the console)." };

var root = new RootCommand("Load test for PolyAI Messaging: signed Genesys webhooks against bare Kestrel, edge → bare, the pipeline, and end to end.")
{
    quick, duration, warmUp, connections, rate, conversations, e2eRate, e2eConversations, noBaselines, noEndToEnd, noIngest, sseStreams, sseThroughEdge, sseHold, handoffs, handoffReplicas, handoffMinutes, timeScale, handoffStartRate, handoffNotifications, handoffEnds, genesysRateLimit, unknownTenants, webhookUrl, secret, report, partsLog,
};
root.SetAction(async (parse, cancellationToken) =>
{
    var options = parse.GetValue(quick) ? LoadTestOptions.Quick : new LoadTestOptions();
    options = options with
    {
        Duration = parse.GetValue(duration) is { } d ? TimeSpan.FromSeconds(d) : options.Duration,
        WarmUp = parse.GetValue(warmUp) is { } w ? TimeSpan.FromSeconds(w) : options.WarmUp,
        Connections = parse.GetValue(connections) ?? options.Connections,
        Rate = parse.GetValue(rate) ?? options.Rate,
        Conversations = parse.GetValue(conversations) ?? options.Conversations,
        EndToEndRate = parse.GetValue(e2eRate) ?? options.EndToEndRate,
        EndToEndConversations = parse.GetValue(e2eConversations) ?? options.EndToEndConversations,
        Baselines = !parse.GetValue(noBaselines),
        EndToEnd = !parse.GetValue(noEndToEnd),
        Ingest = !parse.GetValue(noIngest),
        SseStreams = parse.GetValue(sseStreams) ?? options.SseStreams,
        SseThroughEdge = parse.GetValue(sseThroughEdge),
        SseHold = parse.GetValue(sseHold) is { } h ? TimeSpan.FromSeconds(h) : options.SseHold,
        Handoffs = parse.GetValue(handoffs) ?? options.Handoffs,
        HandoffReplicas = parse.GetValue(handoffReplicas) ?? options.HandoffReplicas,
        HandoffMinutes = parse.GetValue(handoffMinutes) ?? options.HandoffMinutes,
        TimeScale = parse.GetValue(timeScale) ?? options.TimeScale,
        HandoffStartsPerMinute = parse.GetValue(handoffStartRate) ?? options.HandoffStartsPerMinute,
        HandoffNotifications = parse.GetValue(handoffNotifications) is not { } n || !n.Equals("off", StringComparison.OrdinalIgnoreCase),
        GenesysRateLimit = parse.GetValue(genesysRateLimit) ?? options.GenesysRateLimit,
        HandoffEnds = parse.GetValue(handoffEnds) ?? options.HandoffEnds,
        UnknownTenants = parse.GetValue(unknownTenants) ?? options.UnknownTenants,
        WebhookUrl = parse.GetValue(webhookUrl),
        Secret = parse.GetValue(secret),
        ReportPath = parse.GetValue(report),
        PartsLogPath = parse.GetValue(partsLog),
    };
    if (options.WebhookUrl is { } url && !url.IsLoopback)
    {
        Console.Error.WriteLine("--webhook-url must be a loopback address: this tool only loads the local machine.");
        return 2;
    }

    var result = await LoadTestRun.RunAsync(options, cancellationToken);
    var markdown = result.ToMarkdown();
    Console.WriteLine();
    Console.WriteLine(markdown);
    if (options.ReportPath is { } path)
    {
        await File.WriteAllTextAsync(path, markdown, cancellationToken);
    }

    return result.Results.Any(r => r.ServerErrors > 0 || r.Accepted == 0) || result.Sse is { Ok: false } || result.Handoffs is { Ok: false } || result.UnknownTenants is { Ok: false } ? 1 : 0;
});

// The bare baseline endpoint, started by the tool itself as its own process.
var urls = new Option<string>("--urls") { Required = true, Description = "Where the bare endpoint listens." };
var bare = new Command("bare", "Runs only the bare Kestrel endpoint (reads the body, answers 200).") { urls };
bare.SetAction((parse, cancellationToken) => BareEndpoint.RunAsync(parse.GetValue(urls)!, cancellationToken));
root.Subcommands.Add(bare);

return await root.Parse(args).InvokeAsync();

namespace PolyAi.Messaging.LoadTest;

/// <summary>What to measure and how hard. <see cref="Quick"/> gives the CI smoke test: seconds, small rates.</summary>
public sealed record LoadTestOptions
{
    /// <summary>Seconds per measured phase.</summary>
    public TimeSpan Duration { get; init; } = TimeSpan.FromSeconds(15);

    /// <summary>Unmeasured load before each phase (JIT, connections).</summary>
    public TimeSpan WarmUp { get; init; } = TimeSpan.FromSeconds(5);

    /// <summary>Client connections, the same for every target.</summary>
    public int Connections { get; init; } = 32;

    /// <summary>Webhooks per second for the throughput phases; null = flat out.</summary>
    public double? Rate { get; init; }

    /// <summary>Distinct customers (<c>channel.to.id</c>) the ingest webhooks are spread over.</summary>
    public int Conversations { get; init; } = 1000;

    public bool Baselines { get; init; } = true;

    public bool Ingest { get; init; } = true;

    /// <summary>The fixed-rate latency phase at half of the measured maximum.</summary>
    public bool HalfRate { get; init; } = true;

    public bool EndToEnd { get; init; } = true;

    /// <summary>Webhooks per second in the end-to-end phase.</summary>
    public double EndToEndRate { get; init; } = 200;

    /// <summary>Open customer conversations (SSE streams) the end-to-end webhooks are spread over.</summary>
    public int EndToEndConversations { get; init; } = 50;

    /// <summary>Open SSE conversations held on the agent in the <c>sse streams</c> phase; 0 = the phase is off (not in <see cref="Quick"/>).</summary>
    public int SseStreams { get; init; }

    /// <summary>Open the streams through the edge (from many loopback source addresses) and read its memory too.</summary>
    public bool SseThroughEdge { get; init; }

    /// <summary>How long the streams are held open at idle while the agent's memory and CPU are read.</summary>
    public TimeSpan SseHold { get; init; } = TimeSpan.FromSeconds(30);

    /// <summary>Customer messages sent to random open conversations after the hold, each timed to its stream.</summary>
    public int SseProbes { get; init; } = 20;

    /// <summary>Webhooks to made-up tenant paths per target (edge, verifier) in the <c>unknown tenants</c> phase; 0 = off (issue 12).</summary>
    public int UnknownTenants { get; init; }

    /// <summary>Concurrent handoffs on one tenant in the <c>handoffs</c> phase (issue 11); 0 = the phase is off (not in <see cref="Quick"/>).</summary>
    public int Handoffs { get; init; }

    /// <summary>Handoff processes sharing the tenant's Genesys budget in the <c>handoffs</c> phase.</summary>
    public int HandoffReplicas { get; init; } = 2;

    /// <summary>Simulated minutes the <c>handoffs</c> phase runs.</summary>
    public double HandoffMinutes { get; init; } = 30;

    /// <summary>How much faster than real time the <c>handoffs</c> phase runs (every service and the simulator).</summary>
    public double TimeScale { get; init; } = 10;

    /// <summary>Handoff starts per simulated minute (the ramp), over all replicas.</summary>
    public double HandoffStartsPerMinute { get; init; } = 60;

    /// <summary>How many of the handoffs their agents end during the run, spread evenly over them; null: all. A scale run
    /// ends a sample while the rest stay open, so detection is measured with every session still watched.</summary>
    public int? HandoffEnds { get; init; }

    /// <summary>Scripted agents on the tenant's queue (the simulator gives each any number of conversations).</summary>
    public int HandoffAgents { get; init; } = 20;

    /// <summary>
    /// The simulator's requests per OAuth client and minute in the <c>handoffs</c> phase; null: Genesys' 300. A scale run
    /// (100,000 sessions, issue 14) lifts it to measure the handoff service and its state, not one client's budget.
    /// </summary>
    public int? GenesysRateLimit { get; init; }

    /// <summary>False models the notification socket dropped for the whole run: <c>Handoff__NotificationsEnabled=false</c>.</summary>
    public bool HandoffNotifications { get; init; } = true;

    /// <summary>An existing tenant webhook URL to load instead of starting the stack (with <see cref="Secret"/>).</summary>
    public Uri? WebhookUrl { get; init; }

    public string? Secret { get; init; }

    /// <summary>Where the report goes (Markdown); null = only the console.</summary>
    public string? ReportPath { get; init; }

    /// <summary>Where every line of the started processes goes; null = only their errors, on the console.</summary>
    public string? PartsLogPath { get; init; }

    public Action<string> Log { get; init; } = Console.WriteLine;

    public static LoadTestOptions Quick => new()
    {
        Duration = TimeSpan.FromSeconds(2),
        WarmUp = TimeSpan.FromSeconds(0.5),
        Connections = 4,
        Rate = 50,
        Conversations = 20,
        EndToEndRate = 20,
        EndToEndConversations = 5,
    };
}

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

    /// <summary>An existing tenant webhook URL to load instead of starting the stack (with <see cref="Secret"/>).</summary>
    public Uri? WebhookUrl { get; init; }

    public string? Secret { get; init; }

    /// <summary>Where the report goes (Markdown); null = only the console.</summary>
    public string? ReportPath { get; init; }

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

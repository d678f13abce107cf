using PolyAi.Messaging.Contracts;

namespace PolyAi.Messaging.DevStack;

public sealed class DevStackOptions
{
    public static readonly TenantKey DemoTenant = new("ACCOUNT-demo", "PROJECT-demo", "live");

    /// <summary>The public port of the edge; 0 picks a free one. Locally the product answers on 8080.</summary>
    public int EdgePort { get; init; } = 8080;

    /// <summary>Pick free ports for everything (tests run several stacks side by side).</summary>
    public bool UseFreePorts { get; init; }

    /// <summary>Where the generated components and the local secrets file go; default <c>.devstack/</c> in the repository.</summary>
    public string? StateDirectory { get; init; }

    /// <summary>Tenants to register, each with its own freshly generated webhook secret. The demo tenant comes first.</summary>
    public IList<TenantKey> Tenants { get; } = new List<TenantKey> { DemoTenant };

    /// <summary>The simulated human agents on each tenant's queue in the Genesys simulator (empty: nobody on queue).</summary>
    public IList<SimulatedAgent> Agents { get; } = new List<SimulatedAgent> { new() { Name = "Sam" } };

    /// <summary>Extra configuration for every service, as environment variables (e.g. <c>Edge__RateLimit__PermitsPerSecond</c>).</summary>
    public IDictionary<string, string> ServiceSettings { get; } = new Dictionary<string, string>();

    /// <summary>Where the children's output goes: (service, line).</summary>
    public Action<string, string> Log { get; init; } = (_, _) => { };

    public TimeSpan StartTimeout { get; init; } = TimeSpan.FromSeconds(60);

    /// <summary>
    /// Handoff processes (default 1). Each extra replica is its own process with its own HTTP and gRPC ports, sharing
    /// the handoff app's Dapr sidecar endpoints; the sidecar delivers pub/sub to the first only.
    /// </summary>
    public int HandoffReplicas { get; init; } = 1;

    /// <summary>
    /// Compressed time for benchmarks (default 1, real time): the services (<c>Time__Scale</c>, <c>Time__Epoch</c>)
    /// and the Genesys simulator (<c>--time-scale</c>, <c>--time-epoch</c>) run this many times faster from one epoch,
    /// taken when the stack starts. The dev sidecar stays on real time.
    /// </summary>
    public double TimeScale { get; init; } = 1;

    /// <summary>The simulator's request budget per OAuth client and minute; null: Genesys' 300. Scale benchmarks lift it.</summary>
    public int? GenesysRateLimitPerMinute { get; init; }
}

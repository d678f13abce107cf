using PolyAi.Messaging.ServiceDefaults;

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
}

using System.ComponentModel.DataAnnotations;

namespace PolyAi.Messaging.Contracts;

public sealed class TenancyOptions
{
    public const string Section = "Tenancy";

    [Required]
    public string StateStore { get; set; } = "statestore";

    [Required]
    public string SecretStore { get; set; } = "secretstore";

    /// <summary>How long a tenant record and its secrets are reused before being read again.</summary>
    [Range(typeof(TimeSpan), "00:00:00", "01:00:00")]
    public TimeSpan CacheTtl { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>
    /// How long "no such tenant" is believed: short, so a tenant provisioned just after a miss is found soon, and so
    /// lookups of made-up tenants leave the cache quickly.
    /// </summary>
    [Range(typeof(TimeSpan), "00:00:00", "00:10:00")]
    public TimeSpan MissTtl { get; set; } = TimeSpan.FromSeconds(5);

    /// <summary>
    /// At most this many lookups are cached; past it a miss is not cached (the store is read each time), a found
    /// tenant still is.
    /// </summary>
    [Range(1, 10_000_000)]
    public int MaxCachedTenants { get; set; } = 10_000;

    /// <summary>Bound on one read of a tenant's record and secrets, shared by every caller waiting for it.</summary>
    [Range(typeof(TimeSpan), "00:00:00.100", "00:01:00")]
    public TimeSpan LoadTimeout { get; set; } = TimeSpan.FromSeconds(5);
}

using System.ComponentModel.DataAnnotations;

namespace PolyAi.Messaging.Genesys;

/// <summary>
/// How the client talks to Genesys: timeouts and retries (all of them), and optionally one default org for tools
/// that only ever talk to one (<see cref="Environment"/>, <see cref="ClientId"/>, <see cref="ClientSecret"/>).
/// </summary>
public sealed class GenesysClientOptions : IValidatableObject
{
    public const string SectionName = "Genesys";

    /// <summary>The SDK refuses to sleep longer than this for a <c>Retry-After</c>; so do we.</summary>
    public static readonly TimeSpan SdkMaxRetryAfter = TimeSpan.FromSeconds(180);

    /// <summary>Default org for a single-tenant tool: a domain, region name or explicit base URL.</summary>
    public string? Environment { get; set; }

    public string? ClientId { get; set; }

    public string? ClientSecret { get; set; }

    /// <summary>Limit for one HTTP attempt.</summary>
    public TimeSpan AttemptTimeout { get; set; } = TimeSpan.FromSeconds(20);

    /// <summary>Limit for a whole call, retries and their waits included.</summary>
    public TimeSpan TotalTimeout { get; set; } = TimeSpan.FromSeconds(90);

    /// <summary>Retries after the first attempt (429, and for retry-safe calls 502/503/504, timeouts and network errors).</summary>
    [Range(0, 10)]
    public int MaxRetries { get; set; } = 3;

    /// <summary>First backoff delay when Genesys gives no <c>Retry-After</c>; doubles per retry, with jitter.</summary>
    public TimeSpan RetryBaseDelay { get; set; } = TimeSpan.FromSeconds(1);

    /// <summary>
    /// The longest <c>Retry-After</c> we will sleep for; a longer one surfaces at once as a
    /// <see cref="GenesysApiException"/> with status 429 and <see cref="GenesysApiException.RetryAfter"/>.
    /// </summary>
    public TimeSpan MaxRetryAfter { get; set; } = TimeSpan.FromSeconds(60);

    /// <summary>Bad settings, said plainly; also run by the client's constructor.</summary>
    public IEnumerable<ValidationResult> Validate(ValidationContext validationContext)
    {
        if (AttemptTimeout <= TimeSpan.Zero || TotalTimeout <= TimeSpan.Zero)
        {
            yield return new ValidationResult("Genesys timeouts must be positive.", [nameof(AttemptTimeout), nameof(TotalTimeout)]);
        }

        if (AttemptTimeout > TotalTimeout)
        {
            yield return new ValidationResult("Genesys AttemptTimeout must not exceed TotalTimeout.", [nameof(AttemptTimeout)]);
        }

        if (MaxRetryAfter < TimeSpan.Zero || MaxRetryAfter > SdkMaxRetryAfter || MaxRetryAfter >= TotalTimeout)
        {
            yield return new ValidationResult(
                $"Genesys MaxRetryAfter must be between 0 and {SdkMaxRetryAfter.TotalSeconds:0} s and shorter than TotalTimeout.",
                [nameof(MaxRetryAfter)]);
        }

        if (RetryBaseDelay < TimeSpan.Zero || MaxRetries is < 0 or > 10)
        {
            yield return new ValidationResult("Genesys RetryBaseDelay must not be negative and MaxRetries must be 0–10.", [nameof(MaxRetries)]);
        }

        if (Environment is not null && !GenesysEnvironment.TryParse(Environment, out _))
        {
            yield return new ValidationResult(
                $"Genesys Environment '{Environment}' is not a domain such as 'usw2.pure.cloud', a region name or an http(s) base URL.",
                [nameof(Environment)]);
        }
    }

    internal void ThrowIfInvalid()
    {
        var errors = Validate(new ValidationContext(this)).Select(r => r.ErrorMessage).ToList();
        if (errors.Count > 0)
        {
            throw new ArgumentException(string.Join(" ", errors));
        }
    }
}

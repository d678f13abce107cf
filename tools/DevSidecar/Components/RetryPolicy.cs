namespace PolyAi.Messaging.DevSidecar.Components;

internal enum RetryBackoff
{
    Constant,
    Exponential,
}

/// <summary>A Resiliency retry policy: how long to wait before the n-th retry, and when to give up.</summary>
internal sealed record RetryPolicy(RetryBackoff Backoff, TimeSpan Duration, TimeSpan MaxInterval, int MaxRetries)
{
    private const double ExponentialMultiplier = 1.5;

    /// <summary>Used for a pubsub no Resiliency targets; real daprd would hand the error back to the component instead.</summary>
    public static RetryPolicy DefaultInbound { get; } =
        new(RetryBackoff.Exponential, TimeSpan.FromMilliseconds(200), TimeSpan.FromSeconds(5), MaxRetries: -1);

    /// <summary>Delay before retry number <paramref name="retry"/> (1-based), or null when the policy is exhausted.</summary>
    public TimeSpan? DelayBefore(int retry)
    {
        if (MaxRetries >= 0 && retry > MaxRetries)
        {
            return null;
        }

        if (Backoff == RetryBackoff.Constant)
        {
            return Duration;
        }

        var delay = Duration.TotalMilliseconds * Math.Pow(ExponentialMultiplier, Math.Min(retry - 1, 64));
        return TimeSpan.FromMilliseconds(Math.Min(delay, MaxInterval.TotalMilliseconds));
    }

    public static RetryPolicy FromYaml(string name, RetryYaml yaml)
    {
        var backoff = yaml.Policy?.ToLowerInvariant() switch
        {
            null or "constant" => RetryBackoff.Constant,
            "exponential" => RetryBackoff.Exponential,
            var other => throw new InvalidDataException($"retry policy '{name}': unknown policy '{other}'"),
        };
        var defaultDuration = backoff == RetryBackoff.Constant ? TimeSpan.FromSeconds(5) : TimeSpan.FromMilliseconds(500);
        return new RetryPolicy(
            backoff,
            yaml.Duration is null ? defaultDuration : GoDuration.Parse(yaml.Duration),
            yaml.MaxInterval is null ? TimeSpan.FromSeconds(60) : GoDuration.Parse(yaml.MaxInterval),
            yaml.MaxRetries ?? -1);
    }
}

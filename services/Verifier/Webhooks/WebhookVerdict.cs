using PolyAi.Messaging.Contracts;

namespace PolyAi.Messaging.Verifier.Webhooks;

/// <summary>What became of one webhook delivery; <see cref="WebhookApi"/> maps each to a status code.</summary>
public enum WebhookOutcome
{
    Accepted,
    Duplicate,
    Unauthorized,
    UnknownTenant,
    Invalid,
    TooLarge,
    TimedOut,
    Overloaded,
    Unavailable,
}

/// <param name="Detail">Only for <see cref="WebhookOutcome.Invalid"/>: what is wrong with the body.</param>
public readonly record struct WebhookVerdict(WebhookOutcome Outcome, string? Detail = null)
{
    /// <summary>For an accepted or duplicate webhook: the tenant's own allowance at the edge, when its record has one.</summary>
    public WebhookRateLimit? TenantRate { get; init; }

    public static WebhookVerdict Accepted => new(WebhookOutcome.Accepted);
    public static WebhookVerdict Duplicate => new(WebhookOutcome.Duplicate);
    public static WebhookVerdict Unauthorized => new(WebhookOutcome.Unauthorized);
    public static WebhookVerdict UnknownTenant => new(WebhookOutcome.UnknownTenant);
    public static WebhookVerdict TooLarge => new(WebhookOutcome.TooLarge);
    public static WebhookVerdict TimedOut => new(WebhookOutcome.TimedOut);
    public static WebhookVerdict Overloaded => new(WebhookOutcome.Overloaded);
    public static WebhookVerdict Unavailable => new(WebhookOutcome.Unavailable);

    public static WebhookVerdict Invalid(string detail) => new(WebhookOutcome.Invalid, detail);
}

/// <summary>The body of a 200: whether this delivery was published now or had been before.</summary>
public sealed record WebhookAck(string Status);

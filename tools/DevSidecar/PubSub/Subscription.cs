using System.Text.Json.Nodes;

namespace PolyAi.Messaging.DevSidecar.PubSub;

/// <summary>A rule of a subscription: events matching <see cref="Match"/> go to <see cref="Path"/>.</summary>
internal sealed record RouteRule(MatchExpression Match, string Path);

/// <summary>One app's subscription to one topic, as loaded from its <c>/dapr/subscribe</c>.</summary>
internal sealed record Subscription(
    string AppId,
    string PubSub,
    string Topic,
    IReadOnlyList<RouteRule> Rules,
    string? DefaultRoute,
    IReadOnlyDictionary<string, string> Metadata,
    string? DeadLetterTopic)
{
    public bool IsRawPayload => CloudEventEnvelope.IsTrue(Metadata, "rawPayload");

    /// <summary>The first matching rule's path, else the default route; null means "acknowledge without delivering".</summary>
    public string? RouteFor(JsonObject envelope) =>
        Rules.FirstOrDefault(rule => rule.Match.Matches(envelope))?.Path ?? DefaultRoute;

    /// <summary>
    /// Validates and normalises a declaration (routes get a leading slash); null when it has no route at all,
    /// which daprd discards. An unsupported match expression throws <see cref="FormatException"/>.
    /// </summary>
    public static Subscription? FromDeclaration(string appId, SubscriptionDeclaration declaration)
    {
        if (string.IsNullOrEmpty(declaration.PubsubName) || string.IsNullOrEmpty(declaration.Topic))
        {
            throw new FormatException("a subscription needs pubsubname and topic");
        }

        var rules = (declaration.Routes?.Rules ?? [])
            .Where(rule => !string.IsNullOrEmpty(rule.Path))
            .Select(rule => new RouteRule(MatchExpression.Parse(rule.Match ?? ""), WithLeadingSlash(rule.Path!)))
            .ToList();
        var defaultRoute = declaration.Routes?.Default is { Length: > 0 } fallback ? fallback : declaration.Route;
        if (rules.Count == 0 && string.IsNullOrEmpty(defaultRoute))
        {
            return null;
        }

        return new Subscription(
            appId,
            declaration.PubsubName,
            declaration.Topic,
            rules,
            string.IsNullOrEmpty(defaultRoute) ? null : WithLeadingSlash(defaultRoute),
            declaration.Metadata ?? new Dictionary<string, string>(),
            string.IsNullOrEmpty(declaration.DeadLetterTopic) ? null : declaration.DeadLetterTopic);
    }

    private static string WithLeadingSlash(string path) => path.StartsWith('/') ? path : "/" + path;
}

namespace PolyAi.Messaging.DevSidecar.PubSub;

// One entry of an app's GET /dapr/subscribe answer, read case-insensitively as daprd's Go decoder does.

internal sealed record SubscriptionDeclaration(
    string? PubsubName,
    string? Topic,
    string? Route,
    SubscriptionRoutesDeclaration? Routes,
    Dictionary<string, string>? Metadata,
    string? DeadLetterTopic);

internal sealed record SubscriptionRoutesDeclaration(IReadOnlyList<SubscriptionRuleDeclaration>? Rules, string? Default);

internal sealed record SubscriptionRuleDeclaration(string? Match, string? Path);

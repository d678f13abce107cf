using System.Text.Json.Nodes;

namespace PolyAi.Messaging.GenesysSimulator;

// Request records use setters, not init: System.Text.Json source generation writes every init-only property,
// so an omitted one would lose its default (OnQueue = true, Replies, QueueName, ...).

/// <summary>How a simulated agent behaves. A manual agent does nothing by itself: a person drives it from /desktop.</summary>
public sealed record AgentScript
{
    public string? Name { get; set; }
    public bool OnQueue { get; set; } = true;
    public int AcceptDelayMs { get; set; }
    public int ReplyDelayMs { get; set; }
    public bool TypingBeforeReply { get; set; } = true;
    public IReadOnlyList<string> Replies { get; set; } = ["Hello, this is a human agent."];

    /// <summary>End the conversation after this many agent replies; null = never.</summary>
    public int? EndAfterMessages { get; set; }

    public bool Manual { get; set; }
}

/// <summary>An org's admin credentials: an OAuth client whose role grants every permission.</summary>
public sealed record SeededOrg(string OrganizationId, string HomeDivisionId, string ClientId, string ClientSecret);

/// <summary>Everything a handoff needs, provisioned in one call (what the setup CLI would do against real Genesys).</summary>
public sealed record WorldSeed(Uri WebhookUrl, string WebhookSecret)
{
    public bool TypingEnabled { get; set; }
    public string QueueName { get; set; } = "AI Handoff";
    public string FlowName { get; set; } = "AI Handoff Inbound";
    public string IntegrationName { get; set; } = "AI Handoff";
    public IReadOnlyList<AgentScript> Agents { get; set; } = [];
}

public sealed record SeededWorld(
    string OrganizationId,
    string ClientId,
    string ClientSecret,
    string IntegrationId,
    string RecipientId,
    string QueueId,
    string FlowId,
    string MessagingSettingId,
    IReadOnlyList<string> AgentIds);

/// <summary>A fault the API answers with for requests whose method and path match, <see cref="Times"/> times (null = until cleared).</summary>
public sealed record FaultRule
{
    public string? Method { get; set; }

    /// <summary>Regular expression matched against the request path (e.g. <c>/inbound/open/message$</c>).</summary>
    public required string PathPattern { get; set; }

    public int LatencyMs { get; set; }
    public int? Status { get; set; }
    public int? RetryAfterSeconds { get; set; }
    public bool MalformedBody { get; set; }
    public int? Times { get; set; }

    /// <summary>
    /// The request is carried out first, then the answer is lost: replaced by <see cref="Status"/> (a 5xx that did
    /// the work) or, with only <see cref="LatencyMs"/>, held back that long (a timeout for a client that gives up first).
    /// </summary>
    public bool AfterProcessing { get; set; }
}

/// <summary>What happens to the next outbound webhooks: <c>drop</c> (never sent) or <c>delay</c> (sent late).</summary>
public sealed record WebhookFault
{
    public required string Mode { get; set; }
    public int DelayMs { get; set; }
    public int? Times { get; set; }
}

/// <summary>A request a provider made to an inbound Open Messaging API, as received.</summary>
public sealed record ReceivedItem(string Kind, string IntegrationId, DateTimeOffset At, JsonObject Body, string? ConversationId);

public sealed record DeliveryAttempt(DateTimeOffset At, int? Status, string? Error);

/// <summary>One outbound webhook and every attempt to deliver it. Outcome: pending, delivered, failed, dropped.</summary>
public sealed record WebhookDelivery(
    string Id,
    Uri Url,
    string? ConversationId,
    string Body,
    string Signature,
    IReadOnlyList<DeliveryAttempt> Attempts,
    string Outcome);

/// <summary>One authenticated Platform API call as the simulator answered it.</summary>
public sealed record ApiCall(string ClientId, string Method, string Path, int Status, DateTimeOffset At);

/// <summary>
/// A live notification channel: its topics, the WebSockets open on it now (and how many of those are silenced) and
/// how many connections it has had in all.
/// </summary>
public sealed record NotificationChannelInfo(
    string Id,
    string ClientId,
    DateTimeOffset Expires,
    IReadOnlyList<string> Topics,
    int OpenSockets,
    int SilencedSockets,
    int Connections);

/// <summary>How many sockets or channels a control action touched.</summary>
public sealed record CountAnswer(int Count);

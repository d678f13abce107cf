using System.Text.Json.Nodes;

namespace PolyAi.Messaging.GenesysSimulator.World;

// The simulator's world. Mutable on purpose: every instance is only touched under Org.Gate.

internal sealed record PermissionPolicy(string Domain, string EntityName, IReadOnlyList<string> ActionSet)
{
    public bool Grants(string permission)
    {
        var parts = permission.Split(':');
        return parts.Length == 3
            && Matches(Domain, parts[0])
            && Matches(EntityName, parts[1])
            && ActionSet.Any(action => Matches(action, parts[2]));
    }

    private static bool Matches(string pattern, string value) => pattern == "*" || string.Equals(pattern, value, StringComparison.Ordinal);
}

internal sealed class Role
{
    public required string Id { get; init; }
    public required string Name { get; set; }
    public string? Description { get; set; }
    public required List<PermissionPolicy> Policies { get; set; }
}

internal sealed record RoleDivision(string RoleId, string DivisionId);

internal sealed class OAuthClient
{
    public required string Id { get; init; }
    public required string Secret { get; init; }
    public required string Name { get; set; }
    public string? Description { get; set; }
    public required string AuthorizedGrantType { get; init; }
    public int AccessTokenValiditySeconds { get; set; } = 86400;
    public required List<RoleDivision> RoleDivisions { get; set; }
    public DateTimeOffset DateCreated { get; init; }
}

internal sealed class AccessToken
{
    public required string Value { get; init; }
    public required string ClientId { get; init; }
    public DateTimeOffset ExpiresAt { get; set; }
}

internal sealed class MessagingSetting
{
    public required string Id { get; init; }
    public required string Name { get; set; }
    public JsonObject? Event { get; set; }
    public JsonObject? Content { get; set; }
    public DateTimeOffset DateModified { get; set; }

    public bool Typing(string direction) =>
        string.Equals((string?)Event?["typing"]?["on"]?[direction], "Enabled", StringComparison.Ordinal);
}

internal sealed class Integration
{
    public required string Id { get; init; }
    public required string Name { get; set; }
    public required Uri WebhookUrl { get; set; }
    public required string Secret { get; set; }
    public string? MessagingSettingId { get; set; }
    public string? SupportedContentId { get; set; }
    public Dictionary<string, string> WebhookHeaders { get; set; } = [];
    public DateTimeOffset DateCreated { get; init; }
    public DateTimeOffset DateModified { get; set; }
    public DateTimeOffset CompletesAt { get; init; }

    public string CreateStatus(DateTimeOffset now) => now >= CompletesAt ? "Completed" : "Initiated";
}

internal sealed class Recipient
{
    public required string Id { get; init; }
    public required string Name { get; set; }
    public string? FlowId { get; set; }
    public DateTimeOffset DateCreated { get; init; }
}

internal sealed class Queue
{
    public required string Id { get; init; }
    public required string Name { get; set; }
    public required string DivisionId { get; init; }
    public JsonObject? MediaSettings { get; set; }
    public DateTimeOffset DateCreated { get; init; }
    public Dictionary<string, QueueMember> Members { get; } = new(StringComparer.Ordinal);
}

internal sealed class QueueMember
{
    public bool Joined { get; set; }
}

/// <summary>A user of the org: a simulated agent (scripted) or a person at the desktop page (manual).</summary>
internal sealed class User
{
    public required string Id { get; init; }
    public required string Name { get; init; }
    public required AgentScript Script { get; set; }
    public bool OnQueue { get; set; }

    /// <summary>On queue but not answering alerts: Genesys shows NOT_RESPONDING and routes nothing to them.</summary>
    public bool NotResponding { get; set; }
}

internal sealed class Flow
{
    public required string Id { get; init; }
    public required string Name { get; set; }
    public required string TargetQueueName { get; set; }
    public string DivisionId { get; set; } = "";
    public int Version { get; set; }
    public DateTimeOffset? DatePublished { get; set; }

    /// <summary>A publish under way (it completes asynchronously): when it takes effect.</summary>
    public DateTimeOffset? PublishPendingUntil { get; set; }

    /// <summary>The published time as of <paramref name="now"/>, applying a pending publish whose time has come.</summary>
    public DateTimeOffset? PublishedAsOf(DateTimeOffset now)
    {
        if (PublishPendingUntil is { } at && at <= now)
        {
            DatePublished = at;
            PublishPendingUntil = null;
        }

        return DatePublished;
    }
}

internal sealed class FlowJob
{
    public required string Id { get; init; }
    public required string UploadKey { get; init; }
    public DateTimeOffset DateCreated { get; init; }
    public string? Yaml { get; set; }
    public DateTimeOffset? UploadedAt { get; set; }
    public string? Status { get; set; }
    public string? FlowId { get; set; }
    public List<string> Messages { get; } = [];
}

internal sealed class Participant
{
    public required string Id { get; init; }
    public required string Purpose { get; init; }
    public required string Name { get; init; }
    public string State { get; set; } = "connected";
    public DateTimeOffset StartTime { get; init; }
    public DateTimeOffset? ConnectedTime { get; set; }
    public DateTimeOffset? EndTime { get; set; }
    public string? DisconnectType { get; set; }
    public string? UserId { get; init; }
    public string? QueueId { get; init; }
    public string? Address { get; init; }
    public bool IsEnded => State is "disconnected" or "terminated";
}

/// <summary>One message of a conversation, either direction, with the receipts the provider reported for it.</summary>
internal sealed class ConversationMessage
{
    public required string Id { get; init; }
    public required string Direction { get; init; }
    public required string Type { get; init; }
    public string? Text { get; init; }
    public required DateTimeOffset Time { get; init; }
    public required JsonObject Normalized { get; init; }
    public List<JsonObject> Receipts { get; } = [];

    /// <summary>MessageData.status: queued, sent, failed, received, delivery-success, delivery-failed, read, removed, published.</summary>
    public string Status { get; set; } = "sent";

    /// <summary>An inbound message the agent has been shown (its status stays <c>received</c>).</summary>
    public bool DeliveredToAgent { get; set; }
}

internal sealed class Conversation
{
    public required string Id { get; init; }
    public required string IntegrationId { get; init; }
    public required string CustomerId { get; init; }
    public required string CustomerIdType { get; init; }
    public string? CustomerNickname { get; init; }
    public string? QueueId { get; set; }
    public string? AgentUserId { get; set; }
    public DateTimeOffset StartTime { get; init; }
    public List<Participant> Participants { get; } = [];
    public List<ConversationMessage> Messages { get; } = [];
    public JsonObject? CustomAttributes { get; init; }
    public int AgentRepliesSent { get; set; }
    public bool Ended { get; set; }
    public System.Threading.Channels.Channel<bool>? AgentSignals { get; set; }
    public string? ErrorInfo { get; set; }

    public Participant Customer => Participants.First(p => p.Purpose == "customer");
    public Participant? Acd => Participants.LastOrDefault(p => p.Purpose == "acd");
    public Participant? Agent => Participants.LastOrDefault(p => p.Purpose == "agent");
    public bool WaitingInQueue => !Ended && QueueId is not null && Agent is null;
}

using System.Text;
using System.Text.Json;
using System.Text.Json.Serialization;
using PolyAi.Messaging.Genesys.OpenMessaging;

namespace PolyAi.Messaging.Genesys;

// Response models: every field optional (Genesys may leave any out); enum-like fields are strings, with the known
// values as constants, so an unknown value never fails a read.

/// <summary>A reference to another Genesys entity (<c>{"id","name","selfUri"}</c>).</summary>
public sealed record EntityRef
{
    public string? Id { get; init; }
    public string? Name { get; init; }
    public string? SelfUri { get; init; }

    public static EntityRef To(string id) => new() { Id = id };
}

/// <summary>Genesys' paged list shape.</summary>
public sealed record EntityListing<T>
{
    public IReadOnlyList<T> Entities { get; init; } = [];
    public int? PageSize { get; init; }
    public int? PageNumber { get; init; }
    public long? Total { get; init; }
    public int? PageCount { get; init; }
    public string? NextUri { get; init; }
    public string? SelfUri { get; init; }
}

/// <summary><c>POST /oauth/token</c> answer. <see cref="ToString"/> never shows the token.</summary>
public sealed record TokenResponse
{
    [JsonPropertyName("access_token")]
    public string? AccessToken { get; init; }

    [JsonPropertyName("token_type")]
    public string? TokenType { get; init; }

    [JsonPropertyName("expires_in")]
    public long? ExpiresIn { get; init; }

    public string? Error { get; init; }

    private bool PrintMembers(StringBuilder builder)
    {
        builder.Append("TokenType = ").Append(TokenType).Append(", ExpiresIn = ").Append(ExpiresIn).Append(", AccessToken = ***");
        return true;
    }
}

/// <summary><c>GET /api/v2/tokens/me</c>.</summary>
public sealed record TokenInfo
{
    public EntityRef? Organization { get; init; }
    public EntityRef? HomeOrganization { get; init; }
    public IReadOnlyList<string>? AuthorizedScope { get; init; }

    [JsonPropertyName("OAuthClient")]
    public TokenOAuthClient? OAuthClient { get; init; }
}

public sealed record TokenOAuthClient
{
    public string? Id { get; init; }
    public string? Name { get; init; }
    public string? AuthorizedGrantType { get; init; }
    public EntityRef? Organization { get; init; }
    public IReadOnlyList<RoleDivision>? RoleDivisions { get; init; }
}

public sealed record RoleDivision
{
    public required string RoleId { get; init; }
    public required string DivisionId { get; init; }
}

// ---- Conversations ----

/// <summary><c>GET /api/v2/conversations/messages/{conversationId}</c>.</summary>
public sealed record MessageConversation
{
    public string? Id { get; init; }
    public IReadOnlyList<MessageParticipant> Participants { get; init; } = [];
    public EntityRef? RecordingState { get; init; }

    /// <summary>The agent participants (there can be several after transfers).</summary>
    public IEnumerable<MessageParticipant> Agents => Participants.Where(p => p.Purpose == ParticipantPurposes.Agent);
}

public sealed record MessageParticipant
{
    public string? Id { get; init; }
    public string? Name { get; init; }

    /// <summary>See <see cref="ParticipantPurposes"/>.</summary>
    public string? Purpose { get; init; }

    /// <summary>Lowercase: see <see cref="ParticipantStates"/>.</summary>
    public string? State { get; init; }
    public string? Direction { get; init; }
    public EntityRef? User { get; init; }
    public EntityRef? Queue { get; init; }
    public DateTimeOffset? StartTime { get; init; }
    public DateTimeOffset? ConnectedTime { get; init; }
    public DateTimeOffset? EndTime { get; init; }
    public string? DisconnectType { get; init; }
    public string? Type { get; init; }
    public string? RecipientId { get; init; }
    public IReadOnlyDictionary<string, string>? Attributes { get; init; }
    public IReadOnlyList<ParticipantMessage>? Messages { get; init; }

    /// <summary>True once the participant has left (<c>disconnected</c>/<c>terminated</c>, or an end time is set).</summary>
    public bool HasEnded => State is ParticipantStates.Disconnected or ParticipantStates.Terminated || EndTime is not null;
}

/// <summary>One message of a participant (MessageDetails): the Genesys id and when Genesys has it.</summary>
public sealed record ParticipantMessage
{
    public string? MessageId { get; init; }
    public string? MessageUri { get; init; }

    /// <summary>queued, sent, failed or received (Corrections 7).</summary>
    public string? MessageStatus { get; init; }
    public int? MessageSegmentCount { get; init; }
    public DateTimeOffset? MessageTime { get; init; }
}

public static class ParticipantPurposes
{
    public const string Agent = "agent";
    public const string Customer = "customer";
    public const string User = "user";
    public const string External = "external";
    public const string Acd = "acd";
    public const string Ivr = "ivr";
}

public static class ParticipantStates
{
    public const string Alerting = "alerting";
    public const string Connected = "connected";
    public const string Disconnected = "disconnected";
    public const string Terminated = "terminated";
}

/// <summary><c>GET /api/v2/conversations/messages/{messageId}/details</c>: finds the conversation of a message.</summary>
public sealed record MessageDetails
{
    public string? Id { get; init; }
    public string? ConversationId { get; init; }
    public string? Status { get; init; }
    public NormalizedMessage? NormalizedMessage { get; init; }
    public IReadOnlyList<NormalizedMessage>? NormalizedReceipts { get; init; }
}

/// <summary>PATCH body for a message participant or a whole message conversation.</summary>
public sealed record ParticipantUpdate
{
    public string? State { get; init; }
    public JsonElement? Wrapup { get; init; }
    public bool? WrapupSkipped { get; init; }

    public static ParticipantUpdate Disconnected { get; } = new() { State = ParticipantStates.Disconnected };
}

// ---- Notifications ----

/// <summary><c>POST /api/v2/notifications/channels</c>: a WebSocket to receive topic events on.</summary>
public sealed record NotificationsChannel
{
    public string? Id { get; init; }
    public string? ConnectUri { get; init; }
    public DateTimeOffset? Expires { get; init; }
}

public sealed record ChannelTopic
{
    public required string Id { get; init; }
    public string? SelfUri { get; init; }
}

// ---- Analytics ----

/// <summary><c>POST /api/v2/analytics/queues/observations/query</c> body.</summary>
public sealed record QueueObservationQuery
{
    public required QueryFilter Filter { get; init; }
    public IReadOnlyList<string>? Metrics { get; init; }
    public IReadOnlyList<string>? DetailMetrics { get; init; }

    /// <summary>
    /// Observations for one queue, filtered on the queue alone: Genesys reports user metrics (<c>oOnQueueUsers</c>…)
    /// in the group without <c>mediaType</c>, and a query filtered on a media type gets none of them (Corrections 2).
    /// </summary>
    public static QueueObservationQuery ForQueue(string queueId, params IReadOnlyList<string> metrics) => new()
    {
        Filter = new QueryFilter
        {
            Type = "or",
            Predicates = [new QueryPredicate { Dimension = "queueId", Value = queueId }],
        },
        Metrics = metrics.Count > 0 ? metrics : [ObservationMetrics.OnQueueUsers, ObservationMetrics.ActiveUsers, ObservationMetrics.MemberUsers],
    };
}

public sealed record QueryFilter
{
    /// <summary><c>and</c> or <c>or</c>.</summary>
    public required string Type { get; init; }
    public IReadOnlyList<QueryPredicate>? Predicates { get; init; }
    public IReadOnlyList<QueryFilter>? Clauses { get; init; }
}

public sealed record QueryPredicate
{
    public string? Type { get; init; }
    public required string Dimension { get; init; }
    public string? Operator { get; init; }
    public string? Value { get; init; }
}

public static class ObservationMetrics
{
    public const string OnQueueUsers = "oOnQueueUsers";
    public const string ActiveUsers = "oActiveUsers";
    public const string MemberUsers = "oMemberUsers";
    public const string Waiting = "oWaiting";
    public const string Interacting = "oInteracting";
    public const string Alerting = "oAlerting";
    public const string OffQueueUsers = "oOffQueueUsers";
}

public sealed record QueueObservationResponse
{
    public IReadOnlyList<QueueObservationResult> Results { get; init; } = [];

    /// <summary>Sum of the counts of <paramref name="metric"/> (every qualifier, every group).</summary>
    public long Count(string metric) =>
        Results.SelectMany(r => r.Data ?? []).Where(d => d.Metric == metric).Sum(d => d.Stats?.Count ?? 0);

    /// <summary>
    /// Agents who can take a conversation now: <c>oOnQueueUsers</c> without the routing statuses that cannot
    /// (<c>NOT_RESPONDING</c>, <c>OFF_QUEUE</c>), read from the group without <c>mediaType</c> where Genesys puts user
    /// metrics; if no such group carries the metric, from the <c>message</c> group (the other reading of
    /// Corrections 2), never both, so no agent counts twice.
    /// </summary>
    public long AvailableAgents()
    {
        static bool HasMediaType(QueueObservationResult r) => r.Group?.ContainsKey("mediaType") == true;
        static bool IsMessage(QueueObservationResult r) => r.Group?.TryGetValue("mediaType", out var media) == true && string.Equals(media, "message", StringComparison.OrdinalIgnoreCase);
        static IEnumerable<QueueObservationData> OnQueue(IEnumerable<QueueObservationResult> groups) =>
            groups.SelectMany(r => r.Data ?? []).Where(d => d.Metric == ObservationMetrics.OnQueueUsers);

        var byQueue = OnQueue(Results.Where(r => !HasMediaType(r))).ToList();
        var points = byQueue.Count > 0 ? byQueue : OnQueue(Results.Where(IsMessage)).ToList();
        return points.Where(d => d.Qualifier is not (RoutingStatuses.NotResponding or RoutingStatuses.OffQueue)).Sum(d => d.Stats?.Count ?? 0);
    }
}

/// <summary>Routing statuses, the qualifiers of <c>oOnQueueUsers</c>.</summary>
public static class RoutingStatuses
{
    public const string Idle = "IDLE";
    public const string Interacting = "INTERACTING";
    public const string Communicating = "COMMUNICATING";
    public const string NotResponding = "NOT_RESPONDING";
    public const string OffQueue = "OFF_QUEUE";
}

public sealed record QueueObservationResult
{
    public IReadOnlyDictionary<string, string>? Group { get; init; }
    public IReadOnlyList<QueueObservationData>? Data { get; init; }
}

public sealed record QueueObservationData
{
    public string? Metric { get; init; }
    public string? Qualifier { get; init; }
    public ObservationStats? Stats { get; init; }

    /// <summary>With <c>detailMetrics</c> (oWaiting, oAlerting, oInteracting): the conversations behind the count.</summary>
    public IReadOnlyList<QueueObservation>? Observations { get; init; }
}

/// <summary>One conversation behind a detail metric (ObservationValue).</summary>
public sealed record QueueObservation
{
    public DateTimeOffset? ObservationDate { get; init; }
    public string? ConversationId { get; init; }
    public string? SessionId { get; init; }
    public string? ParticipantName { get; init; }

    /// <summary>For Open Messaging, probably the customer's <c>channel.from.id</c> (unconfirmed).</summary>
    public string? AddressFrom { get; init; }
    public string? AddressTo { get; init; }
    public string? UserId { get; init; }
}

public sealed record ObservationStats
{
    public long? Count { get; init; }
}

// ---- Routing ----

public sealed record Queue
{
    public string? Id { get; init; }
    public string? Name { get; init; }
    public string? Description { get; init; }
    public EntityRef? Division { get; init; }
    public QueueMediaSettings? MediaSettings { get; init; }
    public int? MemberCount { get; init; }
    public int? JoinedMemberCount { get; init; }
    public DateTimeOffset? DateCreated { get; init; }
    public string? SelfUri { get; init; }
}

/// <summary><c>POST /api/v2/routing/queues</c> body.</summary>
public sealed record CreateQueueRequest
{
    public required string Name { get; init; }
    public string? Description { get; init; }
    public EntityRef? Division { get; init; }
    public QueueMediaSettings? MediaSettings { get; init; }
}

public sealed record QueueMediaSettings
{
    public MediaSetting? Message { get; init; }
}

public sealed record MediaSetting
{
    public int? AlertingTimeoutSeconds { get; init; }
    public ServiceLevel? ServiceLevel { get; init; }
}

public sealed record ServiceLevel
{
    public double? Percentage { get; init; }
    public long? DurationMs { get; init; }
}

public sealed record QueueMember
{
    public string? Id { get; init; }
    public string? Name { get; init; }
    public EntityRef? User { get; init; }
    public bool? Joined { get; init; }
    public string? MemberBy { get; init; }
    public RoutingStatus? RoutingStatus { get; init; }
}

public sealed record RoutingStatus
{
    /// <summary><c>OFF_QUEUE</c>, <c>IDLE</c>, <c>INTERACTING</c>, <c>NOT_RESPONDING</c>, <c>COMMUNICATING</c>.</summary>
    public string? Status { get; init; }
    public DateTimeOffset? StartTime { get; init; }
}

/// <summary>An element of the members add/remove (<c>[{"id"}]</c>) or join (<c>[{"id","joined"}]</c>) bodies.</summary>
public sealed record QueueMemberUpdate
{
    public required string Id { get; init; }
    public bool? Joined { get; init; }
}

/// <summary>A message routing recipient: what binds an integration to an inbound message flow.</summary>
public sealed record Recipient
{
    public string? Id { get; init; }
    public string? Name { get; init; }
    public EntityRef? Flow { get; init; }
    public string? MessengerType { get; init; }
    public string? SelfUri { get; init; }
}

public sealed record RecipientRequest
{
    public required EntityRef Flow { get; init; }
}

// ---- Authorization ----

public sealed record Role
{
    public string? Id { get; init; }
    public string? Name { get; init; }
    public string? Description { get; init; }
    public IReadOnlyList<string>? Permissions { get; init; }
    public IReadOnlyList<PermissionPolicy>? PermissionPolicies { get; init; }
    public bool? Default { get; init; }
    public int? UserCount { get; init; }
    public string? SelfUri { get; init; }
}

/// <summary><c>POST</c>/<c>PUT /api/v2/authorization/roles</c> body.</summary>
public sealed record RoleRequest
{
    public required string Name { get; init; }
    public string? Description { get; init; }
    public IReadOnlyList<PermissionPolicy>? PermissionPolicies { get; init; }
    public IReadOnlyList<string>? Permissions { get; init; }
}

public sealed record PermissionPolicy
{
    public string? Id { get; init; }
    public required string Domain { get; init; }
    public required string EntityName { get; init; }

    /// <summary>Actions, <c>*</c> for all.</summary>
    public required IReadOnlyList<string> ActionSet { get; init; }
    public string? PolicyName { get; init; }
    public bool? AllowConditions { get; init; }
}

/// <summary>One domain of <c>GET /api/v2/authorization/permissions</c>.</summary>
public sealed record DomainPermissionCollection
{
    public string? Id { get; init; }
    public string? Domain { get; init; }
    public IReadOnlyDictionary<string, IReadOnlyList<DomainPermission>>? PermissionMap { get; init; }
}

public sealed record DomainPermission
{
    public string? Domain { get; init; }
    public string? EntityType { get; init; }
    public string? Action { get; init; }
    public string? Label { get; init; }
    public bool? AllowsConditions { get; init; }
}

public sealed record Division
{
    public string? Id { get; init; }
    public string? Name { get; init; }
    public bool? HomeDivision { get; init; }
    public string? SelfUri { get; init; }
}

// ---- OAuth clients ----

/// <summary><c>POST /api/v2/oauth/clients</c> body.</summary>
public sealed record OAuthClientRequest
{
    public const string ClientCredentials = "CLIENT-CREDENTIALS";

    public required string Name { get; init; }
    public string? Description { get; init; }

    /// <summary>Note the hyphen: <c>CLIENT-CREDENTIALS</c>, although the token form says <c>client_credentials</c>.</summary>
    public string AuthorizedGrantType { get; init; } = ClientCredentials;
    public int? AccessTokenValiditySeconds { get; init; }
    public IReadOnlyList<RoleDivision>? RoleDivisions { get; init; }
}

/// <summary>An OAuth client. <see cref="Secret"/> is only in the create answer; <see cref="ToString"/> never shows it.</summary>
public sealed record OAuthClient
{
    public string? Id { get; init; }
    public string? Name { get; init; }
    public string? Description { get; init; }
    public string? Secret { get; init; }
    public string? AuthorizedGrantType { get; init; }
    public int? AccessTokenValiditySeconds { get; init; }
    public IReadOnlyList<RoleDivision>? RoleDivisions { get; init; }
    public string? State { get; init; }
    public DateTimeOffset? DateCreated { get; init; }

    private bool PrintMembers(StringBuilder builder)
    {
        builder.Append("Id = ").Append(Id).Append(", Name = ").Append(Name)
            .Append(", AuthorizedGrantType = ").Append(AuthorizedGrantType).Append(", State = ").Append(State)
            .Append(", Secret = ").Append(Secret is null ? "null" : "***");
        return true;
    }
}

// ---- Messaging settings ----

/// <summary>A messaging setting ("platform configuration"), request and answer alike.</summary>
public sealed record MessagingSetting
{
    public string? Id { get; init; }
    public string? Name { get; init; }
    public EventSetting? Event { get; init; }
    public JsonElement? Content { get; init; }
    public DateTimeOffset? DateCreated { get; init; }
    public DateTimeOffset? DateModified { get; init; }
    public string? SelfUri { get; init; }

    /// <summary>A setting that turns typing on both ways (off by default in Genesys).</summary>
    public static MessagingSetting TypingEnabled(string name) => new()
    {
        Name = name,
        Event = new EventSetting { Typing = new TypingSetting { On = new SettingDirection { Inbound = SettingStates.Enabled, Outbound = SettingStates.Enabled } } },
    };
}

public sealed record EventSetting
{
    public TypingSetting? Typing { get; init; }
}

public sealed record TypingSetting
{
    public SettingDirection? On { get; init; }
}

public sealed record SettingDirection
{
    public string? Inbound { get; init; }
    public string? Outbound { get; init; }
}

public static class SettingStates
{
    public const string Enabled = "Enabled";
    public const string Disabled = "Disabled";
}

// ---- Open Messaging integrations ----

/// <summary>
/// <c>POST</c> (create) or <c>PATCH</c> (update; <see cref="Name"/> required) body of an Open Messaging integration.
/// <see cref="ToString"/> never shows the webhook secret.
/// </summary>
public sealed record OpenIntegrationRequest
{
    public required string Name { get; init; }
    public string? OutboundNotificationWebhookUrl { get; init; }

    /// <summary>The HMAC secret Genesys signs webhooks with (more than 15 characters).</summary>
    public string? OutboundNotificationWebhookSignatureSecretToken { get; init; }
    public IReadOnlyDictionary<string, string>? WebhookHeaders { get; init; }
    public EntityRef? MessagingSetting { get; init; }
    public EntityRef? SupportedContent { get; init; }

    private bool PrintMembers(StringBuilder builder)
    {
        builder.Append("Name = ").Append(Name).Append(", OutboundNotificationWebhookUrl = ").Append(OutboundNotificationWebhookUrl)
            .Append(", OutboundNotificationWebhookSignatureSecretToken = ")
            .Append(OutboundNotificationWebhookSignatureSecretToken is null ? "null" : "***");
        return true;
    }
}

public sealed record OpenIntegration
{
    public string? Id { get; init; }
    public string? Name { get; init; }
    public string? OutboundNotificationWebhookUrl { get; init; }
    public IReadOnlyDictionary<string, string>? WebhookHeaders { get; init; }
    public string? Status { get; init; }
    public EntityRef? Recipient { get; init; }

    /// <summary>A reference, or the whole setting with <c>expand=messagingSetting</c>.</summary>
    public MessagingSetting? MessagingSetting { get; init; }
    public EntityRef? SupportedContent { get; init; }

    /// <summary>Creation is asynchronous: <see cref="CreateStatuses"/>.</summary>
    public string? CreateStatus { get; init; }
    public GenesysErrorBody? CreateError { get; init; }
    public DateTimeOffset? DateCreated { get; init; }
    public DateTimeOffset? DateModified { get; init; }
    public string? SelfUri { get; init; }
}

public static class CreateStatuses
{
    public const string Initiated = "Initiated";
    public const string Completed = "Completed";
    public const string Error = "Error";
}

// ---- Architect ----

/// <summary><c>POST /api/v2/flows/jobs</c> answer: where to PUT the flow YAML, with exactly which headers.</summary>
public sealed record FlowJobRegistration
{
    public string? Id { get; init; }
    public string? PresignedUrl { get; init; }
    public IReadOnlyDictionary<string, string>? Headers { get; init; }
    public string? SelfUri { get; init; }
}

public sealed record FlowJob
{
    public string? Id { get; init; }

    /// <summary><see cref="FlowJobStatuses"/>.</summary>
    public string? Status { get; init; }
    public string? Command { get; init; }
    public EntityRef? Flow { get; init; }
    public IReadOnlyList<FlowJobMessage>? Messages { get; init; }
    public string? SelfUri { get; init; }

    public bool IsFinished => Status is FlowJobStatuses.Success or FlowJobStatuses.Failure;
}

public sealed record FlowJobMessage
{
    public string? Text { get; init; }
    public string? Severity { get; init; }
}

public static class FlowJobStatuses
{
    public const string Registered = "Registered";
    public const string Started = "Started";
    public const string Success = "Success";
    public const string Failure = "Failure";
}

/// <summary>An asynchronous Architect operation (publish).</summary>
public sealed record ArchitectOperation
{
    public string? Id { get; init; }
    public bool? Complete { get; init; }
    public string? Status { get; init; }

    /// <summary>LOCKED, UNLOCKED, STARTED, PENDING_GENERATION, PENDING_BACKEND_NOTIFICATION, SUCCESS or FAILURE (Corrections 7).</summary>
    public string? ActionStatus { get; init; }
    public IReadOnlyList<JsonElement>? Errors { get; init; }

    public bool Failed => string.Equals(ActionStatus, "FAILURE", StringComparison.Ordinal);
}

public sealed record Flow
{
    public string? Id { get; init; }
    public string? Name { get; init; }
    public string? Description { get; init; }

    /// <summary>Uppercase in the API: <c>INBOUNDSHORTMESSAGE</c>.</summary>
    public string? Type { get; init; }
    public EntityRef? Division { get; init; }
    public bool? Active { get; init; }
    public bool? Deleted { get; init; }
    public FlowVersion? PublishedVersion { get; init; }
    public FlowVersion? CheckedInVersion { get; init; }
    public FlowVersion? SavedVersion { get; init; }
    public string? SelfUri { get; init; }
}

public sealed record FlowVersion
{
    public string? Id { get; init; }
    public string? Name { get; init; }
    public DateTimeOffset? DatePublished { get; init; }
}

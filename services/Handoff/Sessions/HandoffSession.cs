using PolyAi.Messaging.Contracts;
using PolyAi.Messaging.ServiceDefaults;

namespace PolyAi.Messaging.Handoff.Sessions;

/// <summary>
/// What the handoff service knows about one Genesys conversation of one tenant, stored under <see cref="StateKey"/>.
/// Every notification of the conversation is recorded once (by Genesys id, in a bounded set of processed ids).
/// </summary>
/// <param name="SessionId">The Genesys <c>conversationId</c> when the notification has one, else the customer id
/// (<c>channel.to.id</c>). The conversation issue creates sessions when it opens the Genesys conversation.</param>
/// <param name="CustomerId">The customer's id on the channel (<c>channel.to.id</c>).</param>
/// <param name="LastActivityAt">The newest notification time seen (<c>channel.time</c>, else when it arrived).</param>
/// <param name="Receipts">The receipt that currently stands for each message id (<c>channel.messageId</c>, else the
/// receipt's own id); bounded, oldest dropped first.</param>
/// <param name="ProcessedIds">Genesys ids already recorded, oldest first; bounded.</param>
public sealed record HandoffSession(
    TenantKey Tenant,
    string SessionId,
    string? CustomerId,
    string? GenesysConversationId,
    DateTimeOffset CreatedAt,
    DateTimeOffset UpdatedAt,
    DateTimeOffset LastActivityAt,
    int AgentMessages,
    int BotMessages,
    int TypingEvents,
    IReadOnlyDictionary<string, MessageReceipt> Receipts,
    IReadOnlyList<string> ProcessedIds)
{
    /// <summary>Our conversation id (the customer's <c>channel.from.id</c>), set when StartHandoff opened the session.</summary>
    public string? ConversationId { get; init; }

    public string? IntegrationId { get; init; }

    public string? QueueId { get; init; }

    /// <summary><c>queued</c>, <c>connected</c> or <c>ended</c> (see <see cref="HandoffStatus"/>); null for a session
    /// only known from notifications.</summary>
    public string? Status { get; init; }

    public DateTimeOffset? StartedAt { get; init; }

    public DateTimeOffset? ConnectedAt { get; init; }

    public DateTimeOffset? EndedAt { get; init; }

    public string? EndReason { get; init; }

    /// <summary>Who noticed the end: <c>notification</c>, <c>poll</c>, or <c>request</c> (EndHandoff).</summary>
    public string? EndDetectedBy { get; init; }

    /// <summary>Lifecycle statuses already published on <c>handoff-events</c>: each one is published once.</summary>
    public IReadOnlyList<string> PublishedStatuses { get; init; } = [];

    /// <summary>
    /// Lifecycle events claimed (in <see cref="PublishedStatuses"/>) but not yet published: written with the claim in one
    /// etag-checked save, taken off once published, so a crash or a failed publish between the two delays the event
    /// instead of losing it (<c>HandoffSessionStore.PublishOutboxAsync</c>; consumers dedupe on the CloudEvent id).
    /// </summary>
    public IReadOnlyList<HandoffEvent> Outbox { get; init; } = [];

    /// <summary>Our message ids already sent into the Genesys conversation (bounded): a retried forward sends nothing.</summary>
    public IReadOnlyList<string> ForwardedMessageIds { get; init; } = [];

    /// <summary>
    /// Our message ids whose send was started but not confirmed (bounded): written before the send, so a retry after a
    /// timeout or 5xx first asks Genesys whether the message arrived instead of sending it again (Corrections 6).
    /// </summary>
    public IReadOnlyList<string> PendingMessageIds { get; init; } = [];

    /// <summary>Genesys message ids already receipted (bounded, <c>{id}:{status}</c>).</summary>
    public IReadOnlyList<string> ReportedReceipts { get; init; } = [];

    /// <summary>True while the Genesys conversation is open (between StartHandoff and its end).</summary>
    public bool IsActive => Status is HandoffStatus.Queued or HandoffStatus.Connected;

    public static string StateKey(TenantKey tenant, string sessionId) =>
        $"handoff/sessions/{tenant}/{Uri.EscapeDataString(sessionId)}";

    /// <summary>The session a notification belongs to: its Genesys conversation, else its customer.</summary>
    public static string? SessionIdOf(OutboundNotification notification) =>
        !string.IsNullOrEmpty(notification.ConversationId) ? notification.ConversationId : notification.Channel.To?.Id is { Length: > 0 } to ? to : null;

    /// <param name="firstActivity">The time of the notification that creates the session.</param>
    public static HandoffSession Create(TenantKey tenant, string sessionId, DateTimeOffset now, DateTimeOffset firstActivity) =>
        new(tenant, sessionId, null, null, now, now, firstActivity, 0, 0, 0, new Dictionary<string, MessageReceipt>(), []);

    public bool HasProcessed(string notificationId) => ProcessedIds.Contains(notificationId);

    /// <summary>
    /// The session after <paramref name="notification"/>: activity, counts and receipts updated, the id remembered.
    /// Call only for a notification not yet processed.
    /// </summary>
    public HandoffSession Record(OutboundNotification notification, DateTimeOffset time, DateTimeOffset now, SessionLimits limits)
    {
        var session = this with
        {
            CustomerId = notification.Channel.To?.Id is { Length: > 0 } to ? to : CustomerId,
            GenesysConversationId = string.IsNullOrEmpty(notification.ConversationId) ? GenesysConversationId : notification.ConversationId,
            UpdatedAt = now,
            LastActivityAt = time > LastActivityAt ? time : LastActivityAt,
            ProcessedIds = Bounded([.. ProcessedIds, notification.Id], limits.MaxProcessedIds),
        };

        return notification.Type switch
        {
            NotificationValues.TypeText or NotificationValues.TypeStructured
                when notification.OriginatingEntity == NotificationValues.EntityBot => session with { BotMessages = BotMessages + 1 },
            NotificationValues.TypeText or NotificationValues.TypeStructured => session with { AgentMessages = AgentMessages + 1 },
            NotificationValues.TypeEvent when notification.Events?.Any(e => e.EventType == NotificationValues.EventTyping) == true
                => session with { TypingEvents = TypingEvents + 1 },
            NotificationValues.TypeReceipt => session.WithReceipt(ReceiptOf(notification, time), limits.MaxReceipts),
            _ => session,
        };
    }

    /// <summary>The message a receipt is about: <c>channel.messageId</c>, else the receipt's own id.</summary>
    public static string ReceiptMessageId(OutboundNotification receipt) =>
        receipt.Channel.MessageId is { Length: > 0 } messageId ? messageId : receipt.Id;

    private static MessageReceipt ReceiptOf(OutboundNotification notification, DateTimeOffset time) => new(
        ReceiptMessageId(notification),
        notification.Status is { Length: > 0 } status ? status : "Unknown",
        notification.Reasons ?? [],
        notification.IsFinalReceipt ?? false,
        time,
        notification.Id);

    private HandoffSession WithReceipt(MessageReceipt receipt, int maxReceipts)
    {
        if (!receipt.Supersedes(Receipts.GetValueOrDefault(receipt.MessageId)))
        {
            return this;
        }

        var receipts = new Dictionary<string, MessageReceipt>(Receipts) { [receipt.MessageId] = receipt };
        foreach (var oldest in receipts.Values.OrderBy(r => r.Time).Take(receipts.Count - maxReceipts).ToList())
        {
            receipts.Remove(oldest.MessageId);
        }

        return this with { Receipts = receipts };
    }

    internal static List<string> Bounded(List<string> ids, int max) => ids.Count > max ? ids[^max..] : ids;
}

/// <summary>The receipt standing for one message.</summary>
/// <param name="NotificationId">The Genesys id of the receipt notification itself.</param>
public sealed record MessageReceipt(
    string MessageId,
    string Status,
    IReadOnlyList<ReceiptReason> Reasons,
    bool IsFinalReceipt,
    DateTimeOffset Time,
    string NotificationId)
{
    /// <summary>
    /// Receipts may arrive out of order: a final receipt is never replaced by a non-final one, a final one replaces
    /// any non-final one, and otherwise the newer one wins (on a tie the one already recorded stays).
    /// </summary>
    public bool Supersedes(MessageReceipt? current) => current switch
    {
        null => true,
        { IsFinalReceipt: true } when !IsFinalReceipt => false,
        { IsFinalReceipt: false } when IsFinalReceipt => true,
        _ => Time > current.Time,
    };
}

public sealed record SessionLimits(int MaxProcessedIds, int MaxReceipts);

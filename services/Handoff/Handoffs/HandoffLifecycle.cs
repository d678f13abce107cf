using System.Collections.Concurrent;
using System.Net;
using Microsoft.Extensions.Options;
using PolyAi.Messaging.Contracts;
using PolyAi.Messaging.Genesys;
using PolyAi.Messaging.ServiceDefaults;

namespace PolyAi.Messaging.Handoff.Handoffs;

/// <summary>
/// Moves a session along what Genesys says of its conversation (GET conversation is the truth; notifications and the
/// poller only say when to look): a human agent connected → <c>connected</c>; the conversation ended → <c>ended</c>.
/// Each status is published once per session, whoever notices first.
/// </summary>
public sealed partial class HandoffLifecycle(
    HandoffSessionStore state,
    TenantGenesys genesys,
    SessionEnds ends,
    IOptions<HandoffOptions> options,
    IHostApplicationLifetime lifetime,
    TimeProvider time,
    ILogger<HandoffLifecycle> logger)
{
    // Sessions whose Genesys conversation was not readable yet, each looked at again shortly (one pending look each),
    // with who asked: a notification's look counts as detected by notification even if a poll asked first.
    private readonly ConcurrentDictionary<string, string> _rechecks = new(StringComparer.Ordinal);

    /// <summary>Looks at the Genesys conversation and publishes what changed.</summary>
    /// <returns>True while the session stays open (worth watching further).</returns>
    public async Task<bool> ReconcileAsync(TenantKey tenant, string genesysConversationId, string source, CancellationToken cancellationToken)
    {
        var session = await state.SessionAsync(tenant, genesysConversationId, cancellationToken);
        if (session is { Outbox.Count: > 0 })
        {
            // A status claimed before a crash or a failed publish: published now, before the session may leave the list.
            await state.PublishOutboxAsync(tenant, genesysConversationId, cancellationToken, onlyAbandoned: true);
        }

        if (session is not { IsActive: true })
        {
            if (session is not null && HandoffSessionStore.ClaimerMayStillPublish(session, time.GetUtcNow()))
            {
                return true; // its claimer is publishing it: stays listed until that is done, or seen abandoned
            }

            await state.RemoveActiveAsync(tenant, genesysConversationId, cancellationToken);
            return false;
        }

        var (connection, problem) = await genesys.ConnectAsync(tenant, cancellationToken);
        if (connection is null)
        {
            LogCannotCheck(genesysConversationId, problem);
            return true;
        }

        MessageConversation conversation;
        try
        {
            conversation = await connection.Client.Conversations.GetMessageConversationAsync(genesysConversationId, cancellationToken);
        }
        catch (GenesysApiException e) when (e.Status == HttpStatusCode.NotFound)
        {
            // Genesys may not serve a conversation it has just created (Corrections 5): inside the grace window a 404
            // means "not yet", and the session is looked at again soon; after it, the conversation is gone.
            var startedAt = session.StartedAt ?? session.UpdatedAt;
            if (time.GetUtcNow() - startedAt < options.Value.ReadableGracePeriod)
            {
                HandoffMetrics.NotYetReadable.Inc();
                RecheckLater(tenant, genesysConversationId, source, time.GetUtcNow() - startedAt);
                return true;
            }

            await EndedAsync(tenant, genesysConversationId, "genesys-conversation-gone", source, cancellationToken);
            return false;
        }

        if (conversation.Agents.Any(a => a.State == ParticipantStates.Connected || a.ConnectedTime is not null))
        {
            await ConnectedAsync(tenant, genesysConversationId, cancellationToken);
        }

        if (EndReason(conversation) is { } reason)
        {
            await EndedAsync(tenant, genesysConversationId, reason, source, cancellationToken);
            return false;
        }

        return true;
    }

    /// <param name="unreadableFor">How long the conversation has not been readable: the next look waits as long
    /// (at least <see cref="HandoffOptions.ReadableRecheckDelay"/>), so a slow one costs a few reads, not one a second.</param>
    private void RecheckLater(TenantKey tenant, string genesysConversationId, string source, TimeSpan unreadableFor)
    {
        var delay = unreadableFor > options.Value.ReadableRecheckDelay ? unreadableFor : options.Value.ReadableRecheckDelay;
        var key = $"{tenant}/{genesysConversationId}";
        if (_rechecks.TryGetValue(key, out _))
        {
            if (source == DetectionSources.Notification)
            {
                _rechecks[key] = source;
            }

            return; // already pending
        }

        if (_rechecks.Count >= options.Value.MaxPendingRechecks || !_rechecks.TryAdd(key, source))
        {
            return; // too many at once: the poller looks at every active session anyway
        }

        _ = Task.Run(async () =>
        {
            var stopping = lifetime.ApplicationStopping;
            using var housekeeping = GenesysCallPriority.Housekeeping();
            try
            {
                await Task.Delay(delay, time, stopping);
                var asked = _rechecks.TryRemove(key, out var by) ? by : source;
                await ReconcileAsync(tenant, genesysConversationId, asked, stopping);
            }
            catch (Exception e) when (e is not OperationCanceledException || !stopping.IsCancellationRequested)
            {
                LogRecheckFailed(e, genesysConversationId);
            }
            finally
            {
                _rechecks.TryRemove(key, out _);
            }
        }, CancellationToken.None);
    }

    /// <summary>A human agent has the conversation: <c>connected</c>, once, and the time it took.</summary>
    public async Task ConnectedAsync(TenantKey tenant, string genesysConversationId, CancellationToken cancellationToken)
    {
        var now = time.GetUtcNow();
        var claimed = await state.PublishOnceAsync(
            tenant, genesysConversationId, HandoffStatus.Connected,
            s => s.Status == HandoffStatus.Queued ? s with { Status = HandoffStatus.Connected, ConnectedAt = now } : null,
            reason: null, cancellationToken);
        if (claimed is not null)
        {
            HandoffMetrics.Lifecycle.WithLabels(HandoffStatus.Connected).Inc();
            if (claimed.StartedAt is { } startedAt)
            {
                HandoffMetrics.TimeToAgent.Observe(Math.Max(0, (now - startedAt).TotalSeconds));
            }

            LogConnected(genesysConversationId);
        }
    }

    /// <summary>The Genesys conversation is over: <c>ended</c>, once; the session leaves the active list.</summary>
    /// <param name="source">Who detected it (<see cref="DetectionSources"/>), or null when we ended it ourselves.</param>
    /// <returns>True if this call published the end.</returns>
    public async Task<bool> EndedAsync(TenantKey tenant, string genesysConversationId, string reason, string? source, CancellationToken cancellationToken)
    {
        var now = time.GetUtcNow();
        var claimed = await state.PublishOnceAsync(
            tenant, genesysConversationId, HandoffStatus.Ended,
            s => s.IsActive ? s with { Status = HandoffStatus.Ended, EndedAt = now, EndReason = reason, EndDetectedBy = source ?? "request" } : null,
            reason, cancellationToken);
        await state.RemoveActiveAsync(tenant, genesysConversationId, cancellationToken);
        ends.Ended(tenant, genesysConversationId);
        if (claimed is null)
        {
            return false;
        }

        HandoffMetrics.Lifecycle.WithLabels(HandoffStatus.Ended).Inc();
        if (source is not null)
        {
            HandoffMetrics.EndDetections.WithLabels(source).Inc();
        }

        LogEnded(genesysConversationId, reason, source ?? "request");
        return true;
    }

    /// <summary>Why the conversation is over, or null while it is open.</summary>
    public static string? EndReason(MessageConversation conversation)
    {
        var participants = conversation.Participants;
        var customer = participants.FirstOrDefault(p => p.Purpose == ParticipantPurposes.Customer);
        var agents = conversation.Agents.ToList();
        var everyoneLeft = participants.Count > 0 && participants.All(p => p.HasEnded);
        var agentsLeft = agents.Count > 0 && agents.All(a => a.HasEnded)
            && !participants.Any(p => p.Purpose == ParticipantPurposes.Acd && !p.HasEnded);
        if (!everyoneLeft && !agentsLeft && customer is not { HasEnded: true })
        {
            return null;
        }

        // Whoever left first, for a reason of their own (not "peer": following someone else; not "transfer").
        var first = participants
            .Where(p => p.HasEnded && p.DisconnectType is not ("peer" or "transfer"))
            .OrderBy(p => p.EndTime ?? DateTimeOffset.MaxValue)
            .FirstOrDefault();
        return first?.Purpose switch
        {
            ParticipantPurposes.Agent => "agent-ended",
            ParticipantPurposes.Customer => "customer-ended",
            _ => "genesys-ended",
        };
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Cannot check Genesys conversation {GenesysConversationId}: {Problem}")]
    private partial void LogCannotCheck(string genesysConversationId, string? problem);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Could not look at Genesys conversation {GenesysConversationId} again; the poller will")]
    private partial void LogRecheckFailed(Exception exception, string genesysConversationId);

    [LoggerMessage(Level = LogLevel.Information, Message = "A human agent connected to Genesys conversation {GenesysConversationId}")]
    private partial void LogConnected(string genesysConversationId);

    [LoggerMessage(Level = LogLevel.Information, Message = "Genesys conversation {GenesysConversationId} ended ({Reason}, seen by {Source})")]
    private partial void LogEnded(string genesysConversationId, string? reason, string source);
}

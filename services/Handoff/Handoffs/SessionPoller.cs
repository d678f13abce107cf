using System.Collections.Concurrent;
using Microsoft.Extensions.Options;
using PolyAi.Messaging.Contracts;
using PolyAi.Messaging.Genesys;
using PolyAi.Messaging.ServiceDefaults;

namespace PolyAi.Messaging.Handoff.Handoffs;

/// <summary>
/// The fallback to notifications, batched to fit the tenant's Genesys request budget (Corrections 3): every
/// <see cref="HandoffOptions.PollInterval"/>, the active sessions (in the state store, so the list survives restarts)
/// are grouped by tenant and queue, and one queue observation with detail metrics per group says which conversations
/// are still waiting, alerting or interacting. Only a session missing from that list (ended, transferred away, not
/// readable yet) is read with GET conversation; one newly interacting publishes <c>connected</c>. Where the list cannot
/// be had or is cut short, each session is read on its own. All of it is housekeeping: it yields to customers' calls.
/// Several replicas may poll the same session: the once-per-status claim on the session makes that harmless.
/// </summary>
public sealed partial class SessionPoller(
    HandoffSessionStore state, HandoffLifecycle lifecycle, TenantGenesys genesys, IOptions<HandoffOptions> options, TimeProvider time, ILogger<SessionPoller> logger)
    : BackgroundService
{
    // Sessions this replica already saw interacting (so `connected` is claimed once here); pruned to the active list.
    private readonly ConcurrentDictionary<string, byte> _seenInteracting = new(StringComparer.Ordinal);

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        using var timer = new PeriodicTimer(options.Value.PollInterval, time);
        try
        {
            while (await timer.WaitForNextTickAsync(stoppingToken))
            {
                await PollOnceAsync(stoppingToken);
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
        }
    }

    public async Task PollOnceAsync(CancellationToken cancellationToken)
    {
        using var housekeeping = GenesysCallPriority.Housekeeping();
        IReadOnlyList<ActiveSession> sessions;
        try
        {
            sessions = await state.ActiveAsync(cancellationToken);
        }
        catch (Exception e) when (e is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
        {
            LogReadActiveFailed(e);
            return;
        }

        HandoffMetrics.ActiveSessions.Set(sessions.Count);
        var active = sessions.Select(Key).ToHashSet(StringComparer.Ordinal);
        foreach (var key in _seenInteracting.Keys.Where(k => !active.Contains(k)))
        {
            _seenInteracting.TryRemove(key, out _);
        }

        foreach (var group in sessions.GroupBy(s => (s.Tenant, s.QueueId)))
        {
            var onQueue = await OnQueueAsync(group.Key.Tenant, group.Key.QueueId, cancellationToken);
            foreach (var session in group)
            {
                if (!await CheckAsync(session, onQueue, cancellationToken))
                {
                    break; // the budget is spent: the rest waits for the next round
                }
            }
        }
    }

    /// <returns>False when the tenant's housekeeping budget is spent.</returns>
    private async Task<bool> CheckAsync(ActiveSession session, IReadOnlyDictionary<string, string>? onQueue, CancellationToken cancellationToken)
    {
        using var scope = logger.BeginScope(LogScope.Of(tenant: session.Tenant.ToString(), conversationId: session.ConversationId, genesysConversationId: session.GenesysConversationId));
        try
        {
            if (onQueue?.TryGetValue(session.GenesysConversationId, out var metric) == true)
            {
                if (metric == ObservationMetrics.Interacting && _seenInteracting.TryAdd(Key(session), 0))
                {
                    await lifecycle.ConnectedAsync(session.Tenant, session.GenesysConversationId, cancellationToken);
                }

                return true; // still on the queue: nothing to read
            }

            await lifecycle.ReconcileAsync(session.Tenant, session.GenesysConversationId, DetectionSources.Poll, cancellationToken);
            return true;
        }
        catch (GenesysBudgetExceededException)
        {
            LogHousekeepingBudgetSpent();
            return false;
        }
        catch (Exception e) when (e is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
        {
            LogCheckFailed(e);
            return true;
        }
    }

    /// <summary>
    /// The conversations on the queue now (id → oWaiting, oAlerting or oInteracting), or null when the list cannot be
    /// had or a count says it is cut short (then every session of the queue is read on its own).
    /// </summary>
    private async Task<IReadOnlyDictionary<string, string>?> OnQueueAsync(TenantKey tenant, string? queueId, CancellationToken cancellationToken)
    {
        if (queueId is null)
        {
            return null;
        }

        try
        {
            if ((await genesys.ConnectAsync(tenant, cancellationToken)).Connection is not { } connection)
            {
                return null;
            }

            string[] metrics = [ObservationMetrics.Waiting, ObservationMetrics.Alerting, ObservationMetrics.Interacting];
            var query = QueueObservationQuery.ForQueue(queueId, metrics) with { DetailMetrics = metrics };
            var answer = await connection.Client.Analytics.QueryQueueObservationsAsync(query, cancellationToken);
            var onQueue = new Dictionary<string, string>(StringComparer.Ordinal);
            foreach (var point in answer.Results.SelectMany(r => r.Data ?? []).Where(d => d.Metric is not null && metrics.Contains(d.Metric)))
            {
                var listed = point.Observations ?? [];
                if ((point.Stats?.Count ?? 0) > listed.Count)
                {
                    return null;
                }

                foreach (var observation in listed.Where(o => o.ConversationId is not null))
                {
                    onQueue[observation.ConversationId!] = point.Metric!;
                }
            }

            HandoffMetrics.QueueSweeps.Inc();
            return onQueue;
        }
        catch (Exception e) when (e is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
        {
            LogQueueNotObserved(e, queueId);
            return null;
        }
    }

    private static string Key(ActiveSession session) => $"{session.Tenant}/{session.GenesysConversationId}";

    [LoggerMessage(Level = LogLevel.Warning, Message = "Could not read the active handoff sessions; polling again later")]
    private partial void LogReadActiveFailed(Exception exception);

    [LoggerMessage(Level = LogLevel.Information, Message = "The tenant's Genesys budget for housekeeping is spent this minute; the other sessions wait")]
    private partial void LogHousekeepingBudgetSpent();

    [LoggerMessage(Level = LogLevel.Warning, Message = "Could not check the Genesys conversation; polling again later")]
    private partial void LogCheckFailed(Exception exception);

    [LoggerMessage(Level = LogLevel.Information, Message = "Queue {QueueId} could not be observed; its sessions are read one by one")]
    private partial void LogQueueNotObserved(Exception exception, string queueId);
}

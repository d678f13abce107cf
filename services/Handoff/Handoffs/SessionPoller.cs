using Microsoft.Extensions.Options;

namespace PolyAi.Messaging.Handoff.Handoffs;

/// <summary>
/// The fallback to notifications: every <see cref="HandoffOptions.PollInterval"/>, each session of the active list (in
/// the state store, so it survives restarts) is reconciled with GET conversation. Several replicas may poll the same
/// session: the once-per-status claim on the session makes that harmless.
/// </summary>
public sealed class SessionPoller(HandoffState state, HandoffLifecycle lifecycle, IOptions<HandoffOptions> options, TimeProvider time, ILogger<SessionPoller> logger)
    : BackgroundService
{
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
        IReadOnlyList<ActiveSession> sessions;
        try
        {
            sessions = await state.ActiveAsync(cancellationToken);
        }
        catch (Exception e) when (e is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
        {
            logger.LogWarning(e, "Could not read the active handoff sessions; polling again later");
            return;
        }

        HandoffMetrics.ActiveSessions.Set(sessions.Count);
        foreach (var session in sessions)
        {
            using var scope = logger.BeginScope(new Dictionary<string, object?>
            {
                ["tenant"] = session.Tenant.ToString(),
                ["conversationId"] = session.ConversationId,
                ["genesysConversationId"] = session.GenesysConversationId,
            });
            try
            {
                await lifecycle.ReconcileAsync(session.Tenant, session.GenesysConversationId, DetectionSources.Poll, cancellationToken);
            }
            catch (Exception e) when (e is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
            {
                logger.LogWarning(e, "Could not check the Genesys conversation; polling again later");
            }
        }
    }
}

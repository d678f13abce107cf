using Dapr;
using Google.Protobuf.WellKnownTypes;
using Grpc.Core;
using Microsoft.Extensions.Options;
using PolyAi.Messaging.Agent.Brains;
using PolyAi.Messaging.Agent.Chat;
using PolyAi.Messaging.Agent.Handoffs;
using PolyAi.Messaging.Agent.Transcripts;
using PolyAi.Messaging.Contracts;
using PolyAi.Messaging.Handoff.V1;
using PolyAi.Messaging.ServiceDefaults;

namespace PolyAi.Messaging.Agent.Conversations;

/// <summary>A customer message saved and accepted (202), waiting for the AI's answer or to be forwarded to the human.</summary>
public sealed record CustomerTurn(ConversationRecord Conversation, TranscriptMessage Message)
{
    /// <summary>The handoff <see cref="Message"/> asked for was saved as requested and never started (its replica
    /// died before StartHandoff answered): this turn starts it, with the same idempotency key.</summary>
    public bool ResumesHandoff { get; init; }

    /// <summary>Taken up by <see cref="ConversationTurns.Recover"/>: accepted by a replica that died before answering it.</summary>
    public bool Recovered { get; init; }
}

/// <summary>
/// Answers customer messages after the 202: the brain (typing shown while it works) or, while a handoff is active,
/// the human agent via ForwardMessage. Each conversation with turns waiting has a queue of its own, drained by one
/// task, so its messages are handled in the order they were accepted on this replica, and a conversation that waits
/// (a forward being retried, a slow brain) holds up only itself. Brain calls, the part that costs, run at most
/// <see cref="MaxConcurrentReplies"/> at once. The queues hold only accepted messages not yet answered.
/// </summary>
public sealed partial class ConversationTurns(
    ConversationStore store, AgentTenants tenants, BrainSelector brains, HandoffGateway handoff, PendingForwardIndex pendingForwards, IOptions<TranscriptOptions> options,
    IOptions<HandoffCallOptions> handoffOptions, TimeProvider time, ILogger<ConversationTurns> logger) : IHostedService, IDisposable
{
    public const int MaxConcurrentReplies = 32;

    private readonly Lock _lock = new();
    private readonly Dictionary<string, ConversationQueue> _queues = new(StringComparer.Ordinal);
    private readonly SemaphoreSlim _replies = new(MaxConcurrentReplies, MaxConcurrentReplies);
    private readonly CancellationTokenSource _stopping = new();
    private int _disposed;

    public void Enqueue(CustomerTurn turn)
    {
        lock (_lock)
        {
            if (_queues.TryGetValue(turn.Conversation.Id, out var queue))
            {
                queue.Turns.Enqueue(turn);
                return;
            }

            queue = new ConversationQueue();
            queue.Turns.Enqueue(turn);
            _queues.Add(turn.Conversation.Id, queue);
            queue.Drained = Task.Run(() => DrainAsync(turn.Conversation.Id, queue));
        }
    }

    /// <summary>
    /// Queues the turns a replica accepted and did not live to answer: pending in the transcript for longer than
    /// <see cref="TranscriptOptions.RecoverTurnsAfter"/>, for a conversation this replica is not answering now. Called
    /// wherever the transcript is read anyway (the customer's stream, the next message), so it costs no extra read; if
    /// the first replica was only slow, both answer and the pending check in the answer's save keeps one.
    /// </summary>
    public void Recover(ConversationRecord conversation, Transcript? transcript)
    {
        if (transcript is null || transcript.IsEnded)
        {
            return;
        }

        var before = time.GetUtcNow() - Options.RecoverTurnsAfter;
        var stalledStart = StalledStart(transcript, before);
        if (transcript.PendingTurns.Count == 0 && stalledStart is null)
        {
            return;
        }

        lock (_lock)
        {
            if (_queues.ContainsKey(conversation.Id))
            {
                return; // answering it here already; what is pending is in its queue
            }
        }

        if (stalledStart is not null)
        {
            ConversationMetrics.RecoveredTurns.Inc();
            LogResumingHandoff(stalledStart.Id);
            Enqueue(new CustomerTurn(conversation, stalledStart) { ResumesHandoff = true });
        }

        foreach (var message in transcript.Messages.Where(m => transcript.PendingTurns.Contains(m.Id) && m.Time < before))
        {
            ConversationMetrics.RecoveredTurns.Inc();
            LogRecovering(message.Id);
            Enqueue(new CustomerTurn(conversation, message) { Recovered = true });
        }
    }

    /// <summary>
    /// When <see cref="Recover"/> would first take up what <paramref name="transcript"/> leaves waiting (its oldest
    /// pending turn, or a handoff still requested, plus <see cref="TranscriptOptions.RecoverTurnsAfter"/>); null when
    /// nothing waits. The customer's stream looks again then, so a customer who only waits is answered too.
    /// </summary>
    public DateTimeOffset? RecoverDue(Transcript? transcript)
    {
        if (transcript is null || transcript.IsEnded || (transcript.PendingTurns.Count == 0 && transcript.Handoff is not { Status: HandoffStatus.Requested }))
        {
            return null; // the usual case on every stream read: nothing waits, no pass over the messages
        }

        DateTimeOffset? oldest = transcript.Handoff is { Status: HandoffStatus.Requested, StartMessageId: not null } requested ? requested.RequestedAt : null;
        foreach (var message in transcript.Messages)
        {
            if (transcript.PendingTurns.Contains(message.Id) && (oldest is null || message.Time < oldest))
            {
                oldest = message.Time;
            }
        }

        return oldest + Options.RecoverTurnsAfter;
    }

    /// <summary>The message whose handoff is still <c>requested</c> since before <paramref name="before"/>, if any.</summary>
    public static TranscriptMessage? StalledStart(Transcript transcript, DateTimeOffset before) =>
        transcript.Handoff is { Status: HandoffStatus.Requested, StartMessageId: { } startId } handoff && handoff.RequestedAt < before
            ? transcript.Messages.FirstOrDefault(m => m.Id == startId)
            : null;

    public Task StartAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    /// <summary>Stops answering: turns under way are cancelled (their messages stay saved, unanswered).</summary>
    public async Task StopAsync(CancellationToken cancellationToken)
    {
        if (Volatile.Read(ref _disposed) == 1)
        {
            return; // a host disposed before it was stopped (seen with WebApplicationFactory on Kestrel): nothing runs
        }

        await _stopping.CancelAsync();
        Task[] draining;
        lock (_lock)
        {
            draining = _queues.Values.Select(q => q.Drained).ToArray();
        }

        await Task.WhenAll(draining).WaitAsync(cancellationToken);
    }

    public void Dispose()
    {
        if (Interlocked.Exchange(ref _disposed, 1) == 1)
        {
            return;
        }

        _stopping.Cancel(); // drains still running end instead of using what is disposed below
        _stopping.Dispose();
        _replies.Dispose();
    }

    private async Task DrainAsync(string conversationId, ConversationQueue queue)
    {
        var stoppingToken = _stopping.Token;
        while (true)
        {
            CustomerTurn turn;
            lock (_lock)
            {
                if (!queue.Turns.TryDequeue(out turn!) || stoppingToken.IsCancellationRequested)
                {
                    _queues.Remove(conversationId);
                    return;
                }
            }

            using var scope = logger.BeginScope(LogScope.Of(tenant: turn.Conversation.Tenant.ToString(), conversationId: turn.Conversation.Id, messageId: turn.Message.Id));
            try
            {
                await RespondAsync(turn, stoppingToken);
            }
            catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
            {
            }
            catch (Exception e) when (!stoppingToken.IsCancellationRequested)
            {
                LogAnswerFailed(e);
            }
        }
    }

    private sealed class ConversationQueue
    {
        public Queue<CustomerTurn> Turns { get; } = new();

        public Task Drained { get; set; } = Task.CompletedTask;
    }

    private TranscriptOptions Options => options.Value;

    public async Task RespondAsync(CustomerTurn turn, CancellationToken cancellationToken)
    {
        var conversation = turn.Conversation;
        var transcript = await store.ReadAsync(conversation.Tenant, conversation.Id, cancellationToken);
        if (turn.ResumesHandoff)
        {
            await ResumeHandoffAsync(turn, transcript, cancellationToken);
            return;
        }

        if (transcript is null || transcript.IsEnded || !transcript.PendingTurns.Contains(turn.Message.Id))
        {
            return; // gone, or answered already (by a replica that recovered it)
        }

        CrashPoints.Reach(CrashPoints.AgentTurnBeforeReply);
        if (transcript.Handoff is not null && await ForwardAsync(turn, cancellationToken))
        {
            CrashPoints.Reach(CrashPoints.AgentForwardAfterSend);
            // The handoff service drops a forward it has seen (by message id): a crash before this save only repeats it.
            await ChangeAsync(conversation, t => t.PendingTurns.Contains(turn.Message.Id) ? t.Answered(turn.Message.Id) : null, cancellationToken);
            return;
        }

        if (transcript.Handoff is null && turn.Recovered && transcript.AppliedHandoffEvents.Count > 0 && await ReachedTheHumanAsync(turn, cancellationToken))
        {
            // Forwarded by the replica that died, before the handoff ended: the human had it; the AI does not answer it.
            await ChangeAsync(conversation, t => t.PendingTurns.Contains(turn.Message.Id) ? t.Answered(turn.Message.Id) : null, cancellationToken);
            return;
        }

        var tenant = await tenants.FindAsync(conversation.Tenant, cancellationToken);
        if (tenant is null)
        {
            LogTenantGone();
            return;
        }

        await ChangeAsync(conversation, t => t.ShowTyping(TranscriptRoles.Ai, time.GetUtcNow(), Options), cancellationToken);
        var brain = brains.For(tenant.Definition);
        BrainReply reply;
        await _replies.WaitAsync(cancellationToken);
        try
        {
            reply = await brain.ReplyAsync(new BrainTurn(tenant, transcript.Messages, turn.Message.Text, transcript.UnansweredTurns), cancellationToken);
        }
        finally
        {
            _replies.Release();
        }

        var brainLabel = tenant.Definition.Llm is null ? "deterministic" : "llm";
        ConversationMetrics.BrainTurns.WithLabels(brainLabel, reply.Handoff is not null ? "handoff" : reply.Answered ? "answered" : "unanswered").Inc();

        if (reply.Handoff is not null)
        {
            await StartHandoffAsync(conversation, tenant, transcript, turn.Message, reply, cancellationToken);
            return;
        }

        // Saved only while the turn is pending: of two replicas answering it, one answer shows.
        var (saved, _) = await ChangeAsync(conversation, t => t.PendingTurns.Contains(turn.Message.Id)
            ? t.Say(AiMessage(reply.Text!), Options).Answered(turn.Message.Id) with { UnansweredTurns = reply.Answered ? 0 : t.UnansweredTurns + 1 }
            : null, cancellationToken);
        if (saved == StateUpdate.Saved)
        {
            CountMessage(TranscriptRoles.Ai);
        }
    }

    /// <summary>
    /// While a human has the conversation: the message goes to them, true once it has. A failing handoff service or
    /// Genesys is tried again for <see cref="HandoffCallOptions.ForwardPatience"/>; then the handoff is given up in the open —
    /// the Genesys side is ended, the customer sees <c>failed</c> and a line saying so — and the message is not answered
    /// by the AI as if the human had read it (true). When the handoff service no longer knows the handoff (it ended on
    /// the Genesys side and the ended event was missed), the customer sees it end and the AI answers (false).
    /// </summary>
    private async Task<bool> ForwardAsync(CustomerTurn turn, CancellationToken cancellationToken)
    {
        var conversation = turn.Conversation;
        var patience = handoffOptions.Value.ForwardPatience;
        var firstTry = time.GetUtcNow();
        while (true)
        {
            try
            {
                var response = await handoff.ForwardMessageAsync(
                    conversation.Tenant, conversation.Id, turn.Message.Id, turn.Message.Text, turn.Message.Time, cancellationToken);
                if (response.Forwarded)
                {
                    return true;
                }

                var texts = await TextsAsync(conversation, cancellationToken);
                await GiveBackAsync(conversation, HandoffStatus.Ended, texts.AiResumes, cancellationToken);
                return false;
            }
            catch (RpcException e) when (time.GetUtcNow() - firstTry < patience)
            {
                LogForwardRetrying(e.StatusCode);
                await Task.Delay(handoffOptions.Value.ForwardRetryDelay, time, cancellationToken);
            }
            catch (RpcException e)
            {
                LogForwardGaveUp(e.StatusCode, (time.GetUtcNow() - firstTry).TotalSeconds);
                await EndQuietlyAsync(conversation, cancellationToken);
                var texts = await TextsAsync(conversation, cancellationToken);
                await GiveBackAsync(conversation, HandoffStatus.Failed, texts.HandoffFailed, cancellationToken);
                return true;
            }
        }
    }

    /// <summary>
    /// Whether the handoff service had this message forwarded to the human (it answers from the session's record
    /// even once the handoff has ended, and forwards nothing to an ended one); false when it cannot say.
    /// </summary>
    private async Task<bool> ReachedTheHumanAsync(CustomerTurn turn, CancellationToken cancellationToken)
    {
        try
        {
            var conversation = turn.Conversation;
            return (await handoff.ForwardMessageAsync(
                conversation.Tenant, conversation.Id, turn.Message.Id, turn.Message.Text, turn.Message.Time, cancellationToken)).Forwarded;
        }
        catch (RpcException e)
        {
            LogForwardCheckFailed(e.StatusCode);
            return false;
        }
    }

    /// <summary>Ends the Genesys side of a handoff we give up on; best effort — it may be what is failing.</summary>
    private async Task EndQuietlyAsync(ConversationRecord conversation, CancellationToken cancellationToken)
    {
        try
        {
            await handoff.EndAsync(conversation.Tenant, conversation.Id, "forward-failed", cancellationToken);
        }
        catch (RpcException e)
        {
            LogEndFailedHandoffFailed(e.StatusCode);
        }
    }

    private async Task<AgentTexts> TextsAsync(ConversationRecord conversation, CancellationToken cancellationToken) =>
        (await tenants.FindAsync(conversation.Tenant, cancellationToken))?.Definition.Texts ?? new AgentTexts();

    private async Task StartHandoffAsync(
        ConversationRecord conversation, AgentTenant tenant, Transcript transcript, TranscriptMessage first, BrainReply reply, CancellationToken cancellationToken)
    {
        var decision = reply.Handoff!;
        var requestedAt = time.GetUtcNow();
        // The request is saved with what starting it takes (message id, summary, queue): if this replica dies before
        // StartHandoff answers, the turn is answered but the handoff still requested, and Recover starts it again.
        var requested = new HandoffState(
            HandoffStatus.Requested, requestedAt, Intent: decision.Intent, StartMessageId: first.Id, Summary: decision.Summary, QueueId: decision.QueueId);
        var (outcome, _) = await ChangeAsync(conversation, t =>
        {
            if (t.Handoff is not null || t.IsEnded)
            {
                return null;
            }

            var changed = t.Answered(first.Id) with { Handoff = requested, UnansweredTurns = 0 };
            if (!string.IsNullOrEmpty(reply.Text))
            {
                changed = changed.Say(AiMessage(reply.Text), Options);
            }

            return changed.ShowHandoff(HandoffStatus.Requested, requestedAt, Options);
        }, cancellationToken);
        if (outcome != StateUpdate.Saved)
        {
            return;
        }

        ConversationMetrics.Handoffs.WithLabels(HandoffStatus.Requested).Inc();
        if (!string.IsNullOrEmpty(reply.Text))
        {
            CountMessage(TranscriptRoles.Ai);
        }

        LogHandingOver(decision.Intent);
        try
        {
            // Listed, so a sweep finds the request even if this replica dies now and the customer is gone.
            await pendingForwards.ListAsync(conversation.Tenant, conversation.Id, cancellationToken);
        }
        catch (Exception e) when (e is DaprException or InvalidOperationException)
        {
            LogNotListed(e);
        }

        CrashPoints.Reach(CrashPoints.AgentHandoffAfterRequest);
        await CallStartAsync(conversation, tenant, first, requested, checkAvailability: true, cancellationToken);
    }

    /// <summary>A handoff saved as requested by a replica that did not live to start it: started here, same key.</summary>
    private async Task ResumeHandoffAsync(CustomerTurn turn, Transcript? transcript, CancellationToken cancellationToken)
    {
        var conversation = turn.Conversation;
        if (transcript is not { IsEnded: false, Handoff: { Status: HandoffStatus.Requested } requested } || requested.StartMessageId != turn.Message.Id)
        {
            return; // started, given back or ended meanwhile
        }

        if (await tenants.FindAsync(conversation.Tenant, cancellationToken) is not { } tenant)
        {
            LogTenantGone();
            return;
        }

        // No availability check: the first try may have created the Genesys conversation already, and the
        // handoff service checks again itself before it sends anything.
        await CallStartAsync(conversation, tenant, turn.Message, requested, checkAvailability: false, cancellationToken);
    }

    /// <summary>
    /// CheckAvailability, then StartHandoff (idempotent by conversation and message id), called again while the
    /// handoff service is unreachable — a replica restarting — until <see cref="HandoffCallOptions.StartTimeout"/>
    /// after the request; then given up: the Genesys side ended (best effort) and the customer told.
    /// </summary>
    private async Task CallStartAsync(
        ConversationRecord conversation, AgentTenant tenant, TranscriptMessage first, HandoffState requested, bool checkAvailability, CancellationToken cancellationToken)
    {
        var call = handoffOptions.Value;
        StartHandoffResponse started;
        while (true)
        {
            try
            {
                if (checkAvailability)
                {
                    var availability = await handoff.CheckAvailabilityAsync(conversation.Tenant, requested.QueueId, cancellationToken);
                    if (!availability.Available)
                    {
                        await GiveBackAsync(conversation, HandoffStatus.Unavailable, tenant.Definition.Texts.NoAgentsAvailable, cancellationToken);
                        return;
                    }

                    checkAvailability = false;
                }

                started = await handoff.StartAsync(StartRequest(conversation, first, requested), cancellationToken);
                break;
            }
            catch (RpcException e) when (IsTransient(e.StatusCode) && time.GetUtcNow() - requested.RequestedAt < call.StartTimeout)
            {
                LogStartRetrying(e.StatusCode);
                await Task.Delay(call.ForwardRetryDelay, time, cancellationToken);
            }
            catch (RpcException e)
            {
                LogHandoffUnreachable(e.StatusCode);
                await EndQuietlyAsync(conversation, cancellationToken); // a try that did reach Genesys leaves nobody waiting there
                await GiveBackAsync(conversation, HandoffStatus.Failed, tenant.Definition.Texts.HandoffFailed, cancellationToken);
                return;
            }
        }

        switch (started.Outcome)
        {
            case StartHandoffResponse.Types.Outcome.Started:
                await ChangeAsync(conversation, t =>
                    t.Handoff is { Status: HandoffStatus.Requested } h
                        ? (t with { Handoff = h with { Status = HandoffStatus.Queued, GenesysConversationId = started.GenesysConversationId } })
                            .ShowHandoff(HandoffStatus.Queued, time.GetUtcNow(), Options)
                        : null,
                    cancellationToken);
                ConversationMetrics.Handoffs.WithLabels(HandoffStatus.Queued).Inc();
                break;
            case StartHandoffResponse.Types.Outcome.Unavailable:
                await GiveBackAsync(conversation, HandoffStatus.Unavailable, tenant.Definition.Texts.NoAgentsAvailable, cancellationToken);
                break;
            default:
                LogStartFailed(started.Detail);
                await GiveBackAsync(conversation, HandoffStatus.Failed, tenant.Definition.Texts.HandoffFailed, cancellationToken);
                break;
        }
    }

    /// <summary>What a dead or restarting handoff replica answers (and a deadline), as opposed to a refusal.</summary>
    private static bool IsTransient(StatusCode status) =>
        status is StatusCode.Unavailable or StatusCode.Internal or StatusCode.Unknown or StatusCode.DeadlineExceeded or StatusCode.ResourceExhausted;

    private static StartHandoffRequest StartRequest(ConversationRecord conversation, TranscriptMessage first, HandoffState requested) => new()
    {
        Tenant = HandoffGateway.Tenant(conversation.Tenant),
        ConversationId = conversation.Id,
        Customer = new Customer
        {
            FirstName = conversation.Customer.FirstName ?? "",
            LastName = conversation.Customer.LastName ?? "",
            Email = conversation.Customer.Email ?? "",
            ExternalId = conversation.Customer.ExternalId ?? "",
        },
        MessageId = first.Id,
        Text = first.Text,
        Time = Timestamp.FromDateTimeOffset(first.Time),
        Summary = requested.Summary ?? "",
        Intent = requested.Intent ?? "",
        TranscriptUrl = $"/v1/chat/conversations/{conversation.Id}/messages",
        Locale = conversation.Locale ?? "",
        QueueId = requested.QueueId ?? "",
    };

    /// <summary>The handoff did not happen: the customer is told, and the AI keeps the conversation.</summary>
    private async Task GiveBackAsync(ConversationRecord conversation, string status, string text, CancellationToken cancellationToken)
    {
        var now = time.GetUtcNow();
        await ChangeAsync(conversation, t => t.Handoff is null
            ? null
            : (t with { Handoff = null }).ShowHandoff(status, now, Options).Say(AiMessage(text), Options), cancellationToken);
        ConversationMetrics.Handoffs.WithLabels(status).Inc();
        CountMessage(TranscriptRoles.Ai);
        LogGivenBack(status, conversation.Tenant);
    }

    private TranscriptMessage AiMessage(string text) => new(ConversationIds.NewMessageId(), TranscriptRoles.Ai, text, time.GetUtcNow());

    private Task<(StateUpdate, Transcript?)> ChangeAsync(ConversationRecord conversation, Func<Transcript, Transcript?> change, CancellationToken cancellationToken) =>
        store.UpdateAsync(conversation.Tenant, conversation.Id, t => t is null ? null : change(t), cancellationToken);

    public static void CountMessage(string role) => TranscriptMetrics.Messages.WithLabels(role).Inc();

    [LoggerMessage(Level = LogLevel.Warning, Message = "Message {MessageId} was accepted and never answered (its replica died?); answering it here")]
    private partial void LogRecovering(string messageId);

    [LoggerMessage(Level = LogLevel.Error, Message = "Could not answer the customer's message")]
    private partial void LogAnswerFailed(Exception exception);

    [LoggerMessage(Level = LogLevel.Warning, Message = "The conversation's tenant is gone; no answer")]
    private partial void LogTenantGone();

    [LoggerMessage(Level = LogLevel.Warning, Message = "Could not forward the customer's message to the human agent ({Status}); trying again")]
    private partial void LogForwardRetrying(StatusCode status);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Could not forward the customer's message to the human agent ({Status}) for {Seconds:0} s; ending the handoff")]
    private partial void LogForwardGaveUp(StatusCode status, double seconds);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Could not end the Genesys side of the failed handoff ({Status})")]
    private partial void LogEndFailedHandoffFailed(StatusCode status);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Message {MessageId} asked for a handoff that was never started (its replica died?); starting it here")]
    private partial void LogResumingHandoff(string messageId);

    [LoggerMessage(Level = LogLevel.Warning, Message = "The requested handoff is not on the pending-forward index; only the customer's next read recovers it if this replica dies")]
    private partial void LogNotListed(Exception exception);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Could not ask the handoff service whether the recovered message reached the human ({Status}); the AI answers it")]
    private partial void LogForwardCheckFailed(StatusCode status);

    [LoggerMessage(Level = LogLevel.Warning, Message = "StartHandoff failed ({Status}); calling it again")]
    private partial void LogStartRetrying(StatusCode status);

    [LoggerMessage(Level = LogLevel.Information, Message = "Handing the conversation to a human ({Intent})")]
    private partial void LogHandingOver(string intent);

    [LoggerMessage(Level = LogLevel.Warning, Message = "The handoff could not start: {Detail}")]
    private partial void LogStartFailed(string detail);

    [LoggerMessage(Level = LogLevel.Warning, Message = "The handoff service could not be reached ({Status}); the AI keeps the conversation")]
    private partial void LogHandoffUnreachable(StatusCode status);

    [LoggerMessage(Level = LogLevel.Information, Message = "Handoff {Status} for tenant {Tenant}; the AI keeps the conversation")]
    private partial void LogGivenBack(string status, TenantKey tenant);
}

using System.Globalization;
using System.Text;
using PolyAi.Messaging.Agent.Conversations;
using PolyAi.Messaging.ServiceDefaults;

namespace PolyAi.Messaging.Agent.Chat;

/// <summary>
/// <c>GET /v1/chat/conversations/{id}/events</c>: the conversation's event log as Server-Sent Events, from the state
/// store (so any replica can serve it), resumable with <c>Last-Event-ID</c>, with keep-alive comments. A change is
/// read once for all of the conversation's streams on this replica; a conversation may have
/// <see cref="ChatOptions.MaxStreamsPerConversation"/> streams here (429 beyond) and the replica
/// <see cref="ChatOptions.MaxStreams"/> (503 beyond).
/// </summary>
public static class ChatStream
{
    private static readonly byte[] KeepAlive = ": keep-alive\n\n"u8.ToArray();

    public static async Task StreamAsync(string id, HttpContext context, [AsParameters] ChatServices services)
    {
        var request = context.Request;
        var conversation = await ChatApi.AuthorizeAsync(id, request, services);
        if (conversation is null)
        {
            await ChatApi.Unauthorized(request).ExecuteAsync(context);
            return;
        }

        using var subscription = services.Watcher.TrySubscribe(ConversationStore.VersionKey(conversation.Tenant, id), out var replicaFull);
        if (subscription is null)
        {
            await RefuseAsync(context, replicaFull, services.Options.Value);
            return;
        }

        var lastSent = long.TryParse(request.Headers["Last-Event-ID"].ToString(), NumberStyles.None, CultureInfo.InvariantCulture, out var resumeFrom)
            ? resumeFrom
            : 0;
        var response = context.Response;
        response.ContentType = "text/event-stream";
        response.Headers.CacheControl = "no-cache";
        response.Headers["X-Accel-Buffering"] = "no";
        var cancellationToken = context.RequestAborted;
        var keepAlive = services.Options.Value.KeepAliveInterval;

        using var scope = services.Logger.BeginScope(LogScope.Of(tenant: conversation.Tenant.ToString(), conversationId: id));
        ConversationMetrics.StreamsOpen.Inc();
        try
        {
            await response.Body.WriteAsync("retry: 2000\n\n"u8.ToArray(), cancellationToken);
            await response.Body.FlushAsync(cancellationToken);
            while (!cancellationToken.IsCancellationRequested)
            {
                // Taken before the read: a change during the read still wakes the next wait.
                var changed = subscription.Changed;
                var transcript = await subscription.ReadAsync(
                    changed, token => services.Store.ReadAsync(conversation.Tenant, id, token), cancellationToken);
                // A customer waiting on a message a dead replica accepted reconnects here: answer it now; one whose
                // message is not old enough for that yet is looked at again when it is (below).
                services.Turns.Recover(conversation, transcript);
                var now = services.Time.GetUtcNow();
                var recheckAt = services.Turns.RecoverDue(transcript);
                if (recheckAt <= now)
                {
                    recheckAt = now + services.Transcripts.Value.RecoverTurnsAfter; // taken up just now: look again later
                }

                foreach (var item in transcript?.Events ?? [])
                {
                    if (item.Id > lastSent)
                    {
                        await response.Body.WriteAsync(Encoding.UTF8.GetBytes($"id: {item.Id}\nevent: {item.Type}\ndata: {item.Data}\n\n"), cancellationToken);
                        lastSent = item.Id;
                    }
                }

                await response.Body.FlushAsync(cancellationToken);
                while (!changed.IsCompleted)
                {
                    var untilRecheck = recheckAt - services.Time.GetUtcNow();
                    if (untilRecheck <= TimeSpan.Zero)
                    {
                        break; // the same snapshot, read again by Recover with the time that makes its turns due
                    }

                    using var wait = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
                    var timeout = Task.Delay(untilRecheck < keepAlive ? untilRecheck.Value : keepAlive, services.Time, wait.Token);
                    if (await Task.WhenAny(changed, timeout) == timeout)
                    {
                        await response.Body.WriteAsync(KeepAlive, cancellationToken);
                        await response.Body.FlushAsync(cancellationToken);
                    }

                    await wait.CancelAsync();
                }
            }
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            // The customer went away.
        }
        catch (IOException)
        {
        }
        finally
        {
            ConversationMetrics.StreamsOpen.Dec();
        }
    }

    private static Task RefuseAsync(HttpContext context, bool replicaFull, ChatOptions options)
    {
        context.Response.Headers.RetryAfter = "5";
        if (replicaFull)
        {
            ConversationMetrics.Rejected.WithLabels("streams_full").Inc();
            return TypedResults.Problem(
                    statusCode: StatusCodes.Status503ServiceUnavailable,
                    detail: "This server has as many event streams open as it serves; retry shortly.")
                .ExecuteAsync(context);
        }

        ConversationMetrics.Rejected.WithLabels("too_many_streams").Inc();
        return TypedResults.Problem(
                statusCode: StatusCodes.Status429TooManyRequests,
                detail: $"This conversation already has {options.MaxStreamsPerConversation} event streams open; close one to open another.")
            .ExecuteAsync(context);
    }
}

using System.Globalization;
using System.Text;
using System.Text.Json;
using Dapr;
using Grpc.Core;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.Extensions.Options;
using PolyAi.Messaging.Agent.Brains;
using PolyAi.Messaging.Agent.Conversations;
using PolyAi.Messaging.Agent.Handoffs;
using PolyAi.Messaging.Agent.Transcripts;
using PolyAi.Messaging.Contracts;
using PolyAi.Messaging.ServiceDefaults;

namespace PolyAi.Messaging.Agent.Chat;

/// <summary>
/// The webchat channel's API. Every call but create needs the conversation's own bearer token; a wrong token and
/// an unknown conversation get the same 401. Errors are short problem+json bodies.
/// </summary>
public static partial class ChatApi
{
    public static IEndpointRouteBuilder MapChatApi(this IEndpointRouteBuilder app)
    {
        var chat = app.MapGroup("/v1/chat");
        chat.MapPost("/{accountId}/{projectId}/{clientEnv}/conversations", CreateConversationAsync);
        var conversation = chat.MapGroup("/conversations/{id}");
        conversation.MapPost("/messages", PostMessageAsync);
        conversation.MapPost("/typing", TypingAsync);
        conversation.MapPost("/end", EndAsync);
        conversation.MapGet("/messages", TranscriptAsync);
        conversation.MapGet("/events", ChatStream.StreamAsync);
        return app;
    }

    public static async Task<Results<Created<CreatedConversation>, ProblemHttpResult>> CreateConversationAsync(
        string accountId, string projectId, string clientEnv, HttpRequest request, [AsParameters] ChatServices services)
    {
        var cancellationToken = request.HttpContext.RequestAborted;
        if (!TenantKey.TryCreate(accountId, projectId, clientEnv, out var key))
        {
            return Reject("unknown_tenant", StatusCodes.Status404NotFound, "Unknown tenant.");
        }

        var (body, problem) = await ReadJsonAsync(request, services.Options.Value, allowEmpty: true);
        if (problem is not null)
        {
            return problem;
        }

        CreateConversationRequest? create;
        try
        {
            create = body is null ? null : JsonSerializer.Deserialize(body.RootElement, AgentJsonContext.Default.CreateConversationRequest);
        }
        catch (JsonException)
        {
            return Reject("invalid", StatusCodes.Status400BadRequest, "The body must be {\"customer\": {...}, \"locale\": \"...\"}.");
        }
        finally
        {
            body?.Dispose();
        }

        var customer = create?.Customer ?? new CustomerProfile();
        if (new[] { customer.FirstName, customer.LastName, customer.Email, customer.ExternalId, create?.Locale }.Any(v => v?.Length > 256))
        {
            return Reject("invalid", StatusCodes.Status400BadRequest, "Customer fields and locale are at most 256 characters.");
        }

        // A store that cannot be read is the unexpected-error handler's: 503 + Retry-After.
        var tenant = await services.Tenants.FindAsync(key.Value, cancellationToken);

        if (tenant is null)
        {
            return Reject("unknown_tenant", StatusCodes.Status404NotFound, "Unknown tenant.");
        }

        var id = ConversationIds.NewConversationId();
        var (token, hash) = ConversationIds.NewToken();
        var now = services.Time.GetUtcNow();
        var record = new ConversationRecord(id, key.Value, hash, customer, create?.Locale, now);
        var options = services.Transcripts.Value;
        var greeting = new TranscriptMessage(ConversationIds.NewMessageId(), TranscriptRoles.Ai, tenant.Definition.Greeting, now);
        var transcript = new Transcript(key.Value, id, []) { Status = ConversationStatus.Active }.Say(greeting, options);
        using var scope = services.Logger.BeginScope(LogScope.Of(tenant: key.Value.ToString(), conversationId: id));
        await services.Store.CreateAsync(record, transcript, cancellationToken);

        ConversationMetrics.Started.Inc();
        ConversationTurns.CountMessage(TranscriptRoles.Ai);
        LogConversationStarted(services.Logger);
        return TypedResults.Created($"/v1/chat/conversations/{id}", new CreatedConversation(id, token));
    }

    public static async Task<Results<Accepted<MessageAccepted>, ProblemHttpResult>> PostMessageAsync(
        string id, HttpRequest request, [AsParameters] ChatServices services)
    {
        var cancellationToken = request.HttpContext.RequestAborted;
        var conversation = await AuthorizeAsync(id, request, services);
        if (conversation is null)
        {
            return Unauthorized(request);
        }

        var options = services.Options.Value;
        var (body, problem) = await ReadJsonAsync(request, options, allowEmpty: false);
        if (problem is not null)
        {
            return problem;
        }

        string? text;
        using (body)
        {
            text = body!.RootElement.ValueKind == JsonValueKind.Object
                   && body.RootElement.TryGetProperty("text", out var value) && value.ValueKind == JsonValueKind.String
                ? value.GetString()
                : null;
        }

        if (text is null)
        {
            return Reject("invalid", StatusCodes.Status400BadRequest, "The body must be {\"text\": \"...\"}.");
        }

        if (string.IsNullOrWhiteSpace(text) || text.Length > options.MaxTextLength)
        {
            return Reject("invalid", StatusCodes.Status400BadRequest, $"text must be 1 to {options.MaxTextLength} characters.");
        }

        using var scope = services.Logger.BeginScope(LogScope.Of(tenant: conversation.Tenant.ToString(), conversationId: id));
        var now = services.Time.GetUtcNow();
        var message = new TranscriptMessage(ConversationIds.NewMessageId(), TranscriptRoles.Customer, text, now);
        var refill = options.MessagesPerMinute / 60.0;
        TimeSpan? retryAfter = null;
        var ended = false;
        var (outcome, saved) = await services.Store.UpdateAsync(conversation.Tenant, id, current =>
        {
            retryAfter = null;
            ended = current is null || current.IsEnded;
            if (ended)
            {
                return null;
            }

            var bucket = current!.Bucket ?? new MessageBucket(options.MessageBurst, now);
            var tokens = Math.Min(options.MessageBurst, bucket.Tokens + Math.Max(0, (now - bucket.UpdatedAt).TotalSeconds) * refill);
            if (tokens < 1)
            {
                retryAfter = TimeSpan.FromSeconds(Math.Ceiling((1 - tokens) / refill));
                return null;
            }

            // Pending until answered: answered exactly once, whatever dies (ConversationTurns.Recover).
            return current.Say(message, services.Transcripts.Value).Pending(message.Id) with { Bucket = new MessageBucket(tokens - 1, now) };
        }, cancellationToken);

        if (ended)
        {
            return Reject("ended", StatusCodes.Status409Conflict, "The conversation has ended.");
        }

        if (retryAfter is { } wait)
        {
            request.HttpContext.Response.Headers.RetryAfter = ((int)Math.Max(1, wait.TotalSeconds)).ToString(CultureInfo.InvariantCulture);
            return Reject("rate_limited", StatusCodes.Status429TooManyRequests, "Too many messages; wait before sending more.");
        }

        if (outcome != StateUpdate.Saved)
        {
            return TypedResults.Problem("The conversation is busy; try again.", statusCode: StatusCodes.Status503ServiceUnavailable);
        }

        CrashPoints.Reach(CrashPoints.AgentTurnAfterAccept);
        ConversationTurns.CountMessage(TranscriptRoles.Customer);
        if (saved?.Handoff is not null)
        {
            await ListForTheHumanAsync(conversation, services, cancellationToken);
        }

        services.Turns.Recover(conversation, saved); // earlier turns a dead replica left unanswered go first
        services.Turns.Enqueue(new CustomerTurn(conversation, message));
        return TypedResults.Accepted($"/v1/chat/conversations/{id}/messages", new MessageAccepted(message.Id));
    }

    /// <summary>
    /// A message for a human goes on the pending-forward list, so it reaches them even if this replica dies before the
    /// forward and the customer is gone; best effort (a store failure here leaves the recovery to the customer's stream).
    /// </summary>
    private static async Task ListForTheHumanAsync(ConversationRecord conversation, ChatServices services, CancellationToken cancellationToken)
    {
        try
        {
            await services.PendingForwards.ListAsync(conversation.Tenant, conversation.Id, cancellationToken);
        }
        catch (Exception e) when (e is DaprException or InvalidOperationException)
        {
            LogNotListed(services.Logger, e);
        }
    }

    public static async Task<Results<NoContent, ProblemHttpResult>> TypingAsync(string id, HttpRequest request, [AsParameters] ChatServices services)
    {
        var cancellationToken = request.HttpContext.RequestAborted;
        var conversation = await AuthorizeAsync(id, request, services);
        if (conversation is null)
        {
            return Unauthorized(request);
        }

        var transcript = await services.Store.ReadAsync(conversation.Tenant, id, cancellationToken);
        if (transcript?.Handoff is { Status: HandoffStatus.Queued or HandoffStatus.Connected })
        {
            try
            {
                await services.Handoff.ForwardTypingAsync(conversation.Tenant, id, cancellationToken);
            }
            catch (RpcException e)
            {
                // Typing is a hint; losing one is harmless.
                LogTypingNotForwarded(services.Logger, e.StatusCode);
            }
        }

        return TypedResults.NoContent();
    }

    public static async Task<Results<NoContent, ProblemHttpResult>> EndAsync(string id, HttpRequest request, [AsParameters] ChatServices services)
    {
        var cancellationToken = request.HttpContext.RequestAborted;
        var conversation = await AuthorizeAsync(id, request, services);
        if (conversation is null)
        {
            return Unauthorized(request);
        }

        using var scope = services.Logger.BeginScope(LogScope.Of(tenant: conversation.Tenant.ToString(), conversationId: id));
        var now = services.Time.GetUtcNow();
        var hadHandoff = false;
        await services.Store.UpdateAsync(conversation.Tenant, id, current =>
        {
            hadHandoff = current?.Handoff is not null;
            if (current is null || current.IsEnded)
            {
                return null;
            }

            var ended = current with { Status = ConversationStatus.Ended, Handoff = null };
            return hadHandoff ? ended.ShowHandoff(HandoffStatus.Ended, now, services.Transcripts.Value) : ended;
        }, cancellationToken);

        if (hadHandoff)
        {
            try
            {
                await services.Handoff.EndAsync(conversation.Tenant, id, "customer-ended", cancellationToken);
                ConversationMetrics.Handoffs.WithLabels(HandoffStatus.Ended).Inc();
            }
            catch (RpcException e)
            {
                LogHandoffNotEnded(services.Logger, e.StatusCode);
            }
        }

        LogCustomerEnded(services.Logger);
        return TypedResults.NoContent();
    }

    public static async Task<Results<Ok<ChatTranscript>, ProblemHttpResult>> TranscriptAsync(string id, HttpRequest request, [AsParameters] ChatServices services)
    {
        var conversation = await AuthorizeAsync(id, request, services);
        if (conversation is null)
        {
            return Unauthorized(request);
        }

        var transcript = await services.Store.ReadAsync(conversation.Tenant, id, request.HttpContext.RequestAborted);
        return TypedResults.Ok(new ChatTranscript(
            id,
            transcript?.Status ?? ConversationStatus.Active,
            transcript?.Messages.Select(ChatMessage.From).ToList() ?? [],
            transcript?.Handoff?.Status));
    }

    /// <summary>The conversation whose token the request carries, or null (unknown id, no or wrong token: the same).</summary>
    public static async Task<ConversationRecord?> AuthorizeAsync(string id, HttpRequest request, ChatServices services)
    {
        var header = request.Headers.Authorization.ToString();
        const string scheme = "Bearer ";
        var token = header.StartsWith(scheme, StringComparison.OrdinalIgnoreCase) ? header[scheme.Length..].Trim() : null;
        var conversation = token is null ? null : await services.Store.FindAsync(id, request.HttpContext.RequestAborted);
        if (conversation is not null && conversation.Accepts(token))
        {
            return conversation;
        }

        ConversationMetrics.Rejected.WithLabels("unauthorized").Inc();
        return null;
    }

    public static ProblemHttpResult Unauthorized(HttpRequest request)
    {
        request.HttpContext.Response.Headers.WWWAuthenticate = "Bearer";
        return TypedResults.Problem(statusCode: StatusCodes.Status401Unauthorized, title: "Unauthorized");
    }

    private static ProblemHttpResult Reject(string reason, int status, string detail)
    {
        ConversationMetrics.Rejected.WithLabels(reason).Inc();
        return TypedResults.Problem(detail, statusCode: status);
    }

    /// <summary>A property name twice is refused: which one counts would depend on who reads it (as for webhooks).</summary>
    private static readonly JsonDocumentOptions BodyOptions = new() { AllowDuplicateProperties = false };

    /// <summary>Reads a JSON body of at most <see cref="ChatOptions.MaxBodyBytes"/>: 413 above, 400 when it is not JSON.</summary>
    private static async Task<(JsonDocument? Body, ProblemHttpResult? Problem)> ReadJsonAsync(HttpRequest request, ChatOptions options, bool allowEmpty)
    {
        if (request.ContentLength > options.MaxBodyBytes)
        {
            return (null, Reject("too_large", StatusCodes.Status413PayloadTooLarge, $"The body is over {options.MaxBodyBytes} bytes."));
        }

        var buffer = new byte[options.MaxBodyBytes + 1];
        var read = 0;
        int n;
        while (read < buffer.Length && (n = await request.Body.ReadAsync(buffer.AsMemory(read), request.HttpContext.RequestAborted)) > 0)
        {
            read += n;
        }

        if (read > options.MaxBodyBytes)
        {
            return (null, Reject("too_large", StatusCodes.Status413PayloadTooLarge, $"The body is over {options.MaxBodyBytes} bytes."));
        }

        if (!System.Text.Unicode.Utf8.IsValid(buffer.AsSpan(0, read)))
        {
            return (null, Reject("invalid", StatusCodes.Status400BadRequest, UnicodeText.InvalidUtf8));
        }

        if (read == 0 || Encoding.UTF8.GetString(buffer, 0, read).Trim().Length == 0)
        {
            return allowEmpty ? (null, null) : (null, Reject("invalid", StatusCodes.Status400BadRequest, "The body must be JSON."));
        }

        JsonDocument document;
        try
        {
            document = JsonDocument.Parse(buffer.AsMemory(0, read), BodyOptions);
        }
        catch (JsonException)
        {
            return (null, Reject("invalid", StatusCodes.Status400BadRequest, "The body must be JSON, each property name once per object."));
        }
        catch (InvalidOperationException)
        {
            // The duplicate-name check throws on a lone surrogate escape in a property name.
            return (null, Reject("invalid", StatusCodes.Status400BadRequest, UnicodeText.LoneSurrogate));
        }

        if (UnicodeText.HasLoneSurrogate(buffer.AsSpan(0, read), document.RootElement))
        {
            document.Dispose();
            return (null, Reject("invalid", StatusCodes.Status400BadRequest, UnicodeText.LoneSurrogate));
        }

        return (document, null);
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Conversation started")]
    private static partial void LogConversationStarted(ILogger logger);

    [LoggerMessage(Level = LogLevel.Information, Message = "Could not forward typing ({Status})")]
    private static partial void LogTypingNotForwarded(ILogger logger, Grpc.Core.StatusCode status);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Could not end the handoff ({Status}); the handoff service detects the end on its own")]
    private static partial void LogHandoffNotEnded(ILogger logger, Grpc.Core.StatusCode status);

    [LoggerMessage(Level = LogLevel.Information, Message = "The customer ended the conversation")]
    private static partial void LogCustomerEnded(ILogger logger);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Could not list the message for the human's pending forwards; the customer's stream recovers it if this replica dies")]
    private static partial void LogNotListed(ILogger logger, Exception exception);
}

public sealed record ChatServices(
    ConversationStore Store,
    AgentTenants Tenants,
    ConversationTurns Turns,
    PendingForwardIndex PendingForwards,
    HandoffGateway Handoff,
    IOptions<ChatOptions> Options,
    IOptions<TranscriptOptions> Transcripts,
    ConversationWatcher Watcher,
    TimeProvider Time,
    ILogger<ChatServices> Logger);

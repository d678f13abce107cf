using System.Diagnostics.CodeAnalysis;
using System.Net.Mime;
using System.Text.Json;
using Dapr.Client;
using Microsoft.Extensions.Options;
using PolyAi.Messaging.Contracts;
using PolyAi.Messaging.Genesys.OpenMessaging;
using PolyAi.Messaging.ServiceDefaults;

namespace PolyAi.Messaging.Verifier.Webhooks;

/// <summary>
/// Takes in one Genesys webhook delivery: declared size, signature shape, tenant, body (within a deadline), signature,
/// notification, a permit, dedupe, publish — in that order, so an unauthenticated caller learns nothing about tenants,
/// nothing unverified reaches pub/sub, and only verified webhooks hold one of the permits
/// (<see cref="WebhookAdmission"/>): a slow or unsigned sender costs a connection, never another tenant's capacity.
/// Expected failures are verdicts; only the unexpected throws.
/// </summary>
public sealed partial class WebhookIntake(
    TenantDirectory tenants,
    DeliveryLedger ledger,
    WebhookAdmission admission,
    DaprClient dapr,
    IOptions<VerifierOptions> options,
    TimeProvider time,
    ILogger<WebhookIntake> logger)
{
    private const string CloudEventIdMetadata = "cloudevent.id";

    // Anyone can cause these lines, so each kind has its own budget (the outcome counters count every one).
    private readonly LogBudget _unknownTenantLog = NewLogBudget(options, time);
    private readonly LogBudget _badSignatureLog = NewLogBudget(options, time);
    private readonly LogBudget _slowBodyLog = NewLogBudget(options, time);
    private readonly LogBudget _invalidLog = NewLogBudget(options, time);
    private readonly LogBudget _storeFailedLog = NewLogBudget(options, time);

    public async Task<WebhookVerdict> ReceiveAsync(
        string accountId, string projectId, string clientEnv, HttpRequest request, CancellationToken cancellationToken)
    {
        var receivedAt = time.GetUtcNow();
        if (!TenantKey.TryCreate(accountId, projectId, clientEnv, out var parsed))
        {
            return WebhookVerdict.UnknownTenant;
        }

        var key = parsed.Value;
        var limits = options.Value;
        if (request.ContentLength > limits.MaxBodyBytes)
        {
            return WebhookVerdict.TooLarge;
        }

        var signatures = request.Headers[WebhookSignature.HeaderName];
        var signature = signatures.Count == 1 ? signatures[0] : null;
        if (!WebhookSignature.IsWellFormed(signature))
        {
            return WebhookVerdict.Unauthorized;
        }

        using var tenantScope = logger.BeginScope(LogScope.Of(tenant: key.ToString()));
        Tenant? tenant;
        try
        {
            using var timeout = Timeout(limits.StoreTimeout, cancellationToken);
            tenant = await tenants.FindAsync(key, timeout.Token);
        }
        catch (Exception ex) when (!cancellationToken.IsCancellationRequested)
        {
            LogStoreFailedWithinBudget(ex, "tenant lookup");
            return WebhookVerdict.Unavailable;
        }

        if (tenant is null)
        {
            if (_unknownTenantLog.TryTake(out var suppressed))
            {
                LogUnknownTenant(suppressed);
            }

            return WebhookVerdict.UnknownTenant;
        }

        WebhookBody? read;
        try
        {
            using var deadline = Timeout(limits.BodyReadTimeout, cancellationToken);
            read = await WebhookBody.ReadAsync(request.Body, request.ContentLength, limits.MaxBodyBytes, deadline.Token);
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            if (_slowBodyLog.TryTake(out var suppressed))
            {
                LogSlowBody(limits.BodyReadTimeout, suppressed);
            }

            return WebhookVerdict.TimedOut;
        }

        using var body = read;
        if (body is null)
        {
            return WebhookVerdict.TooLarge;
        }

        if (!WebhookSignature.IsValid(signature, body.Span, [tenant.Secrets.WebhookSecret, tenant.Secrets.PreviousWebhookSecret]))
        {
            if (_badSignatureLog.TryTake(out var suppressed))
            {
                LogBadSignature(suppressed);
            }

            return WebhookVerdict.Unauthorized;
        }

        var notificationId = NotificationValidator.Validate(body.Memory, out var notification, out var error);
        if (notificationId is null)
        {
            if (_invalidLog.TryTake(out var suppressed))
            {
                LogInvalid(error!, suppressed);
            }

            return WebhookVerdict.Invalid(error!);
        }

        using var notificationScope = logger.BeginScope(LogScope.Of(notificationId: notificationId));
        using var permit = admission.TryEnter(key);
        if (permit is null)
        {
            return WebhookVerdict.Overloaded;
        }

        var published = await PublishOnceAsync(key, notificationId, new GenesysNotificationReceived(key, receivedAt, notification), cancellationToken);
        return published.Outcome is WebhookOutcome.Accepted or WebhookOutcome.Duplicate && tenant.Record.WebhookRateLimit is { IsValid: true } rate
            ? published with { TenantRate = rate }
            : published;
    }

    private async Task<WebhookVerdict> PublishOnceAsync(
        TenantKey tenant, string notificationId, GenesysNotificationReceived message, CancellationToken cancellationToken)
    {
        var limits = options.Value;
        DeliveryState state;
        try
        {
            using var timeout = Timeout(limits.StoreTimeout, cancellationToken);
            state = await ledger.ClaimAsync(tenant, notificationId, timeout.Token);
        }
        catch (Exception ex) when (!cancellationToken.IsCancellationRequested)
        {
            LogStoreFailedWithinBudget(ex, "dedupe claim");
            return WebhookVerdict.Unavailable;
        }

        if (state == DeliveryState.Published)
        {
            LogDuplicate();
            return WebhookVerdict.Duplicate;
        }

        CrashPoints.Reach(CrashPoints.VerifierAfterClaim);
        try
        {
            using var timeout = Timeout(limits.PublishTimeout, cancellationToken);
            // Serialized here with the source-generated context (the shape DaprClient's Web defaults give), so the
            // publish does no reflection-based serialization.
            var data = JsonSerializer.SerializeToUtf8Bytes(message, VerifierJsonContext.Default.GenesysNotificationReceived);
            await dapr.PublishByteEventAsync(
                limits.PubSub, limits.Topic, data, MediaTypeNames.Application.Json,
                new Dictionary<string, string> { [CloudEventIdMetadata] = notificationId },
                timeout.Token);
        }
        catch (Exception ex) when (!cancellationToken.IsCancellationRequested)
        {
            VerifierMetrics.PublishFailures.Inc();
            LogPublishFailed(ex);
            await ForgetAsync(tenant, notificationId);
            return WebhookVerdict.Unavailable;
        }

        CrashPoints.Reach(CrashPoints.VerifierAfterPublish);
        try
        {
            using var timeout = Timeout(limits.StoreTimeout, cancellationToken);
            await ledger.MarkPublishedAsync(tenant, notificationId, timeout.Token);
        }
        catch (Exception ex) when (!cancellationToken.IsCancellationRequested)
        {
            // Published is what matters; a key left pending only means a redelivery is published again.
            LogStoreFailedWithinBudget(ex, "dedupe mark published");
        }

        LogAccepted(state == DeliveryState.Pending);
        return WebhookVerdict.Accepted;
    }

    [SuppressMessage("Design", "CA1031:Do not catch general exception types", Justification = "Best-effort housekeeping: a pending dedupe key does not block Genesys' retry.")]
    private async Task ForgetAsync(TenantKey tenant, string notificationId)
    {
        try
        {
            // Not the request's token: the caller may be gone, and the key must still go.
            using var timeout = Timeout(options.Value.StoreTimeout, CancellationToken.None);
            await ledger.ReleaseAsync(tenant, notificationId, timeout.Token);
        }
        catch (Exception ex)
        {
            // A pending key does not block the retry (only "published" does); this is only housekeeping.
            LogStoreFailedWithinBudget(ex, "dedupe release");
        }
    }

    private static LogBudget NewLogBudget(IOptions<VerifierOptions> options, TimeProvider time) =>
        new(options.Value.RejectionLogBurst, options.Value.RejectionLogInterval, time);

    private void LogStoreFailedWithinBudget(Exception exception, string operation)
    {
        if (_storeFailedLog.TryTake(out var suppressed))
        {
            LogStoreFailed(exception, operation, suppressed);
        }
    }

    private Deadline Timeout(TimeSpan after, CancellationToken cancellationToken)
    {
        var timer = new CancellationTokenSource(after, time);
        return new Deadline(timer, CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, timer.Token));
    }

    private sealed class Deadline(CancellationTokenSource timer, CancellationTokenSource linked) : IDisposable
    {
        public CancellationToken Token => linked.Token;

        public void Dispose()
        {
            linked.Dispose();
            timer.Dispose();
        }
    }

    // Debug, not Information: a JSON line per accepted webhook is the busiest log of the hot path;
    // the outcome counters in /metrics say the same in aggregate.
    [LoggerMessage(Level = LogLevel.Debug, Message = "Webhook published (earlier attempt pending: {EarlierAttemptPending})")]
    private partial void LogAccepted(bool earlierAttemptPending);

    [LoggerMessage(Level = LogLevel.Debug, Message = "Webhook already published; acknowledged as duplicate")]
    private partial void LogDuplicate();

    [LoggerMessage(Level = LogLevel.Warning, Message = "Webhook for an unknown tenant ({Suppressed} more like it not logged since the last)")]
    private partial void LogUnknownTenant(long suppressed);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Webhook signature does not match the tenant's secrets ({Suppressed} more like it not logged since the last)")]
    private partial void LogBadSignature(long suppressed);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Webhook body did not arrive within {Timeout}; answered 408 ({Suppressed} more like it not logged since the last)")]
    private partial void LogSlowBody(TimeSpan timeout, long suppressed);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Webhook body rejected: {Reason} ({Suppressed} more like it not logged since the last)")]
    private partial void LogInvalid(string reason, long suppressed);

    [LoggerMessage(Level = LogLevel.Error, Message = "Webhook could not be published; answering 503 so Genesys retries")]
    private partial void LogPublishFailed(Exception exception);

    [LoggerMessage(Level = LogLevel.Warning, Message = "State or secret store failed during {Operation} ({Suppressed} more like it not logged since the last)")]
    private partial void LogStoreFailed(Exception exception, string operation, long suppressed);
}

using System.Collections.Concurrent;
using System.Globalization;
using Microsoft.Extensions.Options;
using PolyAi.Messaging.ServiceDefaults;

namespace PolyAi.Messaging.Edge;

/// <summary>
/// Admission for the webhook route (metadata <c>"Admission": "webhook"</c>, <see cref="RouteAdmission"/>), charged by what the verifier answered:
/// <list type="bullet">
/// <item>A tenant's allowance (<c>Edge:RateLimit</c>) pays only for webhooks the verifier accepted (2xx), so traffic
/// without the tenant's secret can never use it up. Buckets exist only for tenants that have had a verified webhook.</item>
/// <item>Each client address gets a small allowance of rejected requests and of requests at once
/// (<c>Edge:UnverifiedLimit</c>): a caller that keeps getting 401/404/413/408 is answered 429 here before it costs the
/// verifier anything. An address that delivered a verified webhook recently (Genesys' egress, shared by all its
/// tenants) is exempt, so one tenant's wrong secret cannot shut out the others.</item>
/// </list>
/// Both tables are bounded (<c>MaxTenants</c>, <c>MaxClients</c>); idle entries are dropped when a table is full,
/// and a client that finds its table still full is not limited here (the verifier's own checks are cheap) rather
/// than shut out. IPv6 clients are counted per /64, what one host can usually choose from.
/// </summary>
public sealed class WebhookGate
{
    public const string MetadataValue = "webhook";

    private static readonly TimeSpan SweepEvery = TimeSpan.FromSeconds(1);

    private readonly TenantRateLimitOptions _tenantLimit;
    private readonly UnverifiedLimitOptions _clientLimit;
    private readonly TimeProvider _time;
    private readonly ConcurrentDictionary<string, TokenBucket> _tenants = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, Client> _clients = new(StringComparer.Ordinal);
    private int _tenantCount;
    private int _clientCount;
    private long _lastTenantSweep;
    private long _lastClientSweep;

    public WebhookGate(IOptions<TenantRateLimitOptions> tenantLimit, IOptions<UnverifiedLimitOptions> clientLimit, TimeProvider time)
    {
        _tenantLimit = tenantLimit.Value;
        _clientLimit = clientLimit.Value;
        _time = time;
    }

    /// <summary>Tenants with a bucket now (at most <c>MaxTenants</c>).</summary>
    public int TrackedTenants => Volatile.Read(ref _tenantCount);

    /// <summary>Client addresses with a record now (at most <c>MaxClients</c>).</summary>
    public int TrackedClients => Volatile.Read(ref _clientCount);

    public async Task InvokeAsync(HttpContext context, Func<Task> next)
    {
        if (!RouteAdmission.Is(context, MetadataValue))
        {
            await next();
            return;
        }

        var now = _time.GetTimestamp();
        var client = FindOrAddClient(RouteAdmission.ClientKey(context.Connection.RemoteIpAddress), now);
        var limited = client is not null && !client.IsTrusted(now);
        if (limited && !client!.Rejections.HasRoom(now, _time))
        {
            await RejectAsync(context, EdgeMetrics.UnverifiedLimited, client.Rejections.SecondsUntilRoom(now, _time),
                "Too many rejected requests from this address; retry later.");
            return;
        }

        if (limited && Interlocked.Increment(ref client!.InFlight) > _clientLimit.MaxInFlight)
        {
            Interlocked.Decrement(ref client.InFlight);
            await RejectAsync(context, EdgeMetrics.UnverifiedLimited, 1, "Too many requests at once from this address; retry later.");
            return;
        }

        try
        {
            var tenant = TenantOf(context);
            if (_tenants.TryGetValue(tenant, out var allowance) && !allowance.HasRoom(now, _time))
            {
                await RejectAsync(context, EdgeMetrics.RateLimited, allowance.SecondsUntilRoom(now, _time),
                    "Webhooks for this tenant arrive faster than its rate limit; retry later.");
                return;
            }

            if (CrashPoints.IsArmed)
            {
                CrashPoints.Reach(CrashPoints.EdgeWebhookBeforeForward);
                context.Response.OnStarting(() =>
                {
                    CrashPoints.Reach(CrashPoints.EdgeWebhookBeforeAnswer);
                    return Task.CompletedTask;
                });
            }

            await next();

            now = _time.GetTimestamp();
            var status = context.Response.StatusCode;
            if (status is >= 200 and < 300)
            {
                FindOrAddTenant(tenant, TenantWebhookRate.Of(context), now)?.Charge(now, _time);
                client?.Trust(now + (long)(_clientLimit.TrustedFor.TotalSeconds * _time.TimestampFrequency));
            }
            else if (limited && IsCallersFault(status))
            {
                client!.Rejections.Charge(now, _time);
            }
        }
        finally
        {
            if (limited)
            {
                Interlocked.Decrement(ref client!.InFlight);
            }
        }
    }

    // 429 is ours (or the verifier's overload), 5xx is not the caller's doing: neither is charged.
    private static bool IsCallersFault(int status) => status is >= 400 and < 500 and not StatusCodes.Status429TooManyRequests;

    private static string TenantOf(HttpContext context)
    {
        var route = context.Request.RouteValues;
        return $"{route["accountId"]}/{route["projectId"]}/{route["clientEnv"]}";
    }

    private Client? FindOrAddClient(string key, long now)
    {
        if (_clients.TryGetValue(key, out var client))
        {
            return client;
        }

        if (TrackedClients >= _clientLimit.MaxClients && !Sweep(_clients, ref _clientCount, ref _lastClientSweep, now, c => c.IsIdle(now, _time)))
        {
            EdgeMetrics.Untracked.Inc();
            return null;
        }

        var added = new Client(new TokenBucket(_clientLimit.Burst, _clientLimit.PermitsPerSecond, now));
        if (!_clients.TryAdd(key, added))
        {
            return _clients.TryGetValue(key, out client) ? client : null;
        }

        EdgeMetrics.TrackedClients.Set(Interlocked.Increment(ref _clientCount));
        return added;
    }

    /// <summary>The tenant's bucket, sized by its own allowance when the verifier named one, else by the default.</summary>
    private TokenBucket? FindOrAddTenant(string key, TenantWebhookRate? own, long now)
    {
        var (burst, perSecond) = own is { } rate ? (rate.Burst, rate.PermitsPerSecond) : (_tenantLimit.Burst, _tenantLimit.PermitsPerSecond);
        if (_tenants.TryGetValue(key, out var bucket))
        {
            if (bucket.Sized(burst, perSecond))
            {
                return bucket;
            }

            // The tenant's allowance changed (its record, or the default): a bucket of the new size, as full as the
            // old one was, replaces it.
            var resized = bucket.Resized(burst, perSecond, now, _time);
            return _tenants.TryUpdate(key, resized, bucket) ? resized : _tenants.GetValueOrDefault(key);
        }

        if (TrackedTenants >= _tenantLimit.MaxTenants && !Sweep(_tenants, ref _tenantCount, ref _lastTenantSweep, now, b => b.IsFull(now, _time)))
        {
            return null;
        }

        var added = new TokenBucket(burst, perSecond, now);
        if (!_tenants.TryAdd(key, added))
        {
            return _tenants.TryGetValue(key, out bucket) ? bucket : null;
        }

        EdgeMetrics.TrackedTenants.Set(Interlocked.Increment(ref _tenantCount));
        return added;
    }

    /// <summary>Drops the entries that carry no state any more, at most once a second; true when room was made.</summary>
    private bool Sweep<T>(ConcurrentDictionary<string, T> table, ref int count, ref long lastSweep, long now, Func<T, bool> idle)
    {
        var last = Volatile.Read(ref lastSweep);
        if (last != 0 && _time.GetElapsedTime(last, now) < SweepEvery)
        {
            return false;
        }

        if (Interlocked.CompareExchange(ref lastSweep, now, last) != last)
        {
            return false;
        }

        var removed = 0;
        foreach (var (key, value) in table)
        {
            if (idle(value) && table.TryRemove(key, out _))
            {
                removed++;
            }
        }

        var left = Interlocked.Add(ref count, -removed);
        (ReferenceEquals(table, _clients) ? EdgeMetrics.TrackedClients : EdgeMetrics.TrackedTenants).Set(left);
        return removed > 0;
    }

    private static Task RejectAsync(HttpContext context, string reason, int retryAfterSeconds, string detail)
    {
        EdgeMetrics.Reject(reason);
        context.Response.Headers.RetryAfter = retryAfterSeconds.ToString(CultureInfo.InvariantCulture);
        return TypedResults.Problem(title: "Too Many Requests", statusCode: StatusCodes.Status429TooManyRequests, detail: detail)
            .ExecuteAsync(context);
    }

    private sealed class Client(TokenBucket rejections)
    {
        private long _trustedUntil;

        public int InFlight;

        public TokenBucket Rejections { get; } = rejections;

        public bool IsTrusted(long now) => Volatile.Read(ref _trustedUntil) > now;

        public void Trust(long until) => Volatile.Write(ref _trustedUntil, until);

        public bool IsIdle(long now, TimeProvider time) => Volatile.Read(ref InFlight) == 0 && !IsTrusted(now) && Rejections.IsFull(now, time);
    }
}

using System.Diagnostics;
using System.Net;

namespace PolyAi.Messaging.LoadTest;

/// <summary>How one phase sends: flat out (closed loop) or at a fixed rate (open loop), for a duration, after a warm-up.</summary>
public sealed record LoadShape(int Connections, TimeSpan Duration, TimeSpan WarmUp, double? Rate = null)
{
    /// <summary>Fixed-rate requests waiting for a connection past this many are not sent but counted (the target fell behind).</summary>
    public int MaxOutstanding { get; init; } = 10_000;
}

/// <summary>
/// Sends signed webhooks to one URL with one client configuration for every target, so the targets compare. Flat out:
/// <c>Connections</c> loops, each sending its next request when the previous one is answered. Fixed rate: requests
/// are due at t0 + i / rate whether or not earlier ones were answered, and latency counts from when a request was due
/// (no coordinated omission: a stall shows in the percentiles instead of slowing the sender down).
/// </summary>
public sealed class WebhookLoad : IDisposable
{
    private readonly HttpClient _http;
    private readonly GenesysWebhooks _webhooks;
    private readonly Uri _url;
    private readonly Func<long, string> _conversationOf;

    /// <param name="conversationOf">The <c>channel.to.id</c> of the n-th webhook.</param>
    /// <param name="onSent">Called with (id, due timestamp) just before a webhook is sent, e.g. to time its delivery.</param>
    public WebhookLoad(Uri url, GenesysWebhooks webhooks, int connections, Func<long, string> conversationOf, Action<string, long>? onSent = null)
    {
        _url = url;
        _webhooks = webhooks;
        _conversationOf = conversationOf;
        OnSent = onSent;
        _http = new HttpClient(new SocketsHttpHandler
        {
            MaxConnectionsPerServer = connections,
            PooledConnectionLifetime = Timeout.InfiniteTimeSpan,
            PooledConnectionIdleTimeout = TimeSpan.FromMinutes(5),
            UseProxy = false,
            AllowAutoRedirect = false,
            UseCookies = false,
        })
        {
            Timeout = TimeSpan.FromSeconds(15),
            DefaultRequestVersion = HttpVersion.Version11,
        };
    }

    private Action<string, long>? OnSent { get; }

    public async Task<LoadResult> RunAsync(string name, string target, LoadShape shape, CancellationToken cancellationToken)
    {
        if (shape.WarmUp > TimeSpan.Zero)
        {
            // Same load, thrown away: JIT tiers up and connections open before anything is counted.
            await RunPhaseAsync(new LoadResult(name, target), shape with { Duration = shape.WarmUp }, cancellationToken);
        }

        var result = new LoadResult(name, target) { Rate = shape.Rate, Connections = shape.Connections };
        result.Duration = await RunPhaseAsync(result, shape, cancellationToken);
        return result;
    }

    public void Dispose() => _http.Dispose();

    private async Task<TimeSpan> RunPhaseAsync(LoadResult result, LoadShape shape, CancellationToken cancellationToken)
    {
        var started = Stopwatch.GetTimestamp();
        var end = started + (long)(shape.Duration.TotalSeconds * Stopwatch.Frequency);
        if (shape.Rate is { } rate)
        {
            await FixedRateAsync(result, rate, started, end, shape.MaxOutstanding, cancellationToken);
        }
        else
        {
            await Task.WhenAll(Enumerable.Range(0, shape.Connections).Select(_ => Task.Run(() => FlatOutAsync(result, end, cancellationToken), cancellationToken)));
        }

        return Stopwatch.GetElapsedTime(started);
    }

    private async Task FlatOutAsync(LoadResult result, long end, CancellationToken cancellationToken)
    {
        var n = 0L;
        while (Stopwatch.GetTimestamp() < end && !cancellationToken.IsCancellationRequested)
        {
            await SendAsync(result, Stopwatch.GetTimestamp(), n++, cancellationToken);
        }
    }

    private async Task FixedRateAsync(LoadResult result, double rate, long started, long end, int maxOutstanding, CancellationToken cancellationToken)
    {
        var inFlight = new List<Task>();
        var outstanding = 0;
        long sent = 0;
        var interval = Stopwatch.Frequency / rate;
        while (!cancellationToken.IsCancellationRequested)
        {
            var now = Stopwatch.GetTimestamp();
            if (now >= end)
            {
                break;
            }

            // Everything due by now goes out, each timed from its own due time.
            var due = (long)((now - started) / interval) + 1;
            for (; sent < due; sent++)
            {
                var dueAt = started + (long)(sent * interval);
                if (Volatile.Read(ref outstanding) >= maxOutstanding)
                {
                    result.CountUnsent();
                    continue;
                }

                Interlocked.Increment(ref outstanding);
                var n = sent;
                inFlight.Add(Task.Run(async () =>
                {
                    try
                    {
                        await SendAsync(result, dueAt, n, cancellationToken);
                    }
                    finally
                    {
                        Interlocked.Decrement(ref outstanding);
                    }
                }, cancellationToken));
            }

            if (inFlight.Count > 4096)
            {
                inFlight.RemoveAll(t => t.IsCompleted);
            }

            var next = started + (long)(sent * interval);
            var wait = TimeSpan.FromSeconds((next - Stopwatch.GetTimestamp()) / (double)Stopwatch.Frequency);
            if (wait > TimeSpan.FromMilliseconds(1))
            {
                await Task.Delay(wait, cancellationToken);
            }
            else
            {
                await Task.Yield();
            }
        }

        await Task.WhenAll(inFlight);
    }

    private async Task SendAsync(LoadResult result, long dueAt, long n, CancellationToken cancellationToken)
    {
        var id = _webhooks.NextId();
        var body = _webhooks.TextBody(id, _conversationOf(n), DateTimeOffset.UtcNow);
        using var request = _webhooks.Request(_url, body);
        OnSent?.Invoke(id, dueAt);
        try
        {
            using var response = await _http.SendAsync(request, HttpCompletionOption.ResponseContentRead, cancellationToken);
            result.Latency.Record(Stopwatch.GetElapsedTime(dueAt));
            result.Count((int)response.StatusCode);
        }
        catch (HttpRequestException)
        {
            result.CountError();
        }
        catch (TaskCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            result.CountError();
        }
    }
}

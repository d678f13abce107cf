using System.Collections.Concurrent;
using Microsoft.Extensions.Options;

namespace PolyAi.Messaging.Edge;

/// <summary>
/// Caps the event streams one client address keeps open through this edge (routes with metadata
/// <c>"Admission": "stream"</c>, section <c>Edge:StreamLimit</c>): past <c>MaxPerClient</c> the next is answered 429
/// here. The agent caps streams per conversation behind it; this stops one address opening streams for many
/// conversations. Addresses are counted by <see cref="RouteAdmission.ClientKey"/> (IPv6 per /64); an address is in
/// the table only while it has a stream open, so the table is never larger than the open connections.
/// </summary>
public sealed class StreamGate(IOptions<StreamLimitOptions> options)
{
    public const string MetadataValue = "stream";

    private readonly ConcurrentDictionary<string, int> _open = new(StringComparer.Ordinal);

    /// <summary>Addresses with at least one stream open through this edge now.</summary>
    public int Clients => _open.Count;

    public async Task InvokeAsync(HttpContext context, Func<Task> next)
    {
        if (!RouteAdmission.Is(context, MetadataValue))
        {
            await next();
            return;
        }

        var client = RouteAdmission.ClientKey(context.Connection.RemoteIpAddress);
        if (!TryOpen(client))
        {
            EdgeMetrics.Reject(EdgeMetrics.StreamsLimited);
            context.Response.Headers.RetryAfter = "5";
            await TypedResults.Problem(
                    title: "Too Many Requests",
                    statusCode: StatusCodes.Status429TooManyRequests,
                    detail: $"This address has {options.Value.MaxPerClient} event streams open; close one to open another.")
                .ExecuteAsync(context);
            return;
        }

        EdgeMetrics.StreamsOpen.Inc();
        try
        {
            await next();
        }
        finally
        {
            EdgeMetrics.StreamsOpen.Dec();
            Close(client);
        }
    }

    private bool TryOpen(string client)
    {
        while (true)
        {
            if (!_open.TryGetValue(client, out var open))
            {
                if (_open.TryAdd(client, 1))
                {
                    return true;
                }

                continue;
            }

            if (open >= options.Value.MaxPerClient)
            {
                return false;
            }

            if (_open.TryUpdate(client, open + 1, open))
            {
                return true;
            }
        }
    }

    private void Close(string client)
    {
        while (true)
        {
            var open = _open[client];
            if (open == 1
                ? _open.TryRemove(new KeyValuePair<string, int>(client, 1))
                : _open.TryUpdate(client, open - 1, open))
            {
                return;
            }
        }
    }
}

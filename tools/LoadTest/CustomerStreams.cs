using System.Collections.Concurrent;
using System.Diagnostics;
using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json;

namespace PolyAi.Messaging.LoadTest;

/// <summary>
/// Customers on the chat API through the edge, each with its Server-Sent Events stream open, timing every human
/// agent message from the moment its webhook was due to the moment it arrives on the customer's stream.
/// </summary>
public sealed class CustomerStreams : IAsyncDisposable
{
    private readonly HttpClient _http;
    private readonly CancellationTokenSource _stop = new();
    private readonly ConcurrentDictionary<string, (long DueAt, LatencyHistogram Into)> _awaited = new();
    private readonly List<Task> _readers = [];

    private CustomerStreams(HttpClient http) => _http = http;

    public IReadOnlyList<string> ConversationIds { get; private set; } = [];

    /// <summary>Where deliveries of the webhooks sent from now on are recorded.</summary>
    public LatencyHistogram Current { get; set; } = new();

    /// <summary>Starts <paramref name="count"/> conversations for <paramref name="tenant"/> and waits until every stream is open.</summary>
    public static async Task<CustomerStreams> OpenAsync(Uri edge, string tenant, int count, CancellationToken cancellationToken)
    {
        var http = new HttpClient(new SocketsHttpHandler { UseProxy = false, MaxConnectionsPerServer = int.MaxValue })
        {
            BaseAddress = edge,
            Timeout = Timeout.InfiniteTimeSpan,
        };
        var streams = new CustomerStreams(http);
        var ids = new List<string>();
        var opened = new List<Task>();
        for (var i = 0; i < count; i++)
        {
            using var created = await http.PostAsJsonAsync(
                $"v1/chat/{tenant}/conversations", new { customer = new { firstName = "Load", lastName = $"Test {i}" }, locale = "en" }, cancellationToken);
            if (created.StatusCode != HttpStatusCode.Created)
            {
                throw new InvalidOperationException($"Creating a conversation answered {(int)created.StatusCode}: {await created.Content.ReadAsStringAsync(cancellationToken)}");
            }

            var conversation = await created.Content.ReadFromJsonAsync<JsonElement>(cancellationToken);
            var id = conversation.GetProperty("conversationId").GetString()!;
            var token = conversation.GetProperty("token").GetString()!;
            ids.Add(id);
            var open = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            streams._readers.Add(streams.ReadAsync(id, token, open));
            opened.Add(open.Task);
        }

        streams.ConversationIds = ids;
        await Task.WhenAll(opened).WaitAsync(TimeSpan.FromSeconds(30), cancellationToken);
        return streams;
    }

    /// <summary>Call just before a webhook for one of these conversations is sent.</summary>
    public void Sent(string notificationId, long dueAt) => _awaited[notificationId] = (dueAt, Current);

    /// <summary>How many messages sent while <paramref name="into"/> was current have not arrived yet.</summary>
    public int Outstanding(LatencyHistogram into) => _awaited.Count(a => a.Value.Into == into);

    /// <summary>Waits until every message recorded into <paramref name="into"/> has arrived, or <paramref name="within"/> passes.</summary>
    public async Task<int> DrainAsync(LatencyHistogram into, TimeSpan within, CancellationToken cancellationToken)
    {
        var deadline = Stopwatch.GetTimestamp() + (long)(within.TotalSeconds * Stopwatch.Frequency);
        while (Outstanding(into) > 0 && Stopwatch.GetTimestamp() < deadline)
        {
            await Task.Delay(50, cancellationToken);
        }

        return Outstanding(into);
    }

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        foreach (var reader in _readers)
        {
            try
            {
                await reader;
            }
            catch (Exception e) when (e is OperationCanceledException or HttpRequestException or IOException)
            {
            }
        }

        _stop.Dispose();
        _http.Dispose();
    }

    private async Task ReadAsync(string conversationId, string token, TaskCompletionSource open)
    {
        try
        {
            using var request = new HttpRequestMessage(HttpMethod.Get, $"v1/chat/conversations/{conversationId}/events");
            request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token);
            request.Headers.Accept.Add(new MediaTypeWithQualityHeaderValue("text/event-stream"));
            using var response = await _http.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, _stop.Token);
            response.EnsureSuccessStatusCode();
            open.TrySetResult();
            using var reader = new StreamReader(await response.Content.ReadAsStreamAsync(_stop.Token));
            string? type = null;
            while (await reader.ReadLineAsync(_stop.Token) is { } line)
            {
                if (line.Length == 0)
                {
                    type = null;
                }
                else if (line.StartsWith("event:", StringComparison.Ordinal))
                {
                    type = line[6..].Trim();
                }
                else if (line.StartsWith("data:", StringComparison.Ordinal) && type is null or "message")
                {
                    Arrived(line.AsSpan(5));
                }
            }
        }
        catch (Exception e) when (!_stop.IsCancellationRequested)
        {
            open.TrySetException(e);
        }
    }

    private void Arrived(ReadOnlySpan<char> data)
    {
        var arrivedAt = Stopwatch.GetTimestamp();
        using var message = JsonDocument.Parse(data.ToString());
        if (message.RootElement.TryGetProperty("role", out var role) && role.GetString() == "agent"
            && message.RootElement.TryGetProperty("id", out var id) && id.GetString() is { } notificationId
            && _awaited.TryRemove(notificationId, out var sent))
        {
            sent.Into.Record(Stopwatch.GetElapsedTime(sent.DueAt, arrivedAt));
        }
    }
}

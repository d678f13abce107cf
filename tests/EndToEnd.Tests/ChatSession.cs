using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json;

namespace PolyAi.Messaging.EndToEnd.Tests;

/// <summary>One customer on the chat API through the edge, with its Server-Sent Events stream read in the background.</summary>
public sealed class ChatSession : IAsyncDisposable
{
    private readonly HttpClient _http;
    private readonly CancellationTokenSource _stop = new();
    private readonly List<ChatEvent> _events = [];
    private Task? _reader;

    private readonly bool _reconnect;
    private int _reconnects;

    private ChatSession(HttpClient http, string conversationId, string token, bool reconnect)
    {
        _http = http;
        ConversationId = conversationId;
        Token = token;
        _reconnect = reconnect;
    }

    /// <summary>Times the stream was opened again after it broke (with <c>Last-Event-ID</c>, as a browser's EventSource does).</summary>
    public int Reconnects => Volatile.Read(ref _reconnects);

    public string ConversationId { get; }

    public string Token { get; }

    private string? LastEventId { get; set; }

    public IReadOnlyList<ChatEvent> Events
    {
        get
        {
            lock (_events)
            {
                return _events.ToList();
            }
        }
    }

    /// <summary>Where an event stands in the stream (-1 if it has not arrived).</summary>
    public int IndexOf(ChatEvent e)
    {
        lock (_events)
        {
            return _events.IndexOf(e);
        }
    }

    public IEnumerable<ChatEvent> Messages(string role) => Events.Where(e => e.Type == "message" && e.Data.GetProperty("role").GetString() == role);

    public IEnumerable<string> HandoffStatuses => Events.Where(e => e.Type == "handoff").Select(e => e.Data.GetProperty("status").GetString()!);

    /// <param name="reconnect">Open the stream again when it breaks (a replica died), resuming after the last event id.</param>
    public static async Task<ChatSession> StartAsync(Uri edge, string tenantPath, object? customer = null, bool reconnect = false)
    {
        var http = new HttpClient { BaseAddress = edge, Timeout = Timeout.InfiniteTimeSpan };
        using var response = await http.PostAsJsonAsync($"v1/chat/{tenantPath}/conversations", new { customer = customer ?? new { firstName = "Ada", lastName = "Lovelace" }, locale = "en" });
        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
        var created = await response.Content.ReadFromJsonAsync<JsonElement>();
        var session = new ChatSession(http, created.GetProperty("conversationId").GetString()!, created.GetProperty("token").GetString()!, reconnect);
        session._reader = reconnect ? session.ReadEventsReconnectingAsync() : session.ReadEventsAsync();
        return session;
    }

    public async Task<string> SendAsync(string text)
    {
        using var request = Authorized(HttpMethod.Post, $"v1/chat/conversations/{ConversationId}/messages");
        request.Content = JsonContent.Create(new { text });
        using var response = await _http.SendAsync(request);
        Assert.Equal(HttpStatusCode.Accepted, response.StatusCode);
        return (await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("messageId").GetString()!;
    }

    /// <summary>Sends without asserting: the status (null when no answer came at all, e.g. the replica died mid-request).</summary>
    public async Task<HttpStatusCode?> TrySendAsync(string text)
    {
        try
        {
            using var request = Authorized(HttpMethod.Post, $"v1/chat/conversations/{ConversationId}/messages");
            request.Content = JsonContent.Create(new { text });
            using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(15));
            using var response = await _http.SendAsync(request, timeout.Token);
            return response.StatusCode;
        }
        catch (Exception e) when (e is HttpRequestException or IOException or TaskCanceledException)
        {
            return null;
        }
    }

    public async Task EndAsync()
    {
        using var request = Authorized(HttpMethod.Post, $"v1/chat/conversations/{ConversationId}/end");
        using var response = await _http.SendAsync(request);
        Assert.Equal(HttpStatusCode.NoContent, response.StatusCode);
    }

    public async Task<IReadOnlyList<JsonElement>> TranscriptAsync()
    {
        using var request = Authorized(HttpMethod.Get, $"v1/chat/conversations/{ConversationId}/messages");
        using var response = await _http.SendAsync(request);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var body = await response.Content.ReadFromJsonAsync<JsonElement>();
        var messages = body.ValueKind == JsonValueKind.Array ? body : body.GetProperty("messages");
        return messages.EnumerateArray().ToList();
    }

    /// <summary>Waits until an event matching <paramref name="match"/> has arrived on the stream.</summary>
    public Task<ChatEvent> WaitForAsync(Func<ChatEvent, bool> match, string what, TimeSpan? within = null) =>
        Eventually.Until(
            () => Task.FromResult(Events.FirstOrDefault(match)),
            e => e is not null,
            within ?? TimeSpan.FromSeconds(30),
            _ => $"no {what} on the stream; saw: {string.Join(" | ", Events.Select(e => $"{e.Type} {e.Data}"))}")!;

    public Task<ChatEvent> WaitForHandoffAsync(string status) =>
        WaitForAsync(e => e.Type == "handoff" && e.Data.GetProperty("status").GetString() == status, $"handoff {status}");

    public Task<ChatEvent> WaitForMessageAsync(string role, Func<string, bool>? text = null) =>
        WaitForAsync(
            e => e.Type == "message" && e.Data.GetProperty("role").GetString() == role && (text?.Invoke(e.Data.GetProperty("text").GetString()!) ?? true),
            $"{role} message");

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        if (_reader is not null)
        {
            try
            {
                await _reader;
            }
            catch (OperationCanceledException)
            {
            }
        }

        _stop.Dispose();
        _http.Dispose();
    }

    private HttpRequestMessage Authorized(HttpMethod method, string path)
    {
        var request = new HttpRequestMessage(method, path);
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", Token);
        return request;
    }

    private async Task ReadEventsReconnectingAsync()
    {
        while (!_stop.IsCancellationRequested)
        {
            try
            {
                await ReadEventsAsync();
            }
            catch (Exception e) when (e is HttpRequestException or IOException && !_stop.IsCancellationRequested)
            {
                // The replica serving the stream died, or the edge did: open it again, as EventSource does (retry: 2000).
            }

            await Task.Delay(TimeSpan.FromMilliseconds(500), _stop.Token);
            Interlocked.Increment(ref _reconnects);
        }
    }

    private async Task ReadEventsAsync()
    {
        using var request = Authorized(HttpMethod.Get, $"v1/chat/conversations/{ConversationId}/events");
        if (LastEventId is { } resumeAfter)
        {
            request.Headers.Add("Last-Event-ID", resumeAfter);
        }

        request.Headers.Accept.Add(new MediaTypeWithQualityHeaderValue("text/event-stream"));
        using var response = await _http.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, _stop.Token);
        response.EnsureSuccessStatusCode();
        using var reader = new StreamReader(await response.Content.ReadAsStreamAsync(_stop.Token));
        string? id = null, type = null;
        var data = new List<string>();
        while (await reader.ReadLineAsync(_stop.Token) is { } line)
        {
            if (line.Length == 0)
            {
                if (data.Count > 0)
                {
                    lock (_events)
                    {
                        _events.Add(new ChatEvent(id, type ?? "message", JsonDocument.Parse(string.Join("\n", data)).RootElement.Clone()));
                        LastEventId = id ?? LastEventId;
                    }
                }

                (id, type) = (null, null);
                data.Clear();
            }
            else if (line.StartsWith("id:", StringComparison.Ordinal))
            {
                id = line[3..].Trim();
            }
            else if (line.StartsWith("event:", StringComparison.Ordinal))
            {
                type = line[6..].Trim();
            }
            else if (line.StartsWith("data:", StringComparison.Ordinal))
            {
                data.Add(line[5..].TrimStart());
            }
        }
    }
}

public sealed record ChatEvent(string? Id, string Type, JsonElement Data);

using System.Collections.Concurrent;
using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using PolyAi.Messaging.Contracts;

namespace PolyAi.Messaging.Testing;

/// <summary>A webchat customer: creates a conversation and talks through the chat API with its token.</summary>
public sealed class ChatClient(HttpClient http, string conversationId, string token)
{
    public string ConversationId { get; } = conversationId;

    public string Token { get; } = token;

    public static async Task<ChatClient> StartAsync(HttpClient http, TenantKey tenant, object? body = null)
    {
        using var response = await http.PostAsJsonAsync(
            new Uri($"/v1/chat/{tenant.AccountId}/{tenant.ProjectId}/{tenant.ClientEnv}/conversations", UriKind.Relative),
            body ?? new { customer = new { firstName = "Ada", lastName = "Lovelace", email = "ada@example.com" }, locale = "en-GB" });
        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
        var created = await response.Content.ReadFromJsonAsync<JsonElement>();
        return new ChatClient(http, created.GetProperty("conversationId").GetString()!, created.GetProperty("token").GetString()!);
    }

    public ChatClient On(HttpClient other) => new(other, ConversationId, Token);

    public Task<HttpResponseMessage> SendAsync(string text) =>
        PostAsync("messages", new StringContent(JsonSerializer.Serialize(new { text }), Encoding.UTF8, "application/json"));

    public async Task<HttpResponseMessage> PostAsync(string what, HttpContent? content = null, string? token = null)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, $"/v1/chat/conversations/{ConversationId}/{what}") { Content = content };
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token ?? Token);
        return await http.SendAsync(request);
    }

    public async Task<IReadOnlyList<JsonElement>> TranscriptAsync()
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, $"/v1/chat/conversations/{ConversationId}/messages");
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", Token);
        using var response = await http.SendAsync(request);
        response.EnsureSuccessStatusCode();
        var body = await response.Content.ReadFromJsonAsync<JsonElement>();
        return body.GetProperty("messages").EnumerateArray().ToList();
    }

    public Task<EventStream> StreamAsync(string? lastEventId = null) => EventStream.OpenAsync(http, ConversationId, Token, lastEventId);
}

/// <summary>One SSE event as the browser's EventSource would see it.</summary>
public sealed record SseEvent(long Id, string Type, JsonElement Data)
{
    public string? Get(string property) => Data.TryGetProperty(property, out var value) ? value.GetString() : null;
}

/// <summary>An open <c>/events</c> stream, read in the background; tests wait on what it has seen.</summary>
public sealed class EventStream : IAsyncDisposable
{
    private readonly CancellationTokenSource _stop = new();
    private readonly HttpResponseMessage _response;
    private readonly Task _reading;

    private EventStream(HttpResponseMessage response)
    {
        _response = response;
        _reading = Task.Run(ReadAsync);
    }

    public ConcurrentQueue<SseEvent> Events { get; } = new();

    public int Comments { get; private set; }

    public static async Task<EventStream> OpenAsync(HttpClient http, string conversationId, string token, string? lastEventId)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, $"/v1/chat/conversations/{conversationId}/events");
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token);
        if (lastEventId is not null)
        {
            request.Headers.Add("Last-Event-ID", lastEventId);
        }

        var response = await http.SendAsync(request, HttpCompletionOption.ResponseHeadersRead);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("text/event-stream", response.Content.Headers.ContentType?.MediaType);
        return new EventStream(response);
    }

    public Task<SseEvent> WaitForAsync(string type, Func<SseEvent, bool>? where = null, string? what = null) =>
        Eventually.UntilSeen(
            () => Events.FirstOrDefault(e => e.Type == type && (where?.Invoke(e) ?? true)),
            e => e is not null,
            what ?? $"an SSE {type} event")!;

    public Task<SseEvent> WaitForMessageAsync(string role, string? containing = null) =>
        WaitForAsync("message", e => e.Get("role") == role && (containing is null || e.Get("text")!.Contains(containing, StringComparison.Ordinal)),
            $"a {role} message{(containing is null ? "" : $" containing '{containing}'")}");

    private async Task ReadAsync()
    {
        try
        {
            using var reader = new StreamReader(await _response.Content.ReadAsStreamAsync(_stop.Token));
            long id = 0;
            string? type = null;
            var data = new StringBuilder();
            while (await reader.ReadLineAsync(_stop.Token) is { } line)
            {
                if (line.Length == 0)
                {
                    if (type is not null)
                    {
                        Events.Enqueue(new SseEvent(id, type, JsonDocument.Parse(data.ToString()).RootElement.Clone()));
                    }

                    type = null;
                    data.Clear();
                }
                else if (line.StartsWith(':'))
                {
                    Comments++;
                }
                else if (line.StartsWith("id: ", StringComparison.Ordinal))
                {
                    id = long.Parse(line[4..], System.Globalization.CultureInfo.InvariantCulture);
                }
                else if (line.StartsWith("event: ", StringComparison.Ordinal))
                {
                    type = line[7..];
                }
                else if (line.StartsWith("data: ", StringComparison.Ordinal))
                {
                    data.Append(line[6..]);
                }
            }
        }
        catch (Exception) when (_stop.IsCancellationRequested)
        {
        }
    }

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        _response.Dispose();
        try
        {
            await _reading;
        }
        catch (Exception)
        {
            // The stream was torn down under the reader.
        }

        _stop.Dispose();
    }
}

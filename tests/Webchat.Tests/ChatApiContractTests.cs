using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using PolyAi.Messaging.Contracts;
using PolyAi.Messaging.Webchat.Tests.Support;

namespace PolyAi.Messaging.Webchat.Tests;

/// <summary>
/// Most widget tests run against <see cref="FakeChatApi"/>, which scripts what the AI and the agent do. This checks the
/// fake against the real chat API (the agent behind the real edge, in the real stack): the same requests give the same
/// status codes, content types, JSON shapes and stream framing. A change to the real API that the fake does not follow
/// fails here, not silently in the widget tests.
/// </summary>
[Collection(RealStackCollection.Name)]
public sealed class ChatApiContractTests(RealStackFixture real) : IAsyncLifetime
{
    private FakeChatApi _fake = null!;

    public async Task InitializeAsync() => _fake = await FakeChatApi.StartAsync();

    public async Task DisposeAsync() => await _fake.DisposeAsync();

    [Fact]
    public async Task The_scripted_chat_api_answers_every_widget_call_in_the_shape_the_real_one_does()
    {
        using var toReal = new HttpClient { BaseAddress = real.Stack.EdgeUrl, Timeout = TimeSpan.FromSeconds(15) };
        using var toFake = new HttpClient { BaseAddress = _fake.Address, Timeout = TimeSpan.FromSeconds(15) };

        var realShape = await ShapeOfAsync(toReal, RealStackFixture.PatientTenant);
        var fakeShape = await ShapeOfAsync(toFake, new TenantKey("ACCOUNT-contract", "PROJECT-web", "live"));

        Assert.Equal(realShape, fakeShape);
    }

    /// <summary>What the widget does in a session, each answer reduced to what the widget relies on.</summary>
    private static async Task<List<string>> ShapeOfAsync(HttpClient http, TenantKey tenant)
    {
        var shape = new List<string>();

        using var created = await http.PostAsync(
            new Uri($"/v1/chat/{tenant.AccountId}/{tenant.ProjectId}/{tenant.ClientEnv}/conversations", UriKind.Relative),
            Json("""{"customer":{"firstName":"Ada"},"locale":"en-GB"}"""));
        var start = await DescribeAsync("start", created, shape);
        var id = start.GetProperty("conversationId").GetString()!;
        var token = start.GetProperty("token").GetString()!;
        var conversation = $"/v1/chat/conversations/{id}";

        shape.Add("no token: " + await StatusAsync(http, HttpMethod.Post, conversation + "/messages", null, Json("""{"text":"hi"}""")));
        shape.Add("wrong token: " + await StatusAsync(http, HttpMethod.Get, conversation + "/messages", "not-the-token", null));
        shape.Add("empty text: " + await StatusAsync(http, HttpMethod.Post, conversation + "/messages", token, Json("""{"text":""}""")));

        using (var sent = await SendAsync(http, HttpMethod.Post, conversation + "/messages", token, Json("""{"text":"Where is my order?"}""")))
        {
            await DescribeAsync("message", sent, shape);
        }

        shape.Add("typing: " + await StatusAsync(http, HttpMethod.Post, conversation + "/typing", token, null));

        using (var transcript = await SendAsync(http, HttpMethod.Get, conversation + "/messages", token, null))
        {
            var body = await DescribeAsync("transcript", transcript, shape);
            shape.Add("transcript status: " + body.GetProperty("status").GetString());
            shape.Add("transcript has the customer's message: " +
                body.GetProperty("messages").EnumerateArray().Any(m => m.GetProperty("role").GetString() == "customer" && m.GetProperty("text").GetString() == "Where is my order?"));
        }

        shape.AddRange(await StreamShapeAsync(http, conversation + "/events", token));

        shape.Add("end: " + await StatusAsync(http, HttpMethod.Post, conversation + "/end", token, null));
        using (var ended = await SendAsync(http, HttpMethod.Get, conversation + "/messages", token, null))
        {
            var body = JsonDocument.Parse(await ended.Content.ReadAsStringAsync()).RootElement;
            shape.Add("after end, status: " + body.GetProperty("status").GetString());
        }

        return shape;
    }

    /// <summary>The stream's framing and its first <c>message</c> event's shape (ids numeric, data JSON).</summary>
    private static async Task<List<string>> StreamShapeAsync(HttpClient http, string path, string token)
    {
        using var request = Request(HttpMethod.Get, path, token, null);
        using var response = await http.SendAsync(request, HttpCompletionOption.ResponseHeadersRead);
        var shape = new List<string> { $"events: {(int)response.StatusCode} {response.Content.Headers.ContentType?.MediaType}" };
        using var reader = new StreamReader(await response.Content.ReadAsStreamAsync());
        using var deadline = new CancellationTokenSource(TimeSpan.FromSeconds(15));

        var fields = new Dictionary<string, string>();
        var sawRetry = false;
        while (await reader.ReadLineAsync(deadline.Token) is { } line)
        {
            if (line.Length == 0)
            {
                if (fields.TryGetValue("event", out var type) && type == "message")
                {
                    shape.Add("event id numeric: " + long.TryParse(fields.GetValueOrDefault("id"), out _));
                    shape.Add("message event data: " + Describe(JsonDocument.Parse(fields["data"]).RootElement));
                    break;
                }

                fields.Clear();
                continue;
            }

            var colon = line.IndexOf(':', StringComparison.Ordinal);
            var (name, value) = colon < 0 ? (line, "") : (line[..colon], line[(colon + 1)..].TrimStart());
            if (name == "retry")
            {
                sawRetry = int.TryParse(value, out _);
            }
            else if (name.Length > 0)
            {
                fields[name] = value;
            }
        }

        shape.Add("stream sets a reconnect delay: " + sawRetry);
        return shape;
    }

    private static async Task<JsonElement> DescribeAsync(string what, HttpResponseMessage response, List<string> shape)
    {
        var body = JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement;
        shape.Add($"{what}: {(int)response.StatusCode} {response.Content.Headers.ContentType?.MediaType} {Describe(body)}");
        return body;
    }

    private static async Task<string> StatusAsync(HttpClient http, HttpMethod method, string path, string? token, HttpContent? content)
    {
        using var response = await SendAsync(http, method, path, token, content);
        var body = await response.Content.ReadAsStringAsync();
        var problem = body.Length > 0 && response.Content.Headers.ContentType?.MediaType == "application/problem+json"
            ? " status field " + JsonDocument.Parse(body).RootElement.GetProperty("status").GetInt32()
            : "";
        return $"{(int)response.StatusCode} {response.Content.Headers.ContentType?.MediaType ?? "(no body)"}{problem}";
    }

    private static Task<HttpResponseMessage> SendAsync(HttpClient http, HttpMethod method, string path, string? token, HttpContent? content) =>
        http.SendAsync(Request(method, path, token, content));

    private static HttpRequestMessage Request(HttpMethod method, string path, string? token, HttpContent? content)
    {
        var request = new HttpRequestMessage(method, new Uri(path, UriKind.Relative)) { Content = content };
        if (token is not null)
        {
            request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token);
        }

        return request;
    }

    private static StringContent Json(string json) => new(json, Encoding.UTF8, "application/json");

    /// <summary>Property names and JSON kinds, recursively; an array by its first item's shape.</summary>
    private static string Describe(JsonElement element) => element.ValueKind switch
    {
        JsonValueKind.Object => "{" + string.Join(", ", element.EnumerateObject().OrderBy(p => p.Name, StringComparer.Ordinal)
            .Select(p => $"{p.Name}: {Describe(p.Value)}")) + "}",
        JsonValueKind.Array => "[" + (element.GetArrayLength() == 0 ? "" : Describe(element[0])) + "]",
        JsonValueKind.String => "string",
        JsonValueKind.Number => "number",
        JsonValueKind.True or JsonValueKind.False => "bool",
        _ => element.ValueKind.ToString().ToLowerInvariant(),
    };
}

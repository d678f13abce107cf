using System.Net.Http.Headers;
using System.Text;
using System.Text.Json.Nodes;

namespace PolyAi.Messaging.GenesysSimulator.Tests.Support;

/// <summary>A deliberately plain HTTP caller: what a Genesys client sends on the wire, nothing more.</summary>
internal sealed class GenesysClient(Uri baseUrl) : IDisposable
{
    private readonly HttpClient _http = new() { BaseAddress = baseUrl };

    public string? Token { get; set; }

    public static async Task<GenesysClient> LoginAsync(Uri baseUrl, string clientId, string secret)
    {
        var client = new GenesysClient(baseUrl);
        using var response = await client.RequestTokenAsync(clientId, secret);
        response.EnsureSuccessStatusCode();
        client.Token = (string?)(await Body(response))["access_token"];
        return client;
    }

    public Task<HttpResponseMessage> RequestTokenAsync(string clientId, string secret, string form = "grant_type=client_credentials")
    {
        var request = new HttpRequestMessage(HttpMethod.Post, "oauth/token")
        {
            Content = new StringContent(form, Encoding.UTF8, "application/x-www-form-urlencoded"),
        };
        request.Headers.Authorization = new AuthenticationHeaderValue("Basic", Convert.ToBase64String(Encoding.Latin1.GetBytes($"{clientId}:{secret}")));
        return _http.SendAsync(request);
    }

    public Task<HttpResponseMessage> SendAsync(HttpMethod method, string path, string? json = null)
    {
        var request = new HttpRequestMessage(method, path.TrimStart('/'));
        if (json is not null)
        {
            request.Content = new StringContent(json, Encoding.UTF8, "application/json");
        }

        if (Token is not null)
        {
            request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", Token);
        }

        return _http.SendAsync(request);
    }

    public Task<HttpResponseMessage> GetAsync(string path) => SendAsync(HttpMethod.Get, path);

    public Task<HttpResponseMessage> PostAsync(string path, JsonNode body) => SendAsync(HttpMethod.Post, path, body.ToJsonString());

    public Task<HttpResponseMessage> PostAsync(string path, string body) => SendAsync(HttpMethod.Post, path, body);

    /// <summary>Sends and returns the JSON answer, failing the test on a non-2xx status.</summary>
    public async Task<JsonObject> OkAsync(HttpMethod method, string path, JsonNode? body = null)
    {
        using var response = await SendAsync(method, path, body?.ToJsonString());
        var text = await response.Content.ReadAsStringAsync();
        Assert.True(response.IsSuccessStatusCode, $"{method} {path} answered {(int)response.StatusCode}: {text}");
        return text.Length == 0 ? [] : JsonNode.Parse(text)!.AsObject();
    }

    public static async Task<JsonObject> Body(HttpResponseMessage response) =>
        JsonNode.Parse(await response.Content.ReadAsStringAsync())!.AsObject();

    public void Dispose() => _http.Dispose();
}

using System.Net;
using System.Net.Http.Headers;
using System.Net.Sockets;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.AspNetCore.TestHost;
using Microsoft.Extensions.DependencyInjection;

namespace PolyAi.Messaging.Edge.Tests.Support;

/// <summary>The edge on Kestrel (a free 127.0.0.1 port), its verifier and agent destinations set through configuration.</summary>
public sealed class EdgeInstance : IAsyncDisposable
{
    private readonly WebApplicationFactory<Program> _factory;

    private EdgeInstance(WebApplicationFactory<Program> factory, Uri address)
    {
        _factory = factory;
        Http = new HttpClient { BaseAddress = address };
    }

    public HttpClient Http { get; }

    public IServiceProvider Services => _factory.Services;

    /// <summary>A client whose connections come from <paramref name="source"/> (any 127.x.y.z works on Linux' loopback), so a test can play several addresses.</summary>
    public HttpClient ClientFrom(IPAddress source)
    {
        var handler = new SocketsHttpHandler
        {
            ConnectCallback = async (context, cancellationToken) =>
            {
                var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
                try
                {
                    socket.Bind(new IPEndPoint(source, 0));
                    await socket.ConnectAsync(context.DnsEndPoint, cancellationToken);
                    return new NetworkStream(socket, ownsSocket: true);
                }
                catch
                {
                    socket.Dispose();
                    throw;
                }
            },
        };
        return new HttpClient(handler) { BaseAddress = Http.BaseAddress };
    }

    /// <param name="time">The edge's clock (its webhook and stream gates); a fake one makes their limits exact.</param>
    public static EdgeInstance Start(Uri verifier, IReadOnlyDictionary<string, string>? settings = null, Uri? agent = null, TimeProvider? time = null)
    {
        var port = FreePort.Pick();
        var factory = new WebApplicationFactory<Program>().WithWebHostBuilder(web =>
        {
            web.UseSetting("urls", $"http://127.0.0.1:{port}");
            web.UseSetting("ReverseProxy:Clusters:verifier:Destinations:primary:Address", verifier.ToString());
            if (agent is not null)
            {
                web.UseSetting("ReverseProxy:Clusters:agent:Destinations:primary:Address", agent.ToString());
            }

            if (time is not null)
            {
                web.ConfigureTestServices(services => services.AddSingleton(time));
            }

            foreach (var (key, value) in settings ?? new Dictionary<string, string>())
            {
                web.UseSetting(key, value);
            }
        });
        factory.UseKestrel();
        factory.StartServer();
        return new EdgeInstance(factory, new Uri($"http://127.0.0.1:{port}"));
    }

    public static string WebhookPath(string accountId, string projectId = "support-bot", string clientEnv = "prod") =>
        $"/webhooks/genesys/{accountId}/{projectId}/{clientEnv}/events";

    public static HttpRequestMessage Webhook(string path, HttpContent content, string signature = "sha256=c2lnbmF0dXJlIGlzIGNoZWNrZWQgYnkgdGhlIHZlcmlmaWVy")
    {
        content.Headers.ContentType = new MediaTypeHeaderValue("application/json");
        var request = new HttpRequestMessage(HttpMethod.Post, new Uri(path, UriKind.Relative)) { Content = content };
        request.Headers.TryAddWithoutValidation("X-Hub-Signature-256", signature);
        return request;
    }

    public async ValueTask DisposeAsync()
    {
        Http.Dispose();
        await _factory.DisposeAsync();
    }
}

using System.Net;
using System.Net.Sockets;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Mvc.Testing;
using PolyAi.Messaging.Agent.Transcripts;

namespace PolyAi.Messaging.Testing;

/// <summary>Another agent replica on its own Kestrel port, sharing the first one's sidecar and so its state store.</summary>
public sealed class SecondReplica : IAsyncDisposable
{
    private readonly WebApplicationFactory<Program> _factory;

    private SecondReplica(WebApplicationFactory<Program> factory, Uri url)
    {
        _factory = factory;
        Http = new HttpClient { BaseAddress = url };
    }

    public HttpClient Http { get; }

    public IServiceProvider Services => _factory.Services;

    public static SecondReplica Start(IReadOnlyDictionary<string, string> settings)
    {
        var url = FreePort.LoopbackUrl();
        var factory = new WebApplicationFactory<Program>().WithWebHostBuilder(web =>
        {
            web.UseUrls(url.ToString());
            foreach (var (key, value) in settings)
            {
                web.UseSetting(key, value);
            }
        });
        factory.UseKestrel();
        factory.StartServer();
        return new SecondReplica(factory, url);
    }

    public async ValueTask DisposeAsync()
    {
        Http.Dispose();
        await _factory.DisposeAsync();
    }
}

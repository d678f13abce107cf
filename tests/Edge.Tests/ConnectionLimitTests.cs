using System.Net;
using System.Net.Sockets;
using Microsoft.Extensions.DependencyInjection;
using PolyAi.Messaging.Edge.Tests.Support;
using PolyAi.Messaging.Testing;
using static PolyAi.Messaging.Edge.Tests.Support.EdgeInstance;

namespace PolyAi.Messaging.Edge.Tests;

/// <summary>What one client can hold open on the edge: event streams per address, and connections in all.</summary>
[Collection(EdgeCollection.Name)]
public sealed class ConnectionLimitTests(EdgeFixture fixture)
{
    [Fact]
    public async Task One_address_holds_at_most_MaxPerClient_event_streams_and_other_addresses_are_unaffected()
    {
        await using var edge = Start(fixture.Verifier.Address, new Dictionary<string, string> { ["Edge:StreamLimit:MaxPerClient"] = "2" }, fixture.Agent.Address);
        var greedy = IPAddress.Parse("127.0.0.6");
        using var firstClient = edge.ClientFrom(greedy);
        using var secondClient = edge.ClientFrom(greedy);
        using var prober = edge.ClientFrom(greedy);
        using var neighbour = edge.ClientFrom(IPAddress.Parse("127.0.0.7"));

        using var first = await OpenStreamAsync(firstClient);
        var second = await OpenStreamAsync(secondClient);
        using (var third = await OpenStreamAsync(prober))
        {
            Assert.Equal(HttpStatusCode.TooManyRequests, third.StatusCode);
            Assert.Equal("application/problem+json", third.Content.Headers.ContentType?.MediaType);
            Assert.Contains("2 event streams", await third.Content.ReadAsStringAsync(), StringComparison.Ordinal);
            Assert.NotNull(third.Headers.RetryAfter);
        }

        using (var other = await OpenStreamAsync(neighbour))
        {
            Assert.Equal(HttpStatusCode.OK, other.StatusCode);
        }

        Assert.Equal(HttpStatusCode.OK, first.StatusCode);
        Assert.Equal(HttpStatusCode.OK, second.StatusCode);
        second.Dispose();
        secondClient.Dispose();

        await Eventually.Until(
            async () =>
            {
                using var again = await OpenStreamAsync(prober);
                return again.StatusCode;
            },
            status => status == HttpStatusCode.OK,
            "a stream once another one closed",
            TimeSpan.FromSeconds(20));
    }

    [Fact]
    public async Task Past_MaxConcurrentConnections_new_connections_are_refused_and_the_edge_serves_again_once_they_close()
    {
        const int Limit = 10;
        await using var edge = Start(fixture.Verifier.Address, new Dictionary<string, string>
        {
            ["Kestrel:Limits:MaxConcurrentConnections"] = Limit.ToString(System.Globalization.CultureInfo.InvariantCulture),
        });
        var port = edge.Http.BaseAddress!.Port;
        Assert.Equal(Limit, edge.Services.GetRequiredService<Microsoft.Extensions.Options.IOptions<Microsoft.AspNetCore.Server.Kestrel.Core.KestrelServerOptions>>().Value.Limits.MaxConcurrentConnections);
        var idle = new List<TcpClient>();
        try
        {
            for (var i = 0; i < Limit + 5; i++)
            {
                var socket = new TcpClient();
                await socket.ConnectAsync(IPAddress.Loopback, port);
                idle.Add(socket);
            }

            using var refusedClient = new HttpClient { BaseAddress = edge.Http.BaseAddress, Timeout = TimeSpan.FromSeconds(10) };
            await Assert.ThrowsAsync<HttpRequestException>(() => refusedClient.GetAsync(new Uri("/healthz", UriKind.Relative)));
        }
        finally
        {
            foreach (var socket in idle)
            {
                socket.Dispose();
            }
        }

        await Eventually.Until(
            async () =>
            {
                using var client = new HttpClient { BaseAddress = edge.Http.BaseAddress, Timeout = TimeSpan.FromSeconds(5) };
                try
                {
                    using var health = await client.GetAsync(new Uri("/healthz", UriKind.Relative));
                    return health.StatusCode;
                }
                catch (HttpRequestException)
                {
                    return (HttpStatusCode?)null;
                }
            },
            status => status == HttpStatusCode.OK,
            "/healthz answering once the idle connections closed",
            TimeSpan.FromSeconds(20));
    }

    private static async Task<HttpResponseMessage> OpenStreamAsync(HttpClient client)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, new Uri($"/v1/chat/conversations/conv-{Guid.NewGuid():N}/events", UriKind.Relative));
        return await client.SendAsync(request, HttpCompletionOption.ResponseHeadersRead);
    }
}

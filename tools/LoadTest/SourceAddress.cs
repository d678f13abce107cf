using System.Net;
using System.Net.Sockets;

namespace PolyAi.Messaging.LoadTest;

/// <summary>Connections from a chosen loopback source address, so one tool plays many clients (127.0.0.0/8 all route to lo).</summary>
public static class SourceAddress
{
    /// <summary>A <see cref="SocketsHttpHandler.ConnectCallback"/> binding each new connection to <paramref name="next"/>() (null = any).</summary>
    public static Func<SocketsHttpConnectionContext, CancellationToken, ValueTask<Stream>> Connect(Func<IPAddress?> next) =>
        async (context, ct) =>
        {
            var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
            try
            {
                if (next() is { } source)
                {
                    socket.Bind(new IPEndPoint(source, 0));
                }

                await socket.ConnectAsync(context.DnsEndPoint, ct);
                return new NetworkStream(socket, ownsSocket: true);
            }
            catch
            {
                socket.Dispose();
                throw;
            }
        };
}

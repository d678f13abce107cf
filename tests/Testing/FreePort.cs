using System.Net;
using System.Net.Sockets;

namespace PolyAi.Messaging.Testing;

/// <summary>Loopback ports for servers a test starts.</summary>
public static class FreePort
{
    /// <summary>A 127.0.0.1 port nothing listens on now (the OS picks it; a test binds it right after).</summary>
    public static int Pick()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    /// <summary><c>http://127.0.0.1:{free port}</c>.</summary>
    public static Uri LoopbackUrl() => new($"http://127.0.0.1:{Pick()}");
}

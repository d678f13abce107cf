using System.Net;
using System.Net.Sockets;

namespace PolyAi.Messaging.DevSidecar.Hosting;

/// <summary>Picks a loopback port the OS considers free right now, so "port 0" can be known before Kestrel binds.</summary>
internal static class FreePort
{
    public static int Pick()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}

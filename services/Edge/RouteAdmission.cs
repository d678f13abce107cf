using System.Net;
using System.Net.Sockets;
using Yarp.ReverseProxy.Model;

namespace PolyAi.Messaging.Edge;

/// <summary>
/// What the edge's admission gates share: a route opts into one with metadata <c>"Admission": "webhook"</c>
/// (<see cref="WebhookGate"/>) or <c>"stream"</c> (<see cref="StreamGate"/>), and both count callers by the same key.
/// </summary>
public static class RouteAdmission
{
    public const string MetadataKey = "Admission";

    /// <summary>True when the proxied route names <paramref name="admission"/> as its admission.</summary>
    public static bool Is(HttpContext context, string admission) =>
        context.GetReverseProxyFeature().Route.Config.Metadata is { } metadata
        && metadata.TryGetValue(MetadataKey, out var value) && value == admission;

    /// <summary>IPv4 as is; IPv6 by its /64 prefix.</summary>
    public static string ClientKey(IPAddress? address)
    {
        if (address is null)
        {
            return "unknown";
        }

        if (address.IsIPv4MappedToIPv6)
        {
            address = address.MapToIPv4();
        }

        if (address.AddressFamily != AddressFamily.InterNetworkV6)
        {
            return address.ToString();
        }

        Span<byte> bytes = stackalloc byte[16];
        address.TryWriteBytes(bytes, out _);
        bytes[8..].Clear();
        return new IPAddress(bytes).ToString() + "/64";
    }
}

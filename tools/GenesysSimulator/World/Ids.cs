using System.Security.Cryptography;

namespace PolyAi.Messaging.GenesysSimulator.World;

/// <summary>Every id and secret the simulator makes comes from here, in the shapes Genesys uses.</summary>
internal static class Ids
{
    /// <summary>An entity id: a lowercase UUID, as Genesys ids are.</summary>
    public static string Entity() => Guid.NewGuid().ToString("D");

    /// <summary>A message id: 32 hex characters, as in Genesys' outbound notifications.</summary>
    public static string Message() => Guid.NewGuid().ToString("N");

    public static string Secret() => Base64Url(RandomNumberGenerator.GetBytes(32));

    public static string Token() => Base64Url(RandomNumberGenerator.GetBytes(48));

    private static string Base64Url(byte[] bytes) =>
        Convert.ToBase64String(bytes).TrimEnd('=').Replace('+', '-').Replace('/', '_');
}

internal static class Iso
{
    /// <summary>ISO-8601 UTC with milliseconds, the way Genesys writes times.</summary>
    public static string Format(DateTimeOffset time) => time.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss.fff'Z'", System.Globalization.CultureInfo.InvariantCulture);
}

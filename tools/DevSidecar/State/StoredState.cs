using System.Globalization;
using Google.Protobuf;

namespace PolyAi.Messaging.DevSidecar.State;

/// <summary>A value in a state store. Its etag is its version: "1" on first write, +1 per write (Redis semantics).</summary>
internal sealed record StoredState(ByteString Value, long Version, DateTimeOffset? ExpiresAt)
{
    public string ETag => Version.ToString(CultureInfo.InvariantCulture);
}

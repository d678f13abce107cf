using Google.Protobuf;

namespace PolyAi.Messaging.DevSidecar.State;

internal enum StateOperation
{
    Upsert,
    Delete,
}

/// <summary>
/// One upsert or delete against a storage key, with its concurrency precondition:
/// <paramref name="ExpectedVersion"/> from an etag, or <paramref name="MustBeAbsent"/> for first-write without one.
/// </summary>
internal sealed record StateWrite(
    StateOperation Operation,
    string Key,
    ByteString Value,
    long? ExpectedVersion,
    bool MustBeAbsent,
    TimeSpan? TimeToLive);

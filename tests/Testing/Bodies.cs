using System.Net;

namespace PolyAi.Messaging.Testing;

/// <summary>A body streamed in chunks with no Content-Length (chunked transfer encoding).</summary>
public sealed class ChunkedContent(byte[] body, int chunkSize = 4096) : HttpContent
{
    protected override async Task SerializeToStreamAsync(Stream stream, TransportContext? context)
    {
        for (var offset = 0; offset < body.Length; offset += chunkSize)
        {
            await stream.WriteAsync(body.AsMemory(offset, Math.Min(chunkSize, body.Length - offset)));
            await stream.FlushAsync();
        }
    }

    protected override bool TryComputeLength(out long length)
    {
        length = 0;
        return false;
    }
}

/// <summary>
/// A request body sent in two parts without Content-Length, the second only when released (by <see cref="Release"/>
/// or by the task given): a slow or stalled client.
/// </summary>
public sealed class HeldBackContent : HttpContent
{
    private readonly byte[] _first;
    private readonly byte[] _rest;
    private readonly TaskCompletionSource _release = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly Task _released;

    public HeldBackContent(byte[] first, byte[] rest, Task? releasedBy = null)
    {
        _first = first;
        _rest = rest;
        _released = releasedBy ?? _release.Task;
    }

    public void Release() => _release.TrySetResult();

    protected override async Task SerializeToStreamAsync(Stream stream, TransportContext? context)
    {
        await stream.WriteAsync(_first);
        await stream.FlushAsync();
        await _released;
        await stream.WriteAsync(_rest);
    }

    protected override bool TryComputeLength(out long length)
    {
        length = 0;
        return false;
    }
}

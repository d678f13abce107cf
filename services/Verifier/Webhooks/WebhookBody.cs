using System.Buffers;

namespace PolyAi.Messaging.Verifier.Webhooks;

/// <summary>
/// The raw request body in a pooled buffer: the signature is computed over these exact bytes, so the body is read
/// once, never re-encoded. Reading stops as soon as the limit is passed, whatever Content-Length said.
/// </summary>
public sealed class WebhookBody : IDisposable
{
    private const int MinimumCapacity = 1024;

    // A declared length is only a claim: start at most this large and grow as bytes really arrive, so a
    // connection that declares 128 KiB and sends nothing holds 16 KiB, not 128.
    private const int MaximumInitialCapacity = 16 * 1024;
    private byte[] _buffer;
    private int _length;

    private WebhookBody(byte[] buffer) => _buffer = buffer;

    public ReadOnlySpan<byte> Span => _buffer.AsSpan(0, _length);

    public ReadOnlyMemory<byte> Memory => _buffer.AsMemory(0, _length);

    /// <returns>The body, or <c>null</c> if it is longer than <paramref name="maxBytes"/>.</returns>
    public static async Task<WebhookBody?> ReadAsync(Stream source, long? contentLength, int maxBytes, CancellationToken cancellationToken)
    {
        if (contentLength > maxBytes)
        {
            return null;
        }

        // One spare byte so that a body of exactly Content-Length reaches end of stream without growing.
        var initial = contentLength is { } declared ? (int)Math.Min(declared + 1, MaximumInitialCapacity) : MinimumCapacity;
        var body = new WebhookBody(ArrayPool<byte>.Shared.Rent(Math.Max(initial, MinimumCapacity)));
        try
        {
            while (true)
            {
                if (body._length == body._buffer.Length)
                {
                    body.Grow(maxBytes);
                }

                var read = await source.ReadAsync(body._buffer.AsMemory(body._length), cancellationToken);
                if (read == 0)
                {
                    return body;
                }

                body._length += read;
                if (body._length > maxBytes)
                {
                    body.Dispose();
                    return null;
                }
            }
        }
        catch
        {
            body.Dispose();
            throw;
        }
    }

    public void Dispose()
    {
        var buffer = Interlocked.Exchange(ref _buffer, []);
        if (buffer.Length > 0)
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }

        _length = 0;
    }

    private void Grow(int maxBytes)
    {
        // Never more than one byte past the limit: that byte is what tells a too-large body.
        var larger = ArrayPool<byte>.Shared.Rent(Math.Min(_buffer.Length * 2, maxBytes + 1));
        _buffer.AsSpan(0, _length).CopyTo(larger);
        ArrayPool<byte>.Shared.Return(_buffer);
        _buffer = larger;
    }
}

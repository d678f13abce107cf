using System.Buffers;
using System.Buffers.Text;
using System.Security.Cryptography;
using System.Text;

namespace PolyAi.Messaging.Genesys.OpenMessaging;

/// <summary>
/// The <c>X-Hub-Signature-256</c> header exactly as Genesys signs outbound Open Messaging webhooks:
/// <c>sha256=</c> + standard Base64 of HMAC-SHA256(key = UTF-8 secret, data = raw body bytes).
/// </summary>
public static class WebhookSignature
{
    public const string HeaderName = "X-Hub-Signature-256";
    public const string Prefix = "sha256=";
    private const int HashSize = HMACSHA256.HashSizeInBytes;

    /// <summary>The header value Genesys would send for <paramref name="body"/>.</summary>
    public static string Compute(string secret, ReadOnlySpan<byte> body)
    {
        Span<byte> mac = stackalloc byte[HashSize];
        Mac(secret, body, mac);
        return Prefix + Convert.ToBase64String(mac);
    }

    /// <summary>
    /// True if <paramref name="header"/> signs <paramref name="body"/> with any of <paramref name="secrets"/>
    /// (the current secret and, during rotation, the previous one). Comparison is constant-time, and every
    /// secret is tried whatever the outcome, so timing does not tell which secret matched.
    /// </summary>
    public static bool IsValid(string? header, ReadOnlySpan<byte> body, ReadOnlySpan<string?> secrets)
    {
        Span<byte> claimed = stackalloc byte[HashSize];
        if (!TryDecode(header, claimed))
        {
            return false;
        }

        Span<byte> expected = stackalloc byte[HashSize];
        var matched = false;
        foreach (var secret in secrets)
        {
            if (string.IsNullOrEmpty(secret))
            {
                continue;
            }

            Mac(secret, body, expected);
            matched |= CryptographicOperations.FixedTimeEquals(expected, claimed);
        }

        return matched;
    }

    /// <summary>
    /// True if <paramref name="header"/> has Genesys' shape (<c>sha256=</c> + 44 Base64 characters of a 32-byte MAC),
    /// whatever it signs: lets a receiver turn away a malformed header before looking anything up.
    /// </summary>
    public static bool IsWellFormed(string? header)
    {
        Span<byte> claimed = stackalloc byte[HashSize];
        return TryDecode(header, claimed);
    }

    private static bool TryDecode(string? header, Span<byte> claimed)
    {
        if (header is null || !header.StartsWith(Prefix, StringComparison.Ordinal))
        {
            return false;
        }

        var encoded = header.AsSpan(Prefix.Length);
        // Base64 of 32 bytes is exactly 44 characters; anything else (hex, truncated, padded oddly) is not Genesys'.
        if (encoded.Length != 44)
        {
            return false;
        }

        Span<byte> ascii = stackalloc byte[44];
        for (var i = 0; i < encoded.Length; i++)
        {
            if (encoded[i] > 0x7F)
            {
                return false;
            }

            ascii[i] = (byte)encoded[i];
        }

        return Base64.DecodeFromUtf8(ascii, claimed, out _, out var written) == OperationStatus.Done && written == HashSize;
    }

    private static void Mac(string secret, ReadOnlySpan<byte> body, Span<byte> destination)
    {
        var maxKeyBytes = Encoding.UTF8.GetMaxByteCount(secret.Length);
        var rented = maxKeyBytes <= 256 ? null : ArrayPool<byte>.Shared.Rent(maxKeyBytes);
        Span<byte> keyBuffer = rented is null ? stackalloc byte[256] : rented;
        try
        {
            var keyLength = Encoding.UTF8.GetBytes(secret, keyBuffer);
            HMACSHA256.HashData(keyBuffer[..keyLength], body, destination);
        }
        finally
        {
            keyBuffer.Clear();
            if (rented is not null)
            {
                ArrayPool<byte>.Shared.Return(rented);
            }
        }
    }
}

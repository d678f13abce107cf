using System.Security.Cryptography;
using System.Text;
using PolyAi.Messaging.Contracts;

namespace PolyAi.Messaging.Agent.Conversations;

/// <summary>
/// What never changes about a chat conversation, stored under <see cref="StateKey"/> when it is created: whose it
/// is and the SHA-256 of its bearer token (the token itself is never stored or logged).
/// </summary>
public sealed record ConversationRecord(
    string Id, TenantKey Tenant, string TokenHash, CustomerProfile Customer, string? Locale, DateTimeOffset CreatedAt)
{
    public static string StateKey(string id) => $"agent/conversations/{id}";

    /// <summary>Compares the SHA-256 of <paramref name="presentedToken"/> with the stored one in constant time.</summary>
    public bool Accepts(string? presentedToken)
    {
        if (string.IsNullOrEmpty(presentedToken) || presentedToken.Length > 256)
        {
            return false;
        }

        Span<byte> stored = stackalloc byte[32];
        if (!Convert.TryFromBase64String(TokenHash, stored, out var written) || written != 32)
        {
            return false;
        }

        return CryptographicOperations.FixedTimeEquals(stored, SHA256.HashData(Encoding.UTF8.GetBytes(presentedToken)));
    }
}

public sealed record CustomerProfile(string? FirstName = null, string? LastName = null, string? Email = null, string? ExternalId = null);

/// <summary>Conversation ids and tokens: the one place randomness for them comes from.</summary>
public static class ConversationIds
{
    /// <summary>128 random bits as lowercase hex: unguessable, and safe in URLs, state keys and Genesys <c>channel.from.id</c>.</summary>
    public static string NewConversationId() => Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(16));

    public static string NewMessageId() => Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(12));

    /// <summary>A bearer token of 32 random bytes (Base64url) and the Base64 SHA-256 that is stored instead of it.</summary>
    public static (string Token, string Hash) NewToken()
    {
        var token = Base64Url(RandomNumberGenerator.GetBytes(32));
        return (token, Convert.ToBase64String(SHA256.HashData(Encoding.UTF8.GetBytes(token))));
    }

    public static bool IsWellFormed(string? id) =>
        id is { Length: 32 } && id.All(c => char.IsAsciiDigit(c) || c is >= 'a' and <= 'f');

    private static string Base64Url(byte[] bytes) =>
        Convert.ToBase64String(bytes).TrimEnd('=').Replace('+', '-').Replace('/', '_');
}

using System.Globalization;
using System.Net.Http.Headers;
using System.Security.Cryptography;
using System.Text;

namespace PolyAi.Messaging.LoadTest;

/// <summary>
/// Genesys Open Messaging outbound text notifications (genesys-facts §3) of about <see cref="TargetBytes"/> bytes, each
/// with a unique id, signed as Genesys signs them: <c>sha256=</c> + Base64 HMAC-SHA256 of the raw body with the secret.
/// </summary>
public sealed class GenesysWebhooks(string secret, string integrationId)
{
    public const int TargetBytes = 450;
    private const string SignatureHeader = "X-Hub-Signature-256";

    private static readonly MediaTypeHeaderValue Json = new("application/json") { CharSet = "utf-8" };
    private static readonly string[] Sentences =
    [
        "Thanks for waiting, I have looked at your order and the parcel left our warehouse this morning.",
        "I can see the refund was issued yesterday; it usually shows on your statement within three days.",
        "Let me check that with the delivery team for you, it will take a minute or two, please stay with me.",
    ];

    private readonly byte[] _key = Encoding.UTF8.GetBytes(secret);
    private readonly string _run = Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(6));
    private long _sequence;

    /// <summary>A unique Genesys message id for this run.</summary>
    public string NextId() => $"{_run}{Interlocked.Increment(ref _sequence):d20}";

    /// <summary>A text message from a human agent to the customer <paramref name="conversationId"/> (<c>channel.to.id</c>).</summary>
    public byte[] TextBody(string id, string conversationId, DateTimeOffset time)
    {
        var head = "{\"id\":\"" + id + "\",\"channel\":{\"id\":\"" + integrationId + "\",\"messageId\":\"" + id
            + "\",\"platform\":\"Open\",\"type\":\"Private\",\"to\":{\"id\":\"" + conversationId + "\",\"idType\":\"Opaque\"},"
            + "\"from\":{\"nickname\":\"PolyAI Support\",\"id\":\"" + integrationId + "\",\"idType\":\"Opaque\"},\"time\":\""
            + time.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss.fff'Z'", CultureInfo.InvariantCulture) + "\"},"
            + "\"conversationId\":\"genesys-" + conversationId + "\",\"direction\":\"Outbound\",\"originatingEntity\":\"Human\",\"type\":\"Text\",\"text\":\"";
        var sentence = Sentences[(int)(unchecked((uint)id.GetHashCode(StringComparison.Ordinal)) % Sentences.Length)];
        var room = Math.Max(8, TargetBytes - head.Length - 2);
        var text = sentence.Length >= room ? sentence[..room] : sentence + new string('.', room - sentence.Length);
        return Encoding.UTF8.GetBytes(head + text + "\"}");
    }

    public string Sign(ReadOnlySpan<byte> body) => "sha256=" + Convert.ToBase64String(HMACSHA256.HashData(_key, body));

    public HttpRequestMessage Request(Uri webhookUrl, byte[] body)
    {
        var content = new ByteArrayContent(body);
        content.Headers.ContentType = Json;
        var request = new HttpRequestMessage(HttpMethod.Post, webhookUrl) { Content = content };
        request.Headers.TryAddWithoutValidation(SignatureHeader, Sign(body));
        return request;
    }
}

using System.Globalization;
using System.Text;
using System.Text.Json;
using CsCheck;

namespace PolyAi.Messaging.Testing.Fuzz;

/// <summary>
/// Generators of what a hostile (or broken) client sends: webhook bodies, signature headers, chat bodies — valid
/// ones, nearly valid ones and garbage — plus an independent oracle of what a valid notification is. Shared by the
/// validator fuzz tests (Genesys.Tests) and the fuzz tests against the running services (Verifier.Tests, Agent.Tests).
/// </summary>
public static class HostileInputs
{
    /// <summary>Set to run long: <c>POLYAI_FUZZ_ITERATIONS=1000000 dotnet test … --filter Category=Fuzz</c>.</summary>
    public const string IterationsVariable = "POLYAI_FUZZ_ITERATIONS";

    /// <summary>Ids of generated valid notifications start so, to find what a run published.</summary>
    public const string IdPrefix = "fuzz-";

    private const string AlphaNumeric = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789";

    private static readonly UTF8Encoding StrictUtf8 = new(encoderShouldEmitUTF8Identifier: false, throwOnInvalidBytes: true);

    /// <summary>The quick run's count in <c>dotnet test</c>, or the long run's from <see cref="IterationsVariable"/>.</summary>
    public static long Iterations(long quick) =>
        long.TryParse(Environment.GetEnvironmentVariable(IterationsVariable), NumberStyles.None, CultureInfo.InvariantCulture, out var n) && n > 0
            ? n
            : quick;

    /// <summary>Text as JSON can carry it, lone surrogates (raw and as <c>\ud800</c> escapes) and control characters included.</summary>
    public static readonly Gen<string> Text = Gen.Frequency(
        (6, Chars(Gen.Char[AlphaNumeric], 0, 24)),
        (3, Chars(Gen.Char, 0, 24)),
        (2, Chars(Gen.Char["aé€😀\u0000\n\"\\\u2028\ufeff"], 0, 12)),
        (1, Gen.OneOf(Gen.Const("\ud800"), Gen.Const("\udc00x"), Gen.Const("😀"[..1]), Gen.Const(new string('a', 300)))));

    private static Gen<string> Chars(Gen<char> chars, int min, int max) => chars.Array[min, max].Select(a => new string(a));

    /// <summary>A JSON string literal for <paramref name="value"/>, some characters as <c>\uXXXX</c> escapes (surrogates too).</summary>
    public static Gen<string> Literal(string value) =>
        Gen.Bool.Array[value.Length].Select(escape =>
        {
            var literal = new StringBuilder("\"");
            for (var i = 0; i < value.Length; i++)
            {
                var c = value[i];
                if (escape[i] || c < 0x20 || c == '"' || c == '\\' || char.IsSurrogate(c))
                {
                    literal.Append(CultureInfo.InvariantCulture, $"\\u{(int)c:x4}");
                }
                else
                {
                    literal.Append(c);
                }
            }

            return literal.Append('"').ToString();
        });

    private static readonly Gen<string> StringLiteral = Text.SelectMany(Literal);

    private static readonly Gen<string> Scalar = Gen.Frequency(
        (3, StringLiteral),
        (2, Gen.Int.Select(i => i.ToString(CultureInfo.InvariantCulture))),
        (1, Gen.OneOf(Gen.Const("true"), Gen.Const("false"), Gen.Const("null"), Gen.Const("1e400"), Gen.Const("-0"),
            Gen.Const("0.0000000000000000000001"), Gen.Const("18446744073709551616"))));

    /// <summary>Any JSON value, a few levels deep, objects sometimes with a key twice.</summary>
    public static readonly Gen<string> Json = Gen.Recursive<string>((depth, inner) => depth >= 4
        ? Scalar
        : Gen.Frequency(
            (3, Scalar),
            (1, inner.Array[0, 4].Select(items => "[" + string.Join(",", items) + "]")),
            (2, Gen.Select(StringLiteral, inner).Array[0, 4].Select(members => "{" + string.Join(",", members.Select(m => m.Item1 + ":" + m.Item2)) + "}"))));

    private static readonly Gen<string> NotificationType =
        Gen.Frequency((6, Gen.OneOf(Gen.Const("Text"), Gen.Const("Structured"), Gen.Const("Receipt"), Gen.Const("Event"))), (1, Text));

    /// <summary>The id: mostly a run's own (<see cref="IdPrefix"/>), sometimes any text, empty or too long.</summary>
    public static readonly Gen<string> NotificationId = Gen.Frequency(
        (8, Chars(Gen.Char[AlphaNumeric], 1, 32).Select(s => IdPrefix + s)),
        (2, Text));

    /// <summary>An Open Messaging notification in Genesys' shape, with generated text in every field.</summary>
    public static readonly Gen<string> Notification =
        Gen.Select(NotificationId.SelectMany(Literal), StringLiteral, NotificationType.SelectMany(Literal), StringLiteral, Gen.Bool, Json.Array[0, 3])
            .Select((id, text, type, nick, receipt, extra) =>
            {
                var fields = new List<string>
                {
                    $"\"id\":{id}",
                    $"\"channel\":{{\"id\":\"integration-1\",\"platform\":\"Open\",\"type\":\"Private\",\"to\":{{\"id\":\"user-1\",\"idType\":\"Opaque\"}},\"from\":{{\"nickName\":{nick},\"id\":\"integration-1\",\"idType\":\"Opaque\"}},\"time\":\"2026-12-03T10:00:00.000Z\"}}",
                    $"\"type\":{type}",
                    "\"direction\":\"Outbound\"",
                    "\"originatingEntity\":\"Human\"",
                    receipt ? "\"status\":\"Delivered\"" : $"\"text\":{text}",
                };
                fields.AddRange(extra.Select((value, i) => $"\"extra{i}\":{value}"));
                return "{" + string.Join(",", fields) + "}";
            });

    /// <summary>Raw bytes a body may be: UTF-8 of generated text, then sometimes broken byte by byte.</summary>
    public static readonly Gen<byte[]> Body = Gen.Frequency(
        (6, Notification.Select(Encoding.UTF8.GetBytes)),
        (3, Notification.Select(Encoding.UTF8.GetBytes).SelectMany(Mutated)),
        (2, Json.Select(Encoding.UTF8.GetBytes)),
        (1, Gen.Byte.Array[0, 200]),
        (1, Gen.Int[1, 200].Select(depth => Encoding.UTF8.GetBytes(new string('[', depth) + new string(']', depth)))),
        (1, Gen.Select(Notification, Notification).Select((a, b) => Encoding.UTF8.GetBytes(a + b))),
        (1, Gen.Select(Notification, NotificationId.SelectMany(Literal)).Select((n, id) => Encoding.UTF8.GetBytes(n[..^1] + ",\"id\":" + id + "}"))));

    /// <summary>One to three byte-level edits: flip, insert a byte that breaks UTF-8, drop, truncate.</summary>
    public static Gen<byte[]> Mutated(byte[] original) =>
        Gen.Select(Gen.Int[0, 3], Gen.Int[0, Math.Max(0, original.Length - 1)], Gen.Byte, Gen.Int[1, 3]).Select((kind, at, value, times) =>
        {
            var bytes = new List<byte>(original);
            for (var t = 0; t < times && bytes.Count > 0; t++)
            {
                var i = Math.Min(at + t, bytes.Count - 1);
                switch (kind)
                {
                    case 0: bytes[i] ^= (byte)(value | 1); break;
                    case 1: bytes.InsertRange(i, value < 128 ? [0xC0, 0x80] : value < 192 ? [0xED, 0xA0, 0x80] : [0xFF]); break;
                    case 2: bytes.RemoveAt(i); break;
                    default: bytes.RemoveRange(i, bytes.Count - i); break;
                }
            }

            return bytes.ToArray();
        });

    /// <summary>
    /// An oracle written apart from the product's validator: strict UTF-8 decoding, a parse of the text, then a walk that
    /// refuses a property name twice in an object (compared unescaped) and any string or name that does not encode
    /// strictly (a lone surrogate), then the required fields.
    /// </summary>
    public static string? ValidNotificationId(byte[] body) =>
        PlainJson(body) is { ValueKind: JsonValueKind.Object } root
        && root.TryGetProperty("id", out var id) && id.ValueKind == JsonValueKind.String && id.GetString() is { Length: > 0 and <= 256 } value
        && root.TryGetProperty("channel", out var channel) && channel.ValueKind == JsonValueKind.Object
        && root.TryGetProperty("type", out var type) && type.ValueKind == JsonValueKind.String && type.GetString()!.Length > 0
            ? value
            : null;

    /// <summary>
    /// The oracle's first half, for any JSON body we take from outside: the value, if the body is strict UTF-8, one JSON
    /// value at most 64 deep, each property name once per object (compared unescaped), no lone surrogate in any string or
    /// name; else null.
    /// </summary>
    public static JsonElement? PlainJson(byte[] body)
    {
        try
        {
            using var document = JsonDocument.Parse(StrictUtf8.GetString(body), new JsonDocumentOptions { MaxDepth = 64 });
            return IsPlainText(document.RootElement) ? document.RootElement.Clone() : null;
        }
        catch (Exception ex) when (ex is JsonException or ArgumentException or DecoderFallbackException or EncoderFallbackException or InvalidOperationException)
        {
            return null;
        }
    }

    private static bool IsPlainText(JsonElement element)
    {
        switch (element.ValueKind)
        {
            case JsonValueKind.String:
                StrictUtf8.GetByteCount(element.GetString()!);
                return true;
            case JsonValueKind.Array:
                return element.EnumerateArray().All(IsPlainText);
            case JsonValueKind.Object:
                var names = new HashSet<string>(StringComparer.Ordinal);
                foreach (var property in element.EnumerateObject())
                {
                    StrictUtf8.GetByteCount(property.Name);
                    if (!names.Add(property.Name) || !IsPlainText(property.Value))
                    {
                        return false;
                    }
                }

                return true;
            default:
                return true;
        }
    }

    /// <summary>A chat message body: mostly <c>{"text": …}</c> with generated text, else anything a body may be.</summary>
    public static readonly Gen<byte[]> ChatMessage = Gen.Frequency(
        (6, StringLiteral.Select(text => Encoding.UTF8.GetBytes($"{{\"text\":{text}}}"))),
        (2, Gen.Select(StringLiteral, Json).Select((text, extra) => Encoding.UTF8.GetBytes($"{{\"text\":{text},\"text\":{extra}}}"))),
        (2, StringLiteral.Select(text => Encoding.UTF8.GetBytes($"{{\"text\":{text}}}")).SelectMany(Mutated)),
        (2, Json.Select(Encoding.UTF8.GetBytes)),
        (1, Gen.Byte.Array[0, 100]));

    /// <summary>A conversation-creation body: a customer and a locale with generated text, or anything else.</summary>
    public static readonly Gen<byte[]> CreateConversation = Gen.Frequency(
        (6, Gen.Select(StringLiteral, StringLiteral, Json).Select((name, locale, extra) =>
            Encoding.UTF8.GetBytes($"{{\"customer\":{{\"firstName\":{name},\"email\":\"a@example.com\"}},\"locale\":{locale},\"extra\":{extra}}}"))),
        (2, Json.Select(Encoding.UTF8.GetBytes)),
        (2, Json.Select(Encoding.UTF8.GetBytes).SelectMany(Mutated)),
        (1, Gen.Byte.Array[0, 100]));

    /// <summary>What a signature header may be, given the right one for the body: right, near-right, garbage, absent.</summary>
    public static Gen<string?> SignatureFor(string correct) => Gen.Frequency(
        (6, Gen.Const<string?>(correct)),
        (1, Gen.Int[0, correct.Length - 1].Select<int, string?>(i => correct[..i] + (correct[i] == 'A' ? 'B' : 'A') + correct[(i + 1)..])),
        (1, Gen.Const<string?>(correct.ToUpperInvariant())),
        (1, Gen.Const<string?>(correct[..^1])),
        (1, Gen.Const<string?>(correct + "=")),
        (1, Gen.Const(() => (string?)null)),
        (1, HeaderText.Select<string, string?>(s => s)),
        (1, HeaderText.Select<string, string?>(s => WebhookSignaturePrefix + s)),
        (1, Gen.Const<string?>(WebhookSignaturePrefix + new string('A', 43) + "=")));

    private const string WebhookSignaturePrefix = "sha256=";

    /// <summary>What an HTTP client lets into a header value: visible ASCII and spaces (Kestrel answers raw bytes beyond that itself).</summary>
    public static readonly Gen<string> HeaderText = Chars(Gen.Char[' ', '~'], 0, 60);
}

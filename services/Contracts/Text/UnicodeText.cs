using System.Text.Json;

namespace PolyAi.Messaging.Contracts;

/// <summary>
/// Whether JSON text can be carried on: well-formed UTF-8, and no string or property name holding a lone surrogate
/// (<c>"\ud800"</c> is valid JSON but not Unicode text — it cannot be encoded to UTF-8 again, so it would fail later, in
/// a log line, a state-store write, a publish or a call to Genesys, as a 500 or a retried 503).
/// </summary>
public static class UnicodeText
{
    public const string InvalidUtf8 = "Body is not valid UTF-8.";
    public const string LoneSurrogate = "Body holds text that is not valid Unicode (an unpaired surrogate escape).";

    /// <summary>
    /// True when <paramref name="utf8"/> (already checked to be UTF-8 — <see cref="System.Text.Unicode.Utf8.IsValid"/>,
    /// before parsing, so a bad byte is named as such — and parsed as <paramref name="root"/>) has a string or property
    /// name with an unpaired surrogate escape.
    /// </summary>
    public static bool HasLoneSurrogate(ReadOnlySpan<byte> utf8, JsonElement root) =>
        // Valid UTF-8 cannot encode a surrogate, so only an escape can bring one in.
        utf8.IndexOf(@"\u"u8) >= 0 && !HasOnlyScalarValues(root);

    /// <summary>True when <paramref name="text"/> has no unpaired surrogate.</summary>
    public static bool IsWellFormed(string text)
    {
        for (var i = 0; i < text.Length; i++)
        {
            if (char.IsHighSurrogate(text[i]) && i + 1 < text.Length && char.IsLowSurrogate(text[i + 1]))
            {
                i++;
            }
            else if (char.IsSurrogate(text[i]))
            {
                return false;
            }
        }

        return true;
    }

    // System.Text.Json unescapes a lone surrogate to bytes that are not UTF-8, and then refuses to make a string of them.
    private static bool TryGetText(Func<string?> read, out string text)
    {
        try
        {
            text = read() ?? string.Empty;
            return true;
        }
        catch (InvalidOperationException)
        {
            text = string.Empty;
            return false;
        }
    }

    private static bool HasOnlyScalarValues(JsonElement element)
    {
        switch (element.ValueKind)
        {
            case JsonValueKind.String:
                return TryGetText(element.GetString, out var text) && IsWellFormed(text);
            case JsonValueKind.Object:
                foreach (var property in element.EnumerateObject())
                {
                    if (!TryGetText(() => property.Name, out var name) || !IsWellFormed(name) || !HasOnlyScalarValues(property.Value))
                    {
                        return false;
                    }
                }

                return true;
            case JsonValueKind.Array:
                foreach (var item in element.EnumerateArray())
                {
                    if (!HasOnlyScalarValues(item))
                    {
                        return false;
                    }
                }

                return true;
            default:
                return true;
        }
    }
}

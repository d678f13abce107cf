using System.Text;
using System.Text.Json.Nodes;

namespace PolyAi.Messaging.DevSidecar.PubSub;

/// <summary>
/// The subset of CEL that routing rules in this project use: <c>event.a.b == "lit"</c>, <c>!=</c>, <c>&amp;&amp;</c>,
/// <c>||</c> and parentheses, over the CloudEvent envelope. Anything else is rejected when the subscription loads,
/// rather than silently never matching.
/// </summary>
internal sealed class MatchExpression
{
    private readonly Node _root;

    private MatchExpression(string text, Node root)
    {
        Text = text;
        _root = root;
    }

    public string Text { get; }

    public bool Matches(JsonObject envelope) => _root.Evaluate(envelope) == true;

    public static MatchExpression Parse(string text)
    {
        var parser = new Parser(Tokenize(text), text);
        var root = parser.ParseOr();
        parser.ExpectEnd();
        return new MatchExpression(text, root);
    }

    // Evaluation is three-valued like CEL: null is an evaluation error (missing field, non-string value),
    // which "||" and "&&" absorb the way CEL's commutative logical operators do.
    private abstract record Node
    {
        public abstract bool? Evaluate(JsonObject envelope);
    }

    private sealed record Comparison(IReadOnlyList<string> Path, bool Equal, string Literal) : Node
    {
        public override bool? Evaluate(JsonObject envelope)
        {
            JsonNode? node = envelope;
            foreach (var segment in Path)
            {
                node = node is JsonObject obj ? obj[segment] : null;
            }

            return node is JsonValue value && value.TryGetValue<string>(out var text)
                ? (text == Literal) == Equal
                : null;
        }
    }

    private sealed record And(Node Left, Node Right) : Node
    {
        public override bool? Evaluate(JsonObject envelope) =>
            (Left.Evaluate(envelope), Right.Evaluate(envelope)) switch
            {
                (false, _) or (_, false) => false,
                (true, true) => true,
                _ => null,
            };
    }

    private sealed record Or(Node Left, Node Right) : Node
    {
        public override bool? Evaluate(JsonObject envelope) =>
            (Left.Evaluate(envelope), Right.Evaluate(envelope)) switch
            {
                (true, _) or (_, true) => true,
                (false, false) => false,
                _ => null,
            };
    }

    private enum TokenKind
    {
        Identifier,
        String,
        Equal,
        NotEqual,
        AndAlso,
        OrElse,
        Open,
        Close,
    }

    private sealed record Token(TokenKind Kind, string Text);

    private static List<Token> Tokenize(string text)
    {
        var tokens = new List<Token>();
        var i = 0;
        while (i < text.Length)
        {
            var c = text[i];
            if (char.IsWhiteSpace(c))
            {
                i++;
            }
            else if (c is '"' or '\'')
            {
                tokens.Add(new Token(TokenKind.String, ReadString(text, ref i)));
            }
            else if (char.IsLetter(c) || c == '_')
            {
                var start = i;
                while (i < text.Length && (char.IsLetterOrDigit(text[i]) || text[i] is '_' or '.'))
                {
                    i++;
                }

                tokens.Add(new Token(TokenKind.Identifier, text[start..i]));
            }
            else
            {
                var symbol = i + 1 < text.Length ? text.Substring(i, 2) : text[i..];
                var kind = symbol switch
                {
                    "==" => TokenKind.Equal,
                    "!=" => TokenKind.NotEqual,
                    "&&" => TokenKind.AndAlso,
                    "||" => TokenKind.OrElse,
                    _ when c == '(' => TokenKind.Open,
                    _ when c == ')' => TokenKind.Close,
                    _ => throw Unsupported(text, $"unexpected '{c}' at {i}"),
                };
                tokens.Add(new Token(kind, kind is TokenKind.Open or TokenKind.Close ? c.ToString() : symbol));
                i += kind is TokenKind.Open or TokenKind.Close ? 1 : 2;
            }
        }

        return tokens;
    }

    private static string ReadString(string text, ref int i)
    {
        var quote = text[i++];
        var literal = new StringBuilder();
        while (i < text.Length && text[i] != quote)
        {
            if (text[i] == '\\' && i + 1 < text.Length)
            {
                i++;
            }

            literal.Append(text[i++]);
        }

        if (i >= text.Length)
        {
            throw Unsupported(text, "unterminated string literal");
        }

        i++;
        return literal.ToString();
    }

    private static FormatException Unsupported(string text, string reason) =>
        new($"match expression '{text}' is outside the supported CEL subset (event.<field> ==/!= \"literal\", &&, ||, parentheses): {reason}");

    private sealed class Parser(List<Token> tokens, string text)
    {
        private int _next;

        public Node ParseOr()
        {
            var left = ParseAnd();
            while (Accept(TokenKind.OrElse))
            {
                left = new Or(left, ParseAnd());
            }

            return left;
        }

        public void ExpectEnd()
        {
            if (_next != tokens.Count)
            {
                throw Unsupported(text, $"unexpected '{tokens[_next].Text}'");
            }
        }

        private Node ParseAnd()
        {
            var left = ParsePrimary();
            while (Accept(TokenKind.AndAlso))
            {
                left = new And(left, ParsePrimary());
            }

            return left;
        }

        private Node ParsePrimary()
        {
            if (Accept(TokenKind.Open))
            {
                var inner = ParseOr();
                Expect(TokenKind.Close);
                return inner;
            }

            var left = Take();
            var op = Take();
            var right = Take();
            if (op.Kind is not (TokenKind.Equal or TokenKind.NotEqual))
            {
                throw Unsupported(text, $"expected == or != but found '{op.Text}'");
            }

            var (field, literal) = (left.Kind, right.Kind) switch
            {
                (TokenKind.Identifier, TokenKind.String) => (left.Text, right.Text),
                (TokenKind.String, TokenKind.Identifier) => (right.Text, left.Text),
                _ => throw Unsupported(text, "a comparison needs an event field and a string literal"),
            };
            var path = field.Split('.');
            if (path.Length < 2 || path[0] != "event" || path.Any(string.IsNullOrEmpty))
            {
                throw Unsupported(text, $"'{field}' is not event.<field>");
            }

            return new Comparison(path[1..], op.Kind == TokenKind.Equal, literal);
        }

        private bool Accept(TokenKind kind)
        {
            if (_next < tokens.Count && tokens[_next].Kind == kind)
            {
                _next++;
                return true;
            }

            return false;
        }

        private void Expect(TokenKind kind)
        {
            if (!Accept(kind))
            {
                throw Unsupported(text, $"expected {kind}");
            }
        }

        private Token Take() =>
            _next < tokens.Count ? tokens[_next++] : throw Unsupported(text, "unexpected end");
    }
}

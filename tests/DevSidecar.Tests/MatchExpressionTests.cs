using System.Text.Json.Nodes;
using PolyAi.Messaging.DevSidecar.PubSub;

namespace PolyAi.Messaging.DevSidecar.Tests;

public sealed class MatchExpressionTests
{
    private static readonly JsonObject Event = new()
    {
        ["type"] = "vip",
        ["source"] = "verifier",
        ["data"] = new JsonObject { ["kind"] = "agent", ["count"] = 3 },
    };

    [Theory]
    [InlineData("event.type == \"vip\"", true)]
    [InlineData("event.type != \"vip\"", false)]
    [InlineData("'vip' == event.type", true)]
    [InlineData("event.type == \"vip\" && event.source == \"edge\"", false)]
    [InlineData("event.type == \"regular\" || event.source == \"verifier\"", true)]
    [InlineData("(event.type == \"x\" || event.type == \"vip\") && event.data.kind == \"agent\"", true)]
    [InlineData("event.missing == \"x\"", false)]
    [InlineData("event.missing == \"x\" || event.type == \"vip\"", true)]
    [InlineData("event.data.count == \"3\"", false)]
    public void Evaluates_the_supported_CEL_subset_over_the_envelope(string expression, bool expected)
    {
        Assert.Equal(expected, MatchExpression.Parse(expression).Matches(Event));
    }

    [Theory]
    [InlineData("event.type.startsWith(\"v\")")]
    [InlineData("event.type == \"vip\" &&")]
    [InlineData("type == \"vip\"")]
    [InlineData("event.count > 3")]
    [InlineData("event.type == \"unterminated")]
    [InlineData("")]
    public void Rejects_anything_outside_the_subset_loudly(string expression)
    {
        Assert.Throws<FormatException>(() => MatchExpression.Parse(expression));
    }
}

using System.Text;
using System.Text.Json;
using PolyAi.Messaging.Contracts;

namespace PolyAi.Messaging.Genesys.Tests;

public sealed class NotificationValidatorTests
{
    private const string AgentText = """
        {"id":"c327c2078ca056db130c55ce648d9fa2",
         "channel":{"id":"integration-1","messageId":"c327c2078ca056db130c55ce648d9fa2","platform":"Open","type":"Private",
           "to":{"id":"user-123","idType":"Opaque"},
           "from":{"nickName":"Acme support","id":"integration-1","idType":"Opaque"},
           "time":"2021-02-01T15:04:05.123Z"},
         "conversationId":"d06cb41e-f938-4dcf-b823-c8af1a39d7e5",
         "direction":"Outbound","originatingEntity":"Human","type":"Text","text":"Hello World"}
        """;

    private static string? Validate(string body, out JsonElement notification, out string? error) =>
        NotificationValidator.Validate(Encoding.UTF8.GetBytes(body), out notification, out error);

    [Fact]
    public void Accepts_an_agent_text_message_and_returns_its_id()
    {
        var id = Validate(AgentText, out var notification, out var error);

        Assert.Equal("c327c2078ca056db130c55ce648d9fa2", id);
        Assert.Null(error);
        Assert.Equal("Hello World", notification.GetProperty("text").GetString());
    }

    [Fact]
    public void Reads_the_nickName_spelling_of_the_Genesys_fixture_as_nickname()
    {
        Validate(AgentText, out var notification, out _);

        var typed = NotificationValidator.Read(notification);

        Assert.NotNull(typed);
        Assert.Equal("Acme support", typed.Channel.From?.Nickname);
        Assert.Equal(NotificationValues.TypeText, typed.Type);
        Assert.Equal(new DateTimeOffset(2021, 2, 1, 15, 4, 5, 123, TimeSpan.Zero), typed.Channel.Time);
    }

    [Fact]
    public void Accepts_unknown_fields_and_unknown_types()
    {
        var id = Validate("""{"id":"x1","channel":{},"type":"Hologram","newField":{"a":[1,2]}}""", out var notification, out var error);

        Assert.Equal("x1", id);
        Assert.Null(error);
        Assert.Equal(JsonValueKind.Object, notification.GetProperty("newField").ValueKind);
    }

    [Theory]
    [InlineData("")]
    [InlineData("not json")]
    [InlineData("{\"id\":")]
    public void Rejects_a_body_that_is_not_json(string body)
    {
        Assert.Null(Validate(body, out _, out var error));
        Assert.Contains("JSON", error, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("[]")]
    [InlineData("\"text\"")]
    [InlineData("42")]
    [InlineData("null")]
    public void Rejects_a_body_that_is_not_an_object(string body)
    {
        Assert.Null(Validate(body, out _, out var error));
        Assert.Equal("Body must be a JSON object.", error);
    }

    [Theory]
    [InlineData("""{"channel":{},"type":"Text"}""")]
    [InlineData("""{"id":"","channel":{},"type":"Text"}""")]
    [InlineData("""{"id":42,"channel":{},"type":"Text"}""")]
    [InlineData("""{"id":null,"channel":{},"type":"Text"}""")]
    public void Rejects_a_missing_or_empty_id(string body)
    {
        Assert.Null(Validate(body, out _, out var error));
        Assert.Contains("'id'", error, StringComparison.Ordinal);
    }

    [Fact]
    public void Rejects_an_id_longer_than_the_limit()
    {
        var body = $$"""{"id":"{{new string('a', NotificationValidator.MaxIdLength + 1)}}","channel":{},"type":"Text"}""";

        Assert.Null(Validate(body, out _, out var error));
        Assert.Contains("'id'", error, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("""{"id":"x","type":"Text"}""")]
    [InlineData("""{"id":"x","channel":"open","type":"Text"}""")]
    [InlineData("""{"id":"x","channel":[],"type":"Text"}""")]
    public void Rejects_a_channel_that_is_not_an_object(string body)
    {
        Assert.Null(Validate(body, out _, out var error));
        Assert.Contains("'channel'", error, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("""{"id":"x","channel":{}}""")]
    [InlineData("""{"id":"x","channel":{},"type":""}""")]
    [InlineData("""{"id":"x","channel":{},"type":1}""")]
    public void Rejects_a_missing_type(string body)
    {
        Assert.Null(Validate(body, out _, out var error));
        Assert.Contains("'type'", error, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("""{"id":"x","channel":{},"type":"Text"} {}""")]
    [InlineData("""{"id":"x","channel":{},"type":"Text"}garbage""")]
    public void Rejects_trailing_garbage_after_the_object(string body)
    {
        Assert.Null(Validate(body, out _, out var error));
        Assert.NotNull(error);
    }

    [Fact]
    public void Accepts_trailing_whitespace()
    {
        Assert.Equal("x", Validate("{\"id\":\"x\",\"channel\":{},\"type\":\"Text\"}\r\n  ", out _, out _));
    }

    [Theory]
    [InlineData("""{"id":"first","channel":{},"type":"Text","id":"second"}""")]
    [InlineData("""{"id":"x","channel":{"to":{"id":"a","id":"b"}},"type":"Text"}""")]
    [InlineData("""{"id":"x","channel":{},"type":"Text","text":"hi","text":"bye"}""")]
    public void Rejects_a_property_name_twice_in_one_object_which_parsers_read_differently(string body)
    {
        // Found by ValidatorFuzzTests: the dedupe took the last "id", another reader may take the first.
        Assert.Null(Validate(body, out _, out var error));
        Assert.Contains("once per object", error, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("""{"id":"x","channel":{},"type":"Text","\ud800":1}""")]
    [InlineData("""{"id":"x","channel":{"\udc00a":{}},"type":"Text"}""")]
    public void Rejects_a_lone_surrogate_escape_in_a_property_name_without_throwing(string body)
    {
        Assert.Null(Validate(body, out _, out var error));
        Assert.NotNull(error);
    }
}

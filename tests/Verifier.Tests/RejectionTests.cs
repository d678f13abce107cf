using System.Net;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using PolyAi.Messaging.Contracts;
using PolyAi.Messaging.Verifier.Tests.Support;
using static PolyAi.Messaging.Verifier.Tests.Support.VerifierFixture;

namespace PolyAi.Messaging.Verifier.Tests;

[Collection(VerifierCollection.Name)]
public sealed class RejectionTests(VerifierFixture fixture)
{
    private const int DefaultLimit = 128 * 1024;

    private HttpClient Http => fixture.Verifier.Http;

    [Fact]
    public async Task Rejects_a_body_signed_with_a_wrong_secret_and_publishes_nothing()
    {
        var id = Notifications.NewId();

        using var response = await Http.SendAsync(Notifications.SignedRequest(Acme, Notifications.AgentText(id), "not-the-secret"));

        await AssertProblemAsync(response, HttpStatusCode.Unauthorized);
        Assert.Empty(fixture.PublishedWithId(id));
    }

    [Fact]
    public async Task Rejects_a_body_signed_with_another_tenants_secret()
    {
        var id = Notifications.NewId();

        using var response = await Http.SendAsync(Notifications.SignedRequest(Acme, Notifications.AgentText(id), GlobexSecret));

        var problem = await AssertProblemAsync(response, HttpStatusCode.Unauthorized);
        Assert.DoesNotContain(GlobexSecret, problem, StringComparison.Ordinal);
        Assert.DoesNotContain(AcmeSecret, problem, StringComparison.Ordinal);
        Assert.Empty(fixture.PublishedWithId(id));
    }

    [Fact]
    public async Task Rejects_a_hex_signature_even_of_the_right_mac()
    {
        var id = Notifications.NewId();
        var body = Encoding.UTF8.GetBytes(Notifications.AgentText(id));
        var hex = "sha256=" + Convert.ToHexStringLower(HMACSHA256.HashData(Encoding.UTF8.GetBytes(AcmeSecret), body));

        using var response = await Http.SendAsync(Notifications.Request(Notifications.Path(Acme), body, hex));

        await AssertProblemAsync(response, HttpStatusCode.Unauthorized);
        Assert.Empty(fixture.PublishedWithId(id));
    }

    [Fact]
    public async Task Rejects_a_missing_signature_before_telling_whether_the_tenant_exists()
    {
        var unknown = new TenantKey("nobody-" + Notifications.NewId()[..8], "p", "prod");

        using var known = await Http.SendAsync(Notifications.SignedRequest(Acme, Notifications.AgentText(Notifications.NewId()), secret: null));
        using var unknownTenant = await Http.SendAsync(Notifications.SignedRequest(unknown, Notifications.AgentText(Notifications.NewId()), secret: null));

        Assert.Equal(
            await AssertProblemAsync(known, HttpStatusCode.Unauthorized),
            await AssertProblemAsync(unknownTenant, HttpStatusCode.Unauthorized));
    }

    [Fact]
    public async Task Rejects_unknown_tenants_with_the_same_body_whatever_the_tenant_and_publishes_nothing()
    {
        var id = Notifications.NewId();
        var body = Notifications.AgentText(id);
        var first = new TenantKey("nobody-" + Notifications.NewId()[..8], "project", "prod");
        var second = new TenantKey("acme", "no-such-project", "prod");

        using var one = await Http.SendAsync(Notifications.SignedRequest(first, body, AcmeSecret));
        using var two = await Http.SendAsync(Notifications.SignedRequest(second, body, AcmeSecret));
        using var malformed = await Http.SendAsync(Notifications.Request(
            "/webhooks/genesys/acme%20inc/support-bot/prod/events", Encoding.UTF8.GetBytes(body), WebhookSignatureFor(body)));

        var problem = await AssertProblemAsync(one, HttpStatusCode.NotFound);
        Assert.Equal(problem, await AssertProblemAsync(two, HttpStatusCode.NotFound));
        Assert.Equal(problem, await AssertProblemAsync(malformed, HttpStatusCode.NotFound));
        Assert.DoesNotContain("nobody", problem, StringComparison.Ordinal);
        Assert.DoesNotContain("no-such-project", problem, StringComparison.Ordinal);
        Assert.Empty(fixture.PublishedWithId(id));
    }

    [Theory]
    [InlineData("{not json", "JSON")]
    [InlineData("[1,2,3]", "object")]
    [InlineData("""{"channel":{},"type":"Text"}""", "'id'")]
    [InlineData("""{"id":"abc","channel":{},"type":"Text"} trailing""", "JSON")]
    public async Task Rejects_a_signed_body_that_is_not_a_notification_saying_what_is_wrong(string body, string detail)
    {
        var before = fixture.Sidecar.Published(Topics.PubSub, Topics.GenesysNotifications).Count;

        using var response = await Http.SendAsync(Notifications.SignedRequest(Acme, body, AcmeSecret));

        var problem = await AssertProblemAsync(response, HttpStatusCode.BadRequest);
        Assert.Contains(detail, JsonDocument.Parse(problem).RootElement.GetProperty("detail").GetString(), StringComparison.Ordinal);
        // Tests of one collection run one at a time, so nothing else publishes meanwhile.
        Assert.Equal(before, fixture.Sidecar.Published(Topics.PubSub, Topics.GenesysNotifications).Count);
    }

    [Fact]
    public async Task Rejects_a_body_whose_content_length_is_over_the_limit()
    {
        var body = Encoding.UTF8.GetBytes(Notifications.AgentText(Notifications.NewId(), new string('x', DefaultLimit)));

        using var response = await Http.SendAsync(Notifications.Request(Notifications.Path(Acme), body, WebhookSignatureFor(body)));

        await AssertProblemAsync(response, HttpStatusCode.RequestEntityTooLarge);
    }

    [Fact]
    public async Task Rejects_a_chunked_body_that_grows_over_the_limit_while_reading()
    {
        var id = Notifications.NewId();
        var body = Encoding.UTF8.GetBytes(Notifications.AgentText(id, new string('x', DefaultLimit)));

        using var response = await Http.SendAsync(Notifications.Request(
            Notifications.Path(Acme), body, WebhookSignatureFor(body), new ChunkedContent(body)));

        await AssertProblemAsync(response, HttpStatusCode.RequestEntityTooLarge);
        Assert.Empty(fixture.PublishedWithId(id));
    }

    [Fact]
    public async Task Answers_404_for_other_paths_and_methods_it_does_not_serve()
    {
        using var other = await Http.PostAsync(new Uri("/webhooks/genesys/acme/support-bot/events", UriKind.Relative), new StringContent("{}"));

        Assert.Equal(HttpStatusCode.NotFound, other.StatusCode);
    }

    [Theory]
    [InlineData("invalid UTF-8 in the id", "id")]
    [InlineData("invalid UTF-8 in the text", "text")]
    [InlineData("a lone surrogate escape in the id", "id-surrogate")]
    [InlineData("a lone surrogate escape in the text", "text-surrogate")]
    public async Task Rejects_a_signed_body_that_is_not_unicode_text_with_400_and_publishes_nothing(string what, string where)
    {
        var id = Notifications.NewId();
        var template = where.StartsWith("id", StringComparison.Ordinal)
            ? Notifications.AgentText(id.Insert(4, "MARK"))
            : Notifications.AgentText(id, "Hello MARK there");
        byte[] bad = where.EndsWith("surrogate", StringComparison.Ordinal) ? Encoding.UTF8.GetBytes(@"\ud800") : [0xC3, 0x28];
        var body = template.Split("MARK").Select(Encoding.UTF8.GetBytes).Aggregate((before, after) => [.. before, .. bad, .. after]);
        var publishedBefore = fixture.Sidecar.Published(Topics.PubSub, Topics.GenesysNotifications).Count;

        using var response = await Http.SendAsync(Notifications.Request(Notifications.Path(Acme), body, WebhookSignatureFor(body)));

        Assert.True(response.StatusCode == HttpStatusCode.BadRequest, $"{what}: answered {response.StatusCode}");
        var problem = await AssertProblemAsync(response, HttpStatusCode.BadRequest);
        Assert.Contains(where.EndsWith("surrogate", StringComparison.Ordinal) ? "surrogate" : "UTF-8", problem, StringComparison.Ordinal);
        Assert.Equal(publishedBefore, fixture.Sidecar.Published(Topics.PubSub, Topics.GenesysNotifications).Count);
    }

    private static string WebhookSignatureFor(byte[] body) => Genesys.OpenMessaging.WebhookSignature.Compute(AcmeSecret, body);

    private static string WebhookSignatureFor(string body) => WebhookSignatureFor(Encoding.UTF8.GetBytes(body));

    private static async Task<string> AssertProblemAsync(HttpResponseMessage response, HttpStatusCode status)
    {
        Assert.Equal(status, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        var text = await response.Content.ReadAsStringAsync();
        var problem = JsonDocument.Parse(text).RootElement;
        Assert.Equal((int)status, problem.GetProperty("status").GetInt32());
        Assert.False(string.IsNullOrEmpty(problem.GetProperty("title").GetString()));
        return text;
    }
}

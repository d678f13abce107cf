using System.Text;
using PolyAi.Messaging.Genesys.OpenMessaging;

namespace PolyAi.Messaging.Genesys.Tests;

public sealed class WebhookSignatureTests
{
    // Vector computed independently of this code:
    // python3 -c 'import hmac,hashlib,base64; print(base64.b64encode(hmac.new(b"s3cr3t-token", BODY, hashlib.sha256).digest()))'
    private const string Secret = "s3cr3t-token";
    private const string Body = """{"id":"c327c2078ca056db130c55ce648d9fa2","channel":{"id":"integration-1"},"type":"Text","text":"Hello World"}""";
    private const string GenesysHeader = "sha256=mSYUwZKvC5WFKmZazfsf65mJRbinBc0lk5XPKoGs0gw=";
    private const string HexOfSameMac = "992614c192af0b95852a665acdfb1feb998945b8a705cd259395cf2a81acd20c";
    private const string EmptyBodyHeader = "sha256=dy5Vhar8lWdKIWDm8LUipHDTZx4+psFURFFAAy6yjvk=";

    private static readonly byte[] BodyBytes = Encoding.UTF8.GetBytes(Body);

    [Fact]
    public void Computes_the_header_Genesys_sends()
    {
        Assert.Equal(GenesysHeader, WebhookSignature.Compute(Secret, BodyBytes));
    }

    [Fact]
    public void Accepts_the_header_Genesys_sends_for_the_raw_body()
    {
        Assert.True(WebhookSignature.IsValid(GenesysHeader, BodyBytes, [Secret]));
    }

    [Fact]
    public void Rejects_a_body_signed_with_another_secret()
    {
        Assert.False(WebhookSignature.IsValid(GenesysHeader, BodyBytes, ["another-secret"]));
    }

    [Fact]
    public void Accepts_a_body_signed_with_the_previous_secret_during_rotation()
    {
        Assert.True(WebhookSignature.IsValid(GenesysHeader, BodyBytes, ["new-secret", Secret]));
    }

    [Fact]
    public void Ignores_missing_secrets_and_rejects_when_none_is_set()
    {
        Assert.True(WebhookSignature.IsValid(GenesysHeader, BodyBytes, [null, Secret]));
        Assert.False(WebhookSignature.IsValid(GenesysHeader, BodyBytes, [null, ""]));
    }

    [Theory]
    [InlineData("sha256=" + HexOfSameMac)]
    [InlineData(HexOfSameMac)]
    public void Rejects_a_hex_encoded_signature(string header)
    {
        Assert.False(WebhookSignature.IsValid(header, BodyBytes, [Secret]));
    }

    [Theory]
    [InlineData("mSYUwZKvC5WFKmZazfsf65mJRbinBc0lk5XPKoGs0gw=")]
    [InlineData("sha1=mSYUwZKvC5WFKmZazfsf65mJRbinBc0lk5XPKoGs0gw=")]
    [InlineData("SHA256=mSYUwZKvC5WFKmZazfsf65mJRbinBc0lk5XPKoGs0gw=")]
    [InlineData(" sha256=mSYUwZKvC5WFKmZazfsf65mJRbinBc0lk5XPKoGs0gw=")]
    public void Rejects_a_signature_without_the_sha256_prefix(string header)
    {
        Assert.False(WebhookSignature.IsValid(header, BodyBytes, [Secret]));
    }

    [Theory]
    [InlineData("sha256=")]
    [InlineData("sha256=mSYUwZKvC5WFKmZazfsf65mJRbinBc0lk5XPKoGs0g=")]
    [InlineData("sha256=mSYUwZKvC5WFKmZazfsf65mJRbinBc0lk5XPKoGs0gw==")]
    [InlineData("sha256=mSYUwZKvC5WFKmZazfsf65mJRbinBc0lk5XPKoGs0gé=")]
    [InlineData("sha256=!SYUwZKvC5WFKmZazfsf65mJRbinBc0lk5XPKoGs0gw=")]
    public void Rejects_a_signature_that_is_not_44_base64_characters(string header)
    {
        Assert.False(WebhookSignature.IsValid(header, BodyBytes, [Secret]));
    }

    [Fact]
    public void Rejects_a_body_with_one_flipped_byte()
    {
        for (var i = 0; i < BodyBytes.Length; i += 7)
        {
            var tampered = (byte[])BodyBytes.Clone();
            tampered[i] ^= 0x01;
            Assert.False(WebhookSignature.IsValid(GenesysHeader, tampered, [Secret]), $"byte {i} flipped was accepted");
        }
    }

    [Fact]
    public void Accepts_an_empty_body_only_when_it_is_signed()
    {
        Assert.Equal(EmptyBodyHeader, WebhookSignature.Compute(Secret, []));
        Assert.True(WebhookSignature.IsValid(EmptyBodyHeader, [], [Secret]));
        Assert.False(WebhookSignature.IsValid(GenesysHeader, [], [Secret]));
    }

    [Fact]
    public void Rejects_a_missing_header()
    {
        Assert.False(WebhookSignature.IsValid(null, BodyBytes, [Secret]));
        Assert.False(WebhookSignature.IsValid(string.Empty, BodyBytes, [Secret]));
    }

    [Fact]
    public void Signs_with_long_and_non_ascii_secrets()
    {
        var longSecret = new string('k', 1000) + "ü";
        var header = WebhookSignature.Compute(longSecret, BodyBytes);
        Assert.True(WebhookSignature.IsValid(header, BodyBytes, [longSecret]));
        Assert.False(WebhookSignature.IsValid(header, BodyBytes, [new string('k', 1000) + "u"]));
    }

    [Fact]
    public void Tells_a_well_formed_header_from_a_malformed_one_without_a_secret()
    {
        Assert.True(WebhookSignature.IsWellFormed(GenesysHeader));
        Assert.True(WebhookSignature.IsWellFormed(WebhookSignature.Compute("any secret", [])));
        Assert.False(WebhookSignature.IsWellFormed(null));
        Assert.False(WebhookSignature.IsWellFormed("sha256=" + HexOfSameMac));
        Assert.False(WebhookSignature.IsWellFormed(GenesysHeader[7..]));
        Assert.False(WebhookSignature.IsWellFormed(GenesysHeader + "A"));
    }
}

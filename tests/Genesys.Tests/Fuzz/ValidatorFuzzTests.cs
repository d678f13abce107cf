using System.Text;
using CsCheck;
using Xunit.Abstractions;
using PolyAi.Messaging.Contracts;
using PolyAi.Messaging.Genesys.OpenMessaging;
using PolyAi.Messaging.Testing.Fuzz;

namespace PolyAi.Messaging.Genesys.Tests.Fuzz;

/// <summary>
/// Property-based fuzzing of what decides whether a webhook is let in: the notification validator against an oracle
/// written apart from it, and the signature check. Quick here; the long run is in docs/security.md.
/// </summary>
[Trait("Category", "Fuzz")]
public sealed class ValidatorFuzzTests(ITestOutputHelper output)
{
    [Fact]
    public void The_validator_accepts_exactly_what_the_oracle_calls_a_notification_and_never_throws()
    {
        long accepted = 0, rejected = 0;
        HostileInputs.Body.Sample(
            body =>
            {
                var id = NotificationValidator.Validate(body, out var notification, out var error);
                var expected = HostileInputs.ValidNotificationId(body);
                Assert.Equal(expected, id);
                Assert.Equal(id is null, error is not null);
                if (id is null)
                {
                    Interlocked.Increment(ref rejected);
                    Assert.False(string.IsNullOrWhiteSpace(error));
                }
                else
                {
                    Interlocked.Increment(ref accepted);
                    Assert.Equal(id, notification.GetProperty("id").GetString());
                }
            },
            iter: HostileInputs.Iterations(20_000),
            print: body => Convert.ToBase64String(body));

        output.WriteLine($"accepted {accepted}, rejected {rejected}");

        // The generators reach both sides, or the property proves little.
        Assert.True(accepted > 0 && rejected > 0, $"accepted {accepted}, rejected {rejected}");
    }

    [Fact]
    public void A_signature_holds_only_for_its_own_body_and_secret_and_no_header_makes_the_check_throw()
    {
        const string secret = "fuzz-webhook-secret";
        Gen.Select(HostileInputs.Body, HostileInputs.Body, Gen.Int[0, 43]).Sample(
            (body, other, at) =>
            {
                var signature = WebhookSignature.Compute(secret, body);
                Assert.True(WebhookSignature.IsWellFormed(signature));
                Assert.True(WebhookSignature.IsValid(signature, body, [secret]));
                Assert.True(WebhookSignature.IsValid(signature, body, ["previous-secret", secret]));
                Assert.False(WebhookSignature.IsValid(signature, body, ["another-secret", null, ""]));
                Assert.Equal(body.AsSpan().SequenceEqual(other), WebhookSignature.IsValid(signature, other, [secret]));

                // One Base64 character changed: another MAC, or not a MAC at all.
                var i = WebhookSignature.Prefix.Length + at;
                var changed = signature[..i] + (signature[i] == 'A' ? 'B' : 'A') + signature[(i + 1)..];
                Assert.False(WebhookSignature.IsValid(changed, body, [secret]));
            },
            iter: HostileInputs.Iterations(5_000));
    }

    [Fact]
    public void Any_header_text_is_judged_without_throwing_and_only_the_right_mac_passes()
    {
        const string secret = "fuzz-webhook-secret";
        var body = Encoding.UTF8.GetBytes("{\"id\":\"fuzz-1\",\"channel\":{},\"type\":\"Text\"}");
        var correct = WebhookSignature.Compute(secret, body);
        Gen.Frequency((3, HostileInputs.SignatureFor(correct)), (1, HostileInputs.Text.Select<string, string?>(s => WebhookSignature.Prefix + s))).Sample(
            header =>
            {
                var wellFormed = WebhookSignature.IsWellFormed(header);
                var valid = WebhookSignature.IsValid(header, body, [secret]);
                Assert.Equal(header == correct, valid);
                Assert.True(wellFormed || !valid);
            },
            iter: HostileInputs.Iterations(20_000),
            print: header => header ?? "(none)");
    }
}

using System.Collections.Concurrent;
using System.Net;
using CsCheck;
using Xunit.Abstractions;
using PolyAi.Messaging.Contracts;
using PolyAi.Messaging.Genesys.OpenMessaging;
using PolyAi.Messaging.Testing.Fuzz;
using PolyAi.Messaging.Verifier.Tests.Support;
using static PolyAi.Messaging.Verifier.Tests.Support.VerifierFixture;

namespace PolyAi.Messaging.Verifier.Tests;

/// <summary>
/// Generated webhooks (valid, nearly valid, garbage; signed right, nearly right, not at all; to a tenant, to made-up
/// and malformed tenant paths) against the running verifier: each gets the answer its input deserves — never a 5xx —
/// and exactly the accepted notifications are published, once each.
/// </summary>
[Collection(VerifierCollection.Name)]
[Trait("Category", "Fuzz")]
public sealed class FuzzTests(VerifierFixture fixture, ITestOutputHelper output)
{
    private enum Target
    {
        Tenant,
        UnknownTenant,
        MalformedPath,
    }

    private static readonly Gen<(Target Target, string Segment)> Targets = Gen.Frequency(
        (16, Gen.Const((Target.Tenant, ""))),
        (1, Gen.Char["abcdefghijklmnopqrstuvwxyz0123456789-"].Array[1, 20].Select(a => new string(a)).Select(s => (Target.UnknownTenant, "nobody-" + s))),
        (1, HostileInputs.Text.Select(s => (Target.MalformedPath, s))));

    [Fact]
    public async Task Every_generated_webhook_gets_the_answer_its_input_deserves_and_only_accepted_ones_are_published()
    {
        var http = fixture.Verifier.Http;
        var accepted = new ConcurrentDictionary<string, int>();
        var statuses = new ConcurrentDictionary<HttpStatusCode, int>();
        var input = Gen.Select(HostileInputs.Body, Gen.Bool, Targets).SelectMany((body, previous, target) =>
            HostileInputs.SignatureFor(WebhookSignature.Compute(previous ? AcmePreviousSecret : AcmeSecret, body))
                .Select(signature => (body, signature, target)));

        await input.SampleAsync(
            async webhook =>
            {
                var (body, signature, (kind, segment)) = webhook;
                var path = kind switch
                {
                    Target.Tenant => Notifications.Path(Acme),
                    Target.UnknownTenant => Notifications.Path(new TenantKey(segment, "p", "prod")),
                    _ => $"/webhooks/genesys/{Uri.EscapeDataString(segment)}/p/prod/events",
                };
                using var response = await http.SendAsync(Notifications.Request(path, body, signature));
                statuses.AddOrUpdate(response.StatusCode, 1, (_, n) => n + 1);
                Assert.True((int)response.StatusCode < 500, $"{(int)response.StatusCode} for {Convert.ToBase64String(body)}");
                var signed = WebhookSignature.IsValid(signature, body, [AcmeSecret, AcmePreviousSecret]);
                var id = HostileInputs.ValidNotificationId(body);
                if (kind == Target.Tenant)
                {
                    var expected = !signed ? HttpStatusCode.Unauthorized : id is null ? HttpStatusCode.BadRequest : HttpStatusCode.OK;
                    Assert.Equal(expected, response.StatusCode);
                    if (expected != HttpStatusCode.OK)
                    {
                        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
                    }
                    else
                    {
                        accepted.AddOrUpdate(id!, 1, (_, n) => n + 1);
                    }
                }
                else
                {
                    Assert.NotEqual(HttpStatusCode.OK, response.StatusCode);
                }
            },
            iter: HostileInputs.Iterations(1_500),
            print: t => $"{t.Item3} {t.Item2} {Convert.ToBase64String(t.Item1)}");

        output.WriteLine($"statuses: {string.Join(", ", statuses.OrderBy(s => s.Key).Select(s => $"{(int)s.Key}×{s.Value}"))}; distinct accepted ids {accepted.Count}");

        // Both sides reached, or the run proves little.
        Assert.True(!accepted.IsEmpty && statuses.Keys.Count(s => s != HttpStatusCode.OK) >= 3, string.Join(", ", statuses));
        var published = fixture.Sidecar.Published(Topics.PubSub, Topics.GenesysNotifications)
            .Select(envelope => envelope["id"]?.GetValue<string>() ?? "")
            .Where(id => accepted.ContainsKey(id) || id.StartsWith(HostileInputs.IdPrefix, StringComparison.Ordinal))
            .GroupBy(id => id)
            .ToDictionary(g => g.Key, g => g.Count());
        Assert.Equal(accepted.Keys.Order(StringComparer.Ordinal), published.Keys.Order(StringComparer.Ordinal));
        Assert.All(published, p => Assert.Equal(1, p.Value));

        // Still serving: health, and a webhook like any other.
        Assert.Equal(HttpStatusCode.OK, (await http.GetAsync(new Uri("/healthz", UriKind.Relative))).StatusCode);
        using var after = await http.SendAsync(Notifications.SignedRequest(Acme, Notifications.AgentText(Notifications.NewId()), AcmeSecret));
        Assert.Equal(HttpStatusCode.OK, after.StatusCode);
    }
}

using System.Net;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Testing;
using Microsoft.Extensions.Time.Testing;
using PolyAi.Messaging.Contracts;
using PolyAi.Messaging.ServiceDefaults;
using PolyAi.Messaging.Verifier.Tests.Support;
using PolyAi.Messaging.Verifier.Webhooks;
using static PolyAi.Messaging.Verifier.Tests.Support.VerifierFixture;

namespace PolyAi.Messaging.Verifier.Tests;

[Collection(VerifierCollection.Name)]
public sealed class RejectionLogTests(VerifierFixture fixture)
{
    private const int Burst = 5;

    [Fact]
    public async Task A_flood_of_rejected_webhooks_writes_a_few_lines_and_the_next_line_says_how_many_were_held_back()
    {
        var clock = new FakeTimeProvider(Now);
        await using var verifier = fixture.StartVerifier(
            new Dictionary<string, string>
            {
                ["Verifier:RejectionLogBurst"] = Burst.ToString(System.Globalization.CultureInfo.InvariantCulture),
                ["Verifier:RejectionLogInterval"] = "00:00:10",
            },
            clock,
            configureServices: services => services.AddFakeLogging());
        var collector = verifier.Services.GetFakeLogCollector();

        for (var i = 0; i < 60; i++)
        {
            var madeUp = new TenantKey("flood-" + Notifications.NewId()[..12], "p", "prod");
            using var unknown = await verifier.Http.SendAsync(
                Notifications.SignedRequest(madeUp, Notifications.AgentText(Notifications.NewId()), "guessed"));
            Assert.Equal(HttpStatusCode.NotFound, unknown.StatusCode);

            using var forged = await verifier.Http.SendAsync(
                Notifications.SignedRequest(Acme, Notifications.AgentText(Notifications.NewId()), "guessed"));
            Assert.Equal(HttpStatusCode.Unauthorized, forged.StatusCode);
        }

        Assert.Equal(Burst, Rejections(collector, "unknown tenant").Count);
        Assert.Equal(Burst, Rejections(collector, "signature does not match").Count);

        // Every line carries the tenant under the key every service uses, as text a reader can scan.
        var scope = Rejections(collector, "signature does not match")[0].Scopes.OfType<LogScope>().Single();
        Assert.Equal(Acme.ToString(), scope.Single(pair => pair.Key == "tenant").Value);
        Assert.Equal($"tenant={Acme}", scope.ToString());

        clock.Advance(TimeSpan.FromSeconds(10));
        using (var afterQuiet = await verifier.Http.SendAsync(Notifications.SignedRequest(
            new TenantKey("flood-late", "p", "prod"), Notifications.AgentText(Notifications.NewId()), "guessed")))
        {
            Assert.Equal(HttpStatusCode.NotFound, afterQuiet.StatusCode);
        }

        var lines = Rejections(collector, "unknown tenant");
        Assert.Equal(Burst + 1, lines.Count);
        Assert.Equal(0L, Suppressed(lines[0]));
        Assert.Equal(60L - Burst, Suppressed(lines[^1]));
    }

    private static List<FakeLogRecord> Rejections(FakeLogCollector collector, string kind) =>
        collector.GetSnapshot()
            .Where(record => record.Category == typeof(WebhookIntake).FullName && record.Level == LogLevel.Warning)
            .Where(record => record.Message.Contains(kind, StringComparison.Ordinal))
            .ToList();

    private static long Suppressed(FakeLogRecord record) =>
        Convert.ToInt64(record.StructuredState!.Single(pair => pair.Key == "Suppressed").Value, System.Globalization.CultureInfo.InvariantCulture);
}

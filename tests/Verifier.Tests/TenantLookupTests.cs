using System.Net;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Time.Testing;
using PolyAi.Messaging.Contracts;
using PolyAi.Messaging.Verifier.Tests.Support;
using static PolyAi.Messaging.Verifier.Tests.Support.VerifierFixture;

namespace PolyAi.Messaging.Verifier.Tests;

[Collection(VerifierCollection.Name)]
public sealed class TenantLookupTests(VerifierFixture fixture)
{
    [Fact]
    public async Task Webhooks_to_made_up_tenants_leave_the_cache_within_its_bound_and_known_tenants_verified()
    {
        await using var verifier = fixture.StartVerifier(new Dictionary<string, string> { ["Tenancy:MaxCachedTenants"] = "20" });
        var directory = verifier.Services.GetRequiredService<TenantDirectory>();

        for (var i = 0; i < 200; i++)
        {
            var madeUp = new TenantKey("made-up-" + Notifications.NewId()[..12], "p", "prod");
            using var response = await verifier.Http.SendAsync(
                Notifications.SignedRequest(madeUp, Notifications.AgentText(Notifications.NewId()), "guessed-secret"));
            Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
        }

        Assert.InRange(directory.Count, 1, 20);

        var id = Notifications.NewId();
        using var known = await verifier.Http.SendAsync(Notifications.SignedRequest(Acme, Notifications.AgentText(id), AcmeSecret));
        Assert.Equal(HttpStatusCode.OK, known.StatusCode);
        Assert.Single(fixture.PublishedWithId(id));
    }

    [Fact]
    public async Task A_tenant_provisioned_just_after_a_miss_is_found_once_the_miss_expires()
    {
        var clock = new FakeTimeProvider(Now);
        await using var verifier = fixture.StartVerifier(
            new Dictionary<string, string> { ["Tenancy:MissTtl"] = "00:00:05", ["Tenancy:CacheTtl"] = "00:00:30" }, clock);
        await fixture.Dapr.DeleteStateAsync(StateStore, Initech.RecordStateKey);

        using (var before = await verifier.Http.SendAsync(Signed(Notifications.NewId())))
        {
            Assert.Equal(HttpStatusCode.NotFound, before.StatusCode);
        }

        await fixture.Dapr.SaveStateAsync(StateStore, Initech.RecordStateKey,
            new TenantRecord(Initech.AccountId, Initech.ProjectId, Initech.ClientEnv, GenesysRegion: "usw2.pure.cloud"));
        try
        {
            using (var stillCached = await verifier.Http.SendAsync(Signed(Notifications.NewId())))
            {
                Assert.Equal(HttpStatusCode.NotFound, stillCached.StatusCode);
            }

            clock.Advance(TimeSpan.FromSeconds(6));
            var id = Notifications.NewId();
            using var found = await verifier.Http.SendAsync(Signed(id));

            Assert.Equal(HttpStatusCode.OK, found.StatusCode);
            Assert.Single(fixture.PublishedWithId(id));
        }
        finally
        {
            await fixture.Dapr.DeleteStateAsync(StateStore, Initech.RecordStateKey);
        }

        static HttpRequestMessage Signed(string id) => Notifications.SignedRequest(Initech, Notifications.AgentText(id), InitechSecret);
    }
}

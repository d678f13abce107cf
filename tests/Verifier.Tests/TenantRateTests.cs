using System.Net;
using PolyAi.Messaging.Contracts;
using PolyAi.Messaging.Verifier.Tests.Support;
using static PolyAi.Messaging.Verifier.Tests.Support.VerifierFixture;

namespace PolyAi.Messaging.Verifier.Tests;

/// <summary>A tenant's own webhook allowance reaches the edge on the verifier's verified answers, and only there.</summary>
[Collection(VerifierCollection.Name)]
public sealed class TenantRateTests(VerifierFixture fixture)
{
    [Fact]
    public async Task A_verified_webhook_of_a_tenant_with_its_own_allowance_names_it_and_nothing_else_does()
    {
        await fixture.Dapr.SaveStateAsync(StateStore, Initech.RecordStateKey,
            new TenantRecord(Initech.AccountId, Initech.ProjectId, Initech.ClientEnv, GenesysRegion: "usw2.pure.cloud", WebhookRateLimit: new WebhookRateLimit(5, 10)));
        try
        {
            await using var verifier = fixture.StartVerifier();

            var id = Notifications.NewId();
            using var own = await verifier.Http.SendAsync(Notifications.SignedRequest(Initech, Notifications.AgentText(id), InitechSecret));
            using var again = await verifier.Http.SendAsync(Notifications.SignedRequest(Initech, Notifications.AgentText(id), InitechSecret));
            using var unsigned = await verifier.Http.SendAsync(Notifications.SignedRequest(Initech, Notifications.AgentText(Notifications.NewId()), "not-the-secret"));
            using var byDefault = await verifier.Http.SendAsync(Notifications.SignedRequest(Acme, Notifications.AgentText(Notifications.NewId()), AcmeSecret));

            Assert.Equal(HttpStatusCode.OK, own.StatusCode);
            Assert.Equal("5; burst=10", Assert.Single(own.Headers.GetValues(WebhookRateLimit.HeaderName)));
            Assert.Equal(HttpStatusCode.OK, again.StatusCode); // the duplicate is verified too, and says the same
            Assert.Equal("5; burst=10", Assert.Single(again.Headers.GetValues(WebhookRateLimit.HeaderName)));
            Assert.Equal(HttpStatusCode.Unauthorized, unsigned.StatusCode);
            Assert.False(unsigned.Headers.Contains(WebhookRateLimit.HeaderName), "a caller without the secret learns nothing of the tenant");
            Assert.Equal(HttpStatusCode.OK, byDefault.StatusCode);
            Assert.False(byDefault.Headers.Contains(WebhookRateLimit.HeaderName), "a tenant without its own allowance has the edge's default");
        }
        finally
        {
            await fixture.Dapr.SaveStateAsync(StateStore, Initech.RecordStateKey,
                new TenantRecord(Initech.AccountId, Initech.ProjectId, Initech.ClientEnv, GenesysRegion: "usw2.pure.cloud"));
        }
    }
}

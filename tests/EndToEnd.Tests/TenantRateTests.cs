using System.Net;
using PolyAi.Messaging.Contracts;

namespace PolyAi.Messaging.EndToEnd.Tests;

/// <summary>
/// A tenant record's own webhook allowance, through the real verifier (which names it on its verified answers) and
/// the real edge (which sizes the tenant's bucket by it and keeps the header to itself).
/// </summary>
[Collection(StackCollection.Name)]
public sealed class TenantRateTests(StackFixture stack)
{
    [Fact]
    public async Task A_tenant_with_its_own_allowance_in_its_record_is_limited_by_it_at_the_edge()
    {
        var answers = new List<HttpStatusCode>();
        for (var i = 0; i < 10; i++)
        {
            using var response = await stack.SendAsync(stack.Limited, GenesysWebhook.TextBody(Guid.NewGuid().ToString("N"), "customer-limited", $"message {i}"));
            answers.Add(response.StatusCode);
            Assert.False(response.Headers.Contains(WebhookRateLimit.HeaderName), "the allowance never leaves the edge");
        }

        // Its record says 1/s with a burst of 2; the stack's default is 5,000/s.
        Assert.Contains(HttpStatusCode.TooManyRequests, answers);
        Assert.InRange(answers.Count(s => s == HttpStatusCode.OK), 2, 5);
        using var other = await stack.SendAsync(stack.Other, GenesysWebhook.TextBody(Guid.NewGuid().ToString("N"), "customer-unlimited", "hello"));
        Assert.Equal(HttpStatusCode.OK, other.StatusCode);
    }
}

using System.Net;

namespace PolyAi.Messaging.EndToEnd.Tests;

/// <summary>A human agent's messages arrive from Genesys as signed webhooks and must reach the customer's side.</summary>
[Collection(StackCollection.Name)]
public sealed class WebhookPipelineTests(StackFixture stack)
{
    private static readonly TimeSpan Within = TimeSpan.FromSeconds(20);

    [Fact]
    public async Task Signed_agent_message_reaches_the_agent_transcript_and_the_handoff_session()
    {
        var id = NewId();
        var customer = "customer-" + id;
        var body = GenesysWebhook.TextBody(id, customer, "Hi, this is Sam from support", genesysConversationId: "conv-" + id);

        using var response = await stack.SendAsync(stack.Demo, body);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var transcript = await Eventually.Until(
            () => stack.TranscriptAsync(stack.Demo.Key, customer), m => m.Count == 1, Within, m => $"{m.Count} messages\n{stack.RecentLog}");
        Assert.Equal(id, transcript[0].GetProperty("id").GetString());
        Assert.Equal("agent", transcript[0].GetProperty("role").GetString());
        Assert.Equal("Hi, this is Sam from support", transcript[0].GetProperty("text").GetString());

        var session = await Eventually.Until(
            () => stack.HandoffSessionAsync(stack.Demo.Key, "conv-" + id), s => s is not null, Within, _ => $"no handoff session\n{stack.RecentLog}");
        Assert.Contains(id, session!.Value.GetRawText(), StringComparison.Ordinal);
        Assert.Empty(await stack.TranscriptAsync(stack.Other.Key, customer));
    }

    public static TheoryData<string> RejectedCases =>
        ["wrong signature", "other tenant's secret", "unknown tenant", "malformed JSON", "not a notification", "oversized body", "no signature"];

    [Theory]
    [MemberData(nameof(RejectedCases))]
    public async Task Rejected_webhook_gets_its_status_and_publishes_nothing(string @case)
    {
        var id = NewId();
        var body = GenesysWebhook.TextBody(id, "customer-" + id, "should never arrive");
        var (url, payload, signature, expected) = @case switch
        {
            "wrong signature" => (stack.Demo.WebhookUrl, body, GenesysWebhook.Sign("not-the-secret-at-all-0123456789", body), HttpStatusCode.Unauthorized),
            "other tenant's secret" => (stack.Demo.WebhookUrl, body, GenesysWebhook.Sign(stack.Other.WebhookSecret, body), HttpStatusCode.Unauthorized),
            "no signature" => (stack.Demo.WebhookUrl, body, null, HttpStatusCode.Unauthorized),
            "unknown tenant" => (new Uri(stack.Stack.EdgeUrl, "webhooks/genesys/ACCOUNT-nobody/PROJECT-nobody/live/events"), body, GenesysWebhook.Sign(stack.Demo.WebhookSecret, body), HttpStatusCode.NotFound),
            "malformed JSON" => (stack.Demo.WebhookUrl, body[..^3], GenesysWebhook.Sign(stack.Demo.WebhookSecret, body[..^3]), HttpStatusCode.BadRequest),
            "not a notification" => (stack.Demo.WebhookUrl, "{\"hello\":\"" + id + "\"}", GenesysWebhook.Sign(stack.Demo.WebhookSecret, "{\"hello\":\"" + id + "\"}"), HttpStatusCode.BadRequest),
            "oversized body" => (stack.Demo.WebhookUrl, Oversized(id), GenesysWebhook.Sign(stack.Demo.WebhookSecret, Oversized(id)), HttpStatusCode.RequestEntityTooLarge),
            _ => throw new ArgumentOutOfRangeException(nameof(@case)),
        };

        using var response = await stack.Http.SendAsync(GenesysWebhook.Request(url, payload, signature));

        Assert.Equal(expected, response.StatusCode);
        Assert.StartsWith("application/problem+json", response.Content.Headers.ContentType?.ToString(), StringComparison.Ordinal);
        var problem = await response.Content.ReadAsStringAsync();
        Assert.DoesNotContain(stack.Demo.WebhookSecret, problem, StringComparison.Ordinal);
        Assert.DoesNotContain(stack.Other.WebhookSecret, problem, StringComparison.Ordinal);

        // A valid webhook sent afterwards is published; the rejected one never is (publishing is in order per sender).
        var marker = NewId();
        using var accepted = await stack.SendAsync(stack.Demo, GenesysWebhook.TextBody(marker, "customer-" + marker, "marker"));
        Assert.Equal(HttpStatusCode.OK, accepted.StatusCode);
        var published = await stack.PublishedNotificationIdsAsync();
        Assert.Contains(marker, published);
        Assert.DoesNotContain(id, published);
    }

    [Fact]
    public async Task Duplicate_webhook_is_acknowledged_twice_and_processed_once()
    {
        var id = NewId();
        var customer = "customer-" + id;
        var body = GenesysWebhook.TextBody(id, customer, "only once please");

        using var first = await stack.SendAsync(stack.Demo, body);
        using var second = await stack.SendAsync(stack.Demo, body);

        Assert.Equal(HttpStatusCode.OK, first.StatusCode);
        Assert.Equal(HttpStatusCode.OK, second.StatusCode);
        await Eventually.Until(() => stack.TranscriptAsync(stack.Demo.Key, customer), m => m.Count >= 1, Within, m => $"{m.Count} messages");
        // A later message of the same conversation has landed, so the duplicate had every chance to land too.
        var later = NewId();
        using var third = await stack.SendAsync(stack.Demo, GenesysWebhook.TextBody(later, customer, "next"));
        var transcript = await Eventually.Until(
            () => stack.TranscriptAsync(stack.Demo.Key, customer), m => m.Any(x => x.GetProperty("id").GetString() == later), Within, m => $"{m.Count} messages");
        Assert.Single(transcript, m => m.GetProperty("id").GetString() == id);
        Assert.Single(await stack.PublishedNotificationIdsAsync(), p => p == id);
    }

    private static string Oversized(string id) =>
        GenesysWebhook.TextBody(id, "customer-" + id, new string('x', 130 * 1024));

    internal static string NewId() => Guid.NewGuid().ToString("N");
}

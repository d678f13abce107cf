using System.Net.Http.Headers;
using System.Text;
using PolyAi.Messaging.Contracts;
using PolyAi.Messaging.Genesys.OpenMessaging;

namespace PolyAi.Messaging.Verifier.Tests.Support;

/// <summary>Genesys outbound notifications and the requests that carry them, signed as Genesys signs them.</summary>
public static class Notifications
{
    public static string NewId() => Guid.NewGuid().ToString("N");

    public static string AgentText(string id, string text = "Hello from a human") => $$$"""
        {"id":"{{{id}}}","channel":{"id":"integration-1","messageId":"{{{id}}}","platform":"Open","type":"Private",
         "to":{"id":"user-123","idType":"Opaque"},"from":{"nickName":"Acme","id":"integration-1","idType":"Opaque"},
         "time":"2026-03-01T11:59:58.000Z"},
         "conversationId":"d06cb41e-f938-4dcf-b823-c8af1a39d7e5","direction":"Outbound","originatingEntity":"Human",
         "type":"Text","text":"{{{text}}}","futureField":{"kept":true}}
        """;

    public static string Path(TenantKey tenant) =>
        $"/webhooks/genesys/{tenant.AccountId}/{tenant.ProjectId}/{tenant.ClientEnv}/events";

    public static HttpRequestMessage SignedRequest(TenantKey tenant, string body, string? secret) =>
        Request(Path(tenant), Encoding.UTF8.GetBytes(body), secret is null ? null : WebhookSignature.Compute(secret, Encoding.UTF8.GetBytes(body)));

    public static HttpRequestMessage Request(string path, byte[] body, string? signature, HttpContent? content = null)
    {
        var request = new HttpRequestMessage(HttpMethod.Post, new Uri(path, UriKind.Relative))
        {
            Content = content ?? new ByteArrayContent(body),
        };
        request.Content.Headers.ContentType = new MediaTypeHeaderValue("application/json");
        if (signature is not null)
        {
            request.Headers.TryAddWithoutValidation(WebhookSignature.HeaderName, signature);
        }

        return request;
    }
}

namespace PolyAi.Messaging.DevStack;

/// <summary>A copy-paste shell command that sends a correctly signed Genesys text notification to a tenant.</summary>
public static class SampleWebhook
{
    public static string CurlCommand(RegisteredTenant tenant)
    {
        // A new id per run (Genesys ids are unique; a repeated id is acknowledged as a duplicate, not processed again).
        var integration = tenant.Genesys.IntegrationId;
        var body = "{\"id\":\"sample-'\"$(date +%s%N)\"'\",\"channel\":{\"id\":\"" + integration + "\",\"platform\":\"Open\",\"type\":\"Private\","
            + "\"messageId\":\"sample-message\",\"to\":{\"id\":\"demo-customer\",\"idType\":\"Opaque\"},"
            + "\"from\":{\"id\":\"" + integration + "\",\"idType\":\"Opaque\",\"nickname\":\"Demo integration\"},"
            + "\"time\":\"2026-01-01T12:00:00.000Z\"},\"conversationId\":\"demo-genesys-conversation\","
            + "\"direction\":\"Outbound\",\"originatingEntity\":\"Human\",\"type\":\"Text\",\"text\":\"Hello from a human agent\"}";
        return $"body='{body}'; "
            + $"curl -sS -i -X POST '{tenant.WebhookUrl}' -H 'Content-Type: application/json' "
            + $"-H \"X-Hub-Signature-256: sha256=$(printf '%s' \"$body\" | openssl dgst -sha256 -hmac '{tenant.WebhookSecret}' -binary | base64 -w0)\" "
            + "--data-binary \"$body\"";
    }
}

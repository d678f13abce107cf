using System.Net;
using System.Net.Http.Headers;
using System.Text;
using PolyAi.Messaging.Testing;

namespace PolyAi.Messaging.Agent.Tests;

/// <summary>What a caller sees when the agent cannot reach its state store: a retryable 503, and nothing of the request or the code.</summary>
[Collection(AgentCollection.Name)]
public sealed class ErrorHandlingTests(AgentFixture fixture)
{
    [Fact]
    public async Task With_the_state_store_unreachable_chat_calls_get_503_problems_with_no_stack_trace_or_token()
    {
        var closed = FreePort.Pick();
        var settings = new Dictionary<string, string>(fixture.Settings)
        {
            ["DAPR_GRPC_ENDPOINT"] = $"http://127.0.0.1:{closed}",
            ["DAPR_HTTP_ENDPOINT"] = $"http://127.0.0.1:{closed}",
        };
        await using var cutOff = SecondReplica.Start(settings);
        var tenant = AgentFixture.NewTenant();
        const string Token = "a-bearer-token-that-must-not-be-echoed";

        using var create = await cutOff.Http.PostAsync(
            new Uri($"/v1/chat/{tenant.AccountId}/{tenant.ProjectId}/{tenant.ClientEnv}/conversations", UriKind.Relative),
            new StringContent("{}", Encoding.UTF8, "application/json"));
        using var message = new HttpRequestMessage(HttpMethod.Post, new Uri("/v1/chat/conversations/0123456789abcdef0123456789abcdef/messages", UriKind.Relative))
        {
            Content = new StringContent("""{"text":"hello"}""", Encoding.UTF8, "application/json"),
        };
        message.Headers.Authorization = new AuthenticationHeaderValue("Bearer", Token);
        using var send = await cutOff.Http.SendAsync(message);

        foreach (var response in new[] { create, send })
        {
            var body = await response.Content.ReadAsStringAsync();
            Assert.True(response.StatusCode == HttpStatusCode.ServiceUnavailable, $"answered {response.StatusCode}: {body}");
            Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
            Assert.NotNull(response.Headers.RetryAfter);
            Assert.DoesNotContain(Token, body, StringComparison.Ordinal);
            Assert.DoesNotContain("Exception", body, StringComparison.Ordinal);
            Assert.DoesNotContain(" at ", body, StringComparison.Ordinal);
        }
    }
}

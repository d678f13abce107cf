using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json;
using CsCheck;
using Xunit.Abstractions;
using PolyAi.Messaging.Agent.Transcripts;
using PolyAi.Messaging.Testing;
using PolyAi.Messaging.Testing.Fuzz;

namespace PolyAi.Messaging.Agent.Tests;

/// <summary>
/// Generated chat bodies (valid, nearly valid, garbage) against the running agent: a conversation from each creation
/// body, then a few generated messages to it. No 5xx; a body that is not plain JSON text is refused; exactly the
/// messages answered 202 are in the transcript.
/// </summary>
[Collection(AgentCollection.Name)]
[Trait("Category", "Fuzz")]
public sealed class FuzzTests(AgentFixture fixture, ITestOutputHelper output)
{
    private const int MaxTextLength = 4000;

    private readonly ServiceUnderTest<Program> _service = fixture.Service;

    [Fact]
    public async Task Every_generated_chat_body_gets_the_answer_it_deserves_and_only_accepted_messages_are_kept()
    {
        var tenant = await fixture.RegisterTenantAsync();
        var http = _service.Http;
        long created = 0, refused = 0, accepted = 0;
        var path = $"/v1/chat/{tenant.AccountId}/{tenant.ProjectId}/{tenant.ClientEnv}/conversations";

        await Gen.Select(HostileInputs.CreateConversation, HostileInputs.ChatMessage.Array[1, 6]).SampleAsync(
            async sample =>
            {
                var (createBody, messages) = sample;
                using var create = await http.PostAsync(new Uri(path, UriKind.Relative), Json(createBody));
                Assert.True((int)create.StatusCode < 500, $"{(int)create.StatusCode} creating with {Convert.ToBase64String(createBody)}");
                var empty = System.Text.Unicode.Utf8.IsValid(createBody) && System.Text.Encoding.UTF8.GetString(createBody).Trim().Length == 0;
                if (!empty && HostileInputs.PlainJson(createBody) is null)
                {
                    Assert.Equal(HttpStatusCode.BadRequest, create.StatusCode);
                }

                if (create.StatusCode != HttpStatusCode.Created)
                {
                    Assert.Equal(HttpStatusCode.BadRequest, create.StatusCode);
                    Interlocked.Increment(ref refused);
                    return;
                }

                Interlocked.Increment(ref created);
                var conversation = await create.Content.ReadFromJsonAsync<JsonElement>();
                var chat = new ChatClient(http, conversation.GetProperty("conversationId").GetString()!, conversation.GetProperty("token").GetString()!);
                var acceptedHere = 0;
                foreach (var body in messages)
                {
                    using var response = await chat.PostAsync("messages", Json(body));
                    var valid = HostileInputs.PlainJson(body) is { ValueKind: JsonValueKind.Object } root
                        && root.TryGetProperty("text", out var text) && text.ValueKind == JsonValueKind.String
                        && text.GetString() is { Length: > 0 and <= MaxTextLength } value && !string.IsNullOrWhiteSpace(value);
                    if (valid)
                    {
                        // The per-conversation rate (burst 10) may say 429; it must say nothing else.
                        Assert.Contains(response.StatusCode, new[] { HttpStatusCode.Accepted, HttpStatusCode.TooManyRequests });
                    }
                    else
                    {
                        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
                        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
                    }

                    acceptedHere += response.StatusCode == HttpStatusCode.Accepted ? 1 : 0;
                }

                Interlocked.Add(ref accepted, acceptedHere);
                var customerMessages = (await chat.TranscriptAsync()).Count(m => m.GetProperty("role").GetString() == "customer");
                Assert.Equal(acceptedHere, customerMessages);
            },
            iter: HostileInputs.Iterations(150),
            print: s => $"create {Convert.ToBase64String(s.Item1)}; messages {string.Join(" ", s.Item2.Select(Convert.ToBase64String))}");

        output.WriteLine($"conversations created {created}, refused {refused}; messages accepted {accepted}");

        // The generators reach every answer, or the run proves little.
        Assert.True(created > 0 && refused > 0 && accepted > 0, $"created {created}, refused {refused}, accepted {accepted}");
        Assert.Equal(HttpStatusCode.OK, (await http.GetAsync(new Uri("/healthz", UriKind.Relative))).StatusCode);
    }

    private static ByteArrayContent Json(byte[] body)
    {
        var content = new ByteArrayContent(body);
        content.Headers.ContentType = new MediaTypeHeaderValue("application/json");
        return content;
    }
}

using System.Text.Json;
using PolyAi.Messaging.Agent.Conversations;
using PolyAi.Messaging.Agent.Transcripts;
using PolyAi.Messaging.Contracts;

namespace PolyAi.Messaging.Agent.Tests;

/// <summary>
/// The agent's Dapr client writes state with source-generated JSON only. A document it stored must read and write the
/// same under the Dapr SDK's reflection default it replaced, so documents stored before the change stay readable.
/// </summary>
[Collection(AgentCollection.Name)]
public sealed class StateJsonTests(AgentFixture fixture)
{
    [Fact]
    public async Task A_stored_conversation_and_transcript_are_what_the_reflection_serializer_would_have_written()
    {
        var tenant = await fixture.RegisterTenantAsync();
        var chat = await ChatClient.StartAsync(fixture.Service.Http, tenant, new { customer = new { firstName = "Ada" }, locale = "en-GB" });
        await using var stream = await chat.StreamAsync();
        (await chat.SendAsync("when are you open")).Dispose();
        await stream.WaitForMessageAsync("ai", "Monday");

        var record = await fixture.Service.ReadStateAsync(ConversationRecord.StateKey(chat.ConversationId));
        var transcript = await fixture.Service.ReadStateAsync(Transcript.StateKey(tenant, chat.ConversationId));

        StateDocuments.AssertSameUnderReflection<ConversationRecord>(record!.Value);
        StateDocuments.AssertSameUnderReflection<Transcript>(transcript!.Value);
        Assert.True(transcript.Value.GetProperty("messages").GetArrayLength() >= 3, "greeting, question and answer were stored");
    }

    [Fact]
    public void A_type_no_context_lists_is_refused_instead_of_serialized_by_reflection()
    {
        var options = StateJson.Options(AgentStateJsonContext.Default);

        Assert.Throws<NotSupportedException>(() => JsonSerializer.Serialize(new Unlisted("x"), options));
        Assert.NotNull(options.GetTypeInfo(typeof(Transcript)));
        Assert.NotNull(options.GetTypeInfo(typeof(TenantRecord)));
    }

    private sealed record Unlisted(string Name);
}

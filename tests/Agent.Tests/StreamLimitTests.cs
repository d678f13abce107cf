using System.Net;
using System.Net.Http.Headers;
using Microsoft.Extensions.DependencyInjection;
using PolyAi.Messaging.Agent.Conversations;
using PolyAi.Messaging.Testing;

namespace PolyAi.Messaging.Agent.Tests;

/// <summary>What open event streams may cost a replica: how many, and how many reads of the conversation per change.</summary>
[Collection(AgentCollection.Name)]
public sealed class StreamLimitTests(AgentFixture fixture)
{
    [Fact]
    public async Task One_conversation_gets_at_most_MaxStreamsPerConversation_streams_and_another_one_past_it()
    {
        await using var replica = StartReplica(("Chat:MaxStreamsPerConversation", "2"));
        var tenant = await fixture.RegisterTenantAsync();
        var chat = await ChatClient.StartAsync(replica.Http, tenant);
        var other = await ChatClient.StartAsync(replica.Http, tenant);

        await using var first = await chat.StreamAsync();
        var second = await chat.StreamAsync();
        using (var third = await OpenAsync(replica.Http, chat))
        {
            Assert.Equal(HttpStatusCode.TooManyRequests, third.StatusCode);
            Assert.Equal("application/problem+json", third.Content.Headers.ContentType?.MediaType);
            Assert.Contains("2 event streams", await third.Content.ReadAsStringAsync(), StringComparison.Ordinal);
            Assert.NotNull(third.Headers.RetryAfter);
        }

        await using (await other.StreamAsync())
        {
        }

        await second.DisposeAsync();
        using var reopened = await Eventually.Until(
            async () =>
            {
                var response = await OpenAsync(replica.Http, chat);
                if (response.StatusCode == HttpStatusCode.OK)
                {
                    return response;
                }

                response.Dispose();
                return null;
            },
            response => response is not null,
            "a stream once another one closed");
        Assert.Equal("text/event-stream", reopened!.Content.Headers.ContentType?.MediaType);
    }

    [Fact]
    public async Task A_replica_at_MaxStreams_answers_503_with_Retry_After()
    {
        await using var replica = StartReplica(("Chat:MaxStreams", "2"));
        var tenant = await fixture.RegisterTenantAsync();
        var chats = new List<ChatClient>();
        for (var i = 0; i < 3; i++)
        {
            chats.Add(await ChatClient.StartAsync(replica.Http, tenant));
        }

        await using var first = await chats[0].StreamAsync();
        await using var second = await chats[1].StreamAsync();
        using var refused = await OpenAsync(replica.Http, chats[2]);

        Assert.Equal(HttpStatusCode.ServiceUnavailable, refused.StatusCode);
        Assert.Equal("application/problem+json", refused.Content.Headers.ContentType?.MediaType);
        Assert.NotNull(refused.Headers.RetryAfter);
        Assert.Equal(2, replica.Services.GetRequiredService<ConversationWatcher>().Streams);
    }

    [Fact]
    public async Task A_change_is_read_once_for_all_streams_of_a_conversation_on_a_replica()
    {
        const int Streams = 10;
        await using var replica = StartReplica(("Chat:MaxStreamsPerConversation", Streams.ToString(System.Globalization.CultureInfo.InvariantCulture)));
        var watcher = replica.Services.GetRequiredService<ConversationWatcher>();
        var chat = await ChatClient.StartAsync(replica.Http, await fixture.RegisterTenantAsync());
        var streams = new List<EventStream>();
        try
        {
            for (var i = 0; i < Streams; i++)
            {
                var stream = await chat.StreamAsync();
                streams.Add(stream);
                await stream.WaitForMessageAsync("ai");
            }

            var readsBefore = watcher.Reads;
            var eventsBefore = streams[0].Events.Count;
            (await chat.SendAsync("What are your opening hours?")).Dispose();
            foreach (var stream in streams)
            {
                await stream.WaitForMessageAsync("ai", "Monday to Friday");
            }

            var reads = watcher.Reads - readsBefore;
            var changes = streams[0].Events.Count - eventsBefore;

            // Each change wakes the streams at most twice (this replica's own notice, then the version-key poll).
            Assert.InRange(reads, 1, (2 * changes) + 1);
            Assert.True(reads < Streams, $"{reads} reads for {changes} changes seen by {Streams} streams");
        }
        finally
        {
            foreach (var stream in streams)
            {
                await stream.DisposeAsync();
            }
        }
    }

    private SecondReplica StartReplica(params (string Key, string Value)[] overrides)
    {
        var sidecar = fixture.Service.Sidecar;
        var settings = new Dictionary<string, string>(fixture.Settings)
        {
            ["DAPR_GRPC_ENDPOINT"] = sidecar.GrpcEndpoint(AgentFixture.AppId).ToString(),
            ["DAPR_HTTP_ENDPOINT"] = sidecar.HttpEndpoint(AgentFixture.AppId).ToString(),
        };
        foreach (var (key, value) in overrides)
        {
            settings[key] = value;
        }

        return SecondReplica.Start(settings);
    }

    private static async Task<HttpResponseMessage> OpenAsync(HttpClient http, ChatClient chat)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, $"/v1/chat/conversations/{chat.ConversationId}/events");
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", chat.Token);
        return await http.SendAsync(request, HttpCompletionOption.ResponseHeadersRead);
    }
}

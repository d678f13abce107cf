using Google.Protobuf.WellKnownTypes;
using Grpc.Core;
using Microsoft.Extensions.Time.Testing;
using PolyAi.Messaging.Contracts;
using PolyAi.Messaging.GenesysSimulator;
using PolyAi.Messaging.Handoff.V1;
using PolyAi.Messaging.Testing;

namespace PolyAi.Messaging.Handoff.Tests;

/// <summary>
/// Only the agent may call the gRPC port: the shared token from the secret store (Handoff:RpcTokenSecret), checked
/// before any handler runs. Before this, anyone who could open the port could start, forward into and end handoffs.
/// </summary>
[Collection(NotificationsCollection.Name)]
public sealed class RpcCallerTests(NotificationsFixture fixture)
{
    private static readonly AgentScript ManualAgent = new() { Manual = true };

    private static string NewConversationId() => "conv-" + Guid.NewGuid().ToString("N")[..12];

    private static StartHandoffRequest Start(TestWorld world, string conversationId) => new()
    {
        Tenant = world.Proto,
        ConversationId = conversationId,
        Customer = new Customer { FirstName = "Ada", LastName = "Lovelace" },
        MessageId = "msg-1",
        Text = "I want to talk to a person",
        Time = Timestamp.FromDateTimeOffset(DateTimeOffset.UtcNow),
    };

    private async Task<double> RefusedAsync() =>
        PrometheusText.Sum(await fixture.Http.GetStringAsync(new Uri("/metrics", UriKind.Relative)),
            "polyai_messaging_handoff_rpc_refused_total", ("reason", "unauthenticated"));

    [Theory]
    [InlineData(null)]
    [InlineData("Bearer wrong-token")]
    [InlineData("Bearer ")]
    [InlineData("Basic " + GenesysSideFixture.RpcToken)]
    [InlineData(GenesysSideFixture.RpcToken)]
    [InlineData("Bearer " + GenesysSideFixture.RpcToken + "x")]
    public async Task A_call_without_the_agents_token_is_unauthenticated_and_changes_nothing(string? authorization)
    {
        var world = await fixture.NewWorldAsync(ManualAgent);
        var conversationId = NewConversationId();
        var headers = new Metadata();
        if (authorization is not null)
        {
            headers.Add("authorization", authorization);
        }

        var refusedBefore = await RefusedAsync();
        var client = fixture.Stranger;
        var calls = new Func<Task>[]
        {
            () => client.CheckAvailabilityAsync(new CheckAvailabilityRequest { Tenant = world.Proto }, headers).ResponseAsync,
            () => client.StartHandoffAsync(Start(world, conversationId), headers).ResponseAsync,
            () => client.ForwardMessageAsync(new ForwardMessageRequest { Tenant = world.Proto, ConversationId = conversationId, MessageId = "msg-2", Text = "hello" }, headers).ResponseAsync,
            () => client.ForwardTypingAsync(new ForwardTypingRequest { Tenant = world.Proto, ConversationId = conversationId }, headers).ResponseAsync,
            () => client.EndHandoffAsync(new EndHandoffRequest { Tenant = world.Proto, ConversationId = conversationId, Reason = "x" }, headers).ResponseAsync,
            () => client.ReportDeliveryAsync(new ReportDeliveryRequest { Tenant = world.Proto, ConversationId = conversationId }, headers).ResponseAsync,
        };
        foreach (var call in calls)
        {
            var refused = await Assert.ThrowsAsync<RpcException>(call);
            Assert.Equal(StatusCode.Unauthenticated, refused.StatusCode);
            Assert.DoesNotContain(GenesysSideFixture.RpcToken, refused.Status.Detail, StringComparison.Ordinal);
        }

        Assert.Equal(refusedBefore + calls.Length, await RefusedAsync());
        Assert.DoesNotContain(fixture.Genesys.Control.Received("message"), m => (string?)m.Body["channel"]?["from"]?["id"] == conversationId);
        Assert.Empty(fixture.HandoffEvents(conversationId));

        // The same call with the agent's token goes through.
        var started = await fixture.Handoff.StartHandoffAsync(Start(world, conversationId));
        Assert.Equal(StartHandoffResponse.Types.Outcome.Started, started.Outcome);
    }

    [Fact]
    public async Task The_shared_token_rotates_through_previous_token_and_outlives_a_store_that_cannot_be_read()
    {
        var name = "rpc-token-" + Guid.NewGuid().ToString("N")[..8];
        var time = new FakeTimeProvider(DateTimeOffset.UtcNow);
        await fixture.SetSecretAsync(name, new() { [SharedToken.TokenField] = "first" });
        var token = new SharedToken(fixture.Dapr, "secretstore", name, time);

        Assert.Equal("first", await token.CurrentAsync(CancellationToken.None));
        Assert.True(await token.AcceptsAsync("first", CancellationToken.None));
        Assert.False(await token.AcceptsAsync("second", CancellationToken.None));
        Assert.False(await token.AcceptsAsync("firs", CancellationToken.None));
        Assert.False(await token.AcceptsAsync("", CancellationToken.None));

        // Rotation: the new value as token, the old one still accepted; read again after RefreshAfter.
        await fixture.SetSecretAsync(name, new() { [SharedToken.TokenField] = "second", [SharedToken.PreviousTokenField] = "first" });
        Assert.Equal("first", await token.CurrentAsync(CancellationToken.None));
        time.Advance(SharedToken.RefreshAfter + TimeSpan.FromSeconds(1));
        Assert.Equal("second", await token.CurrentAsync(CancellationToken.None));
        Assert.True(await token.AcceptsAsync("first", CancellationToken.None));
        Assert.True(await token.AcceptsAsync("second", CancellationToken.None));

        await fixture.SetSecretAsync(name, new() { [SharedToken.TokenField] = "second" });
        time.Advance(SharedToken.RefreshAfter + TimeSpan.FromSeconds(1));
        Assert.False(await token.AcceptsAsync("first", CancellationToken.None));

        // The secret gone (a store that cannot serve it): the last value read stays in use.
        await fixture.SetSecretAsync(name, null);
        time.Advance(SharedToken.RefreshAfter + TimeSpan.FromSeconds(1));
        Assert.True(await token.AcceptsAsync("second", CancellationToken.None));

        // Never read at all: a clear failure, which the service turns into UNAVAILABLE (the agent retries).
        var never = new SharedToken(fixture.Dapr, "secretstore", name, time);
        var failure = await Assert.ThrowsAsync<SharedTokenUnavailableException>(() => never.CurrentAsync(CancellationToken.None).AsTask());
        Assert.Contains(name, failure.Message, StringComparison.Ordinal);
    }
}

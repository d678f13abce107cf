using System.Text.Json;
using System.Text.Json.Nodes;
using Google.Protobuf.WellKnownTypes;
using Microsoft.Extensions.DependencyInjection;
using PolyAi.Messaging.Contracts;
using PolyAi.Messaging.Genesys;
using PolyAi.Messaging.GenesysSimulator;
using PolyAi.Messaging.Handoff.V1;
using PolyAi.Messaging.Testing;
using Outcome = PolyAi.Messaging.Handoff.V1.StartHandoffResponse.Types.Outcome;

namespace PolyAi.Messaging.Handoff.Tests;

/// <summary>The gRPC contract against the Genesys simulator, with the notifications channel watching conversations.</summary>
[Collection(NotificationsCollection.Name)]
public sealed class HandoffRpcTests(NotificationsFixture fixture)
{
    internal static readonly AgentScript ManualAgent = new() { Manual = true };

    internal static string NewConversationId() => "conv-" + Guid.NewGuid().ToString("N")[..12];

    internal static StartHandoffRequest Start(TestWorld world, string conversationId, string messageId = "msg-1") => new()
    {
        Tenant = world.Proto,
        ConversationId = conversationId,
        Customer = new Customer { FirstName = "Ada", LastName = "Lovelace", Email = "ada@example.com", ExternalId = "crm-42" },
        MessageId = messageId,
        Text = "I want to talk to a person",
        Time = Timestamp.FromDateTimeOffset(DateTimeOffset.UtcNow),
        Summary = "Customer asks about a refund for order 1234",
        Intent = "refund",
        TranscriptUrl = "https://example.com/transcripts/1",
        Locale = "en-GB",
    };

    private List<ReceivedItem> MessagesFrom(string conversationId) =>
        fixture.Genesys.Control.Received("message").Where(m => (string?)m.Body["channel"]?["from"]?["id"] == conversationId).ToList();

    private static IEnumerable<string?> Statuses(IEnumerable<JsonObject> events) => events.Select(GenesysSideFixture.StatusOf);

    [Fact]
    public async Task Availability_counts_the_agents_on_the_tenants_queue()
    {
        var staffed = await fixture.NewWorldAsync(ManualAgent, ManualAgent);
        var empty = await fixture.NewWorldAsync(ManualAgent with { OnQueue = false });

        var yes = await fixture.Handoff.CheckAvailabilityAsync(new CheckAvailabilityRequest { Tenant = staffed.Proto });
        var no = await fixture.Handoff.CheckAvailabilityAsync(new CheckAvailabilityRequest { Tenant = empty.Proto });

        Assert.True(yes.Available);
        Assert.Equal(2, yes.AgentsOnQueue);
        Assert.False(no.Available);
        Assert.Equal(0, no.AgentsOnQueue);
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task Availability_counts_agents_who_can_answer_under_either_reading_of_the_observation_groups(bool userMetricsPerMediaType)
    {
        var world = await fixture.NewWorldAsync(ManualAgent, ManualAgent, ManualAgent);
        fixture.Genesys.Control.SetNotResponding(world.Genesys.AgentIds[0], true);
        fixture.Genesys.Control.SetOnQueue(world.Genesys.AgentIds[1], false);
        fixture.Genesys.Control.ObservationUserMetricsPerMediaType = userMetricsPerMediaType;
        try
        {
            var answer = await fixture.Handoff.CheckAvailabilityAsync(new CheckAvailabilityRequest { Tenant = world.Proto });

            Assert.True(answer.Available);
            Assert.Equal(1, answer.AgentsOnQueue);
        }
        finally
        {
            fixture.Genesys.Control.ObservationUserMetricsPerMediaType = false;
        }
    }

    /// <summary>
    /// The service's Dapr client writes state with source-generated JSON only; what it stored must read and write the
    /// same under the Dapr SDK's reflection default it replaced (documents stored before the change stay readable).
    /// </summary>
    [Fact]
    public async Task Stored_session_link_and_index_are_what_the_reflection_serializer_would_have_written()
    {
        var world = await fixture.NewWorldAsync(ManualAgent);
        var conversationId = NewConversationId();
        var genesysId = (await fixture.Handoff.StartHandoffAsync(Start(world, conversationId))).GenesysConversationId;
        Assert.True(fixture.Genesys.Control.Accept(genesysId));
        await fixture.EventuallyPublishedAsync(conversationId, HandoffStatus.Connected);

        var session = await fixture.ReadStateAsync(HandoffFixture.SessionKey(world.Tenant, genesysId));
        var link = await fixture.ReadStateAsync(Handoffs.ConversationLink.StateKey(world.Tenant, conversationId));
        var index = await fixture.ReadStateAsync(Handoffs.ActiveSessions.ShardKeyOf(world.Tenant, genesysId));

        StateDocuments.AssertSameUnderReflection<Sessions.HandoffSession>(session!.Value);
        StateDocuments.AssertSameUnderReflection<Handoffs.ConversationLink>(link!.Value);
        StateDocuments.AssertSameUnderReflection<Handoffs.ActiveSessions>(index!.Value);
        Assert.Equal(HandoffStatus.Connected, session.Value.GetProperty("status").GetString());
    }

    [Fact]
    public async Task Start_with_nobody_on_queue_is_unavailable_and_creates_no_genesys_conversation()
    {
        var world = await fixture.NewWorldAsync(ManualAgent with { OnQueue = false });
        var conversationId = NewConversationId();

        var first = await fixture.Handoff.StartHandoffAsync(Start(world, conversationId));
        var repeat = await fixture.Handoff.StartHandoffAsync(Start(world, conversationId));

        Assert.Equal(Outcome.Unavailable, first.Outcome);
        Assert.Equal(Outcome.Unavailable, repeat.Outcome);
        Assert.Empty(MessagesFrom(conversationId));
        Assert.DoesNotContain(fixture.Genesys.Control.Conversations(), c => (string?)c["customerId"] == conversationId);
        var events = await fixture.EventuallyPublishedAsync(conversationId, HandoffStatus.Unavailable);
        Assert.Equal([HandoffStatus.Unavailable], Statuses(events));
    }

    [Fact]
    public async Task A_start_that_died_after_its_link_is_finished_by_the_agents_retry()
    {
        var world = await fixture.NewWorldAsync(ManualAgent);
        var conversationId = NewConversationId();
        var genesysId = (await fixture.Handoff.StartHandoffAsync(Start(world, conversationId))).GenesysConversationId;
        await fixture.EventuallyPublishedAsync(conversationId, HandoffStatus.Queued);
        // What a crash right after the link (before the index entry and the queued claim) leaves behind.
        var shard = Handoffs.ActiveSessions.ShardKeyOf(world.Tenant, genesysId);
        var index = await fixture.Dapr.GetStateAsync<Handoffs.ActiveSessions>("statestore", shard);
        await fixture.Dapr.SaveStateAsync("statestore", shard, new Handoffs.ActiveSessions([.. index.Sessions.Where(s => s.GenesysConversationId != genesysId)]));
        var sessionKey = HandoffFixture.SessionKey(world.Tenant, genesysId);
        var session = await fixture.Dapr.GetStateAsync<Sessions.HandoffSession>("statestore", sessionKey);
        await fixture.Dapr.SaveStateAsync("statestore", sessionKey, session with { PublishedStatuses = [] });

        var repeat = await fixture.Handoff.StartHandoffAsync(Start(world, conversationId));

        Assert.Equal(Outcome.Started, repeat.Outcome);
        Assert.Equal(genesysId, repeat.GenesysConversationId);
        var restored = await fixture.Dapr.GetStateAsync<Handoffs.ActiveSessions>("statestore", shard);
        Assert.Single(restored.Sessions, s => s.GenesysConversationId == genesysId && s.ConversationId == conversationId);
        Assert.Contains(HandoffStatus.Queued, (await fixture.Dapr.GetStateAsync<Sessions.HandoffSession>("statestore", sessionKey)).PublishedStatuses);
        Assert.Single(MessagesFrom(conversationId)); // nothing sent to Genesys again
    }

    [Fact]
    public async Task Start_queues_the_customer_message_with_profile_and_ai_context()
    {
        var world = await fixture.NewWorldAsync(ManualAgent);
        var conversationId = NewConversationId();

        var response = await fixture.Handoff.StartHandoffAsync(Start(world, conversationId, "msg-start"));

        Assert.Equal(Outcome.Started, response.Outcome);
        var genesysId = response.GenesysConversationId;
        var conversation = fixture.Genesys.Control.Conversation(genesysId);
        Assert.NotNull(conversation);
        Assert.Equal(world.Genesys.QueueId, (string?)conversation["queueId"]);
        Assert.Equal(conversationId, (string?)conversation["customerId"]);

        var sent = Assert.Single(MessagesFrom(conversationId));
        var channel = sent.Body["channel"]!;
        Assert.Equal("msg-start", (string?)channel["messageId"]);
        Assert.Equal("Opaque", (string?)channel["from"]!["idType"]);
        Assert.Equal("Ada", (string?)channel["from"]!["firstName"]);
        Assert.Equal("Lovelace", (string?)channel["from"]!["lastName"]);
        Assert.Equal("ada@example.com", (string?)channel["from"]!["email"]);
        var attributes = channel["metadata"]!["customAttributes"]!;
        Assert.Equal("Customer asks about a refund for order 1234", (string?)attributes["aiSummary"]);
        Assert.Equal("refund", (string?)attributes["aiIntent"]);
        Assert.Equal("https://example.com/transcripts/1", (string?)attributes["transcriptUrl"]);
        Assert.Equal("en-GB", (string?)attributes["locale"]);
        Assert.Equal("I want to talk to a person", (string?)sent.Body["text"]);

        var events = await fixture.EventuallyPublishedAsync(conversationId, HandoffStatus.Queued);
        var queued = Assert.Single(events);
        Assert.Equal($"{conversationId}:queued:{genesysId}", (string?)queued["id"]);

        var session = await fixture.ReadStateAsync(HandoffFixture.SessionKey(world.Tenant, genesysId));
        Assert.Equal(conversationId, session!.Value.GetProperty("conversationId").GetString());
        Assert.Equal("queued", session.Value.GetProperty("status").GetString());
        var link = await fixture.ReadStateAsync($"handoff/conversations/{world.Tenant}/{conversationId}");
        Assert.Equal(genesysId, link!.Value.GetProperty("genesysConversationId").GetString());
    }

    [Fact]
    public async Task An_agent_accepting_publishes_connected_once_and_ending_is_seen_on_the_notifications_channel()
    {
        var world = await fixture.NewWorldAsync(ManualAgent);
        var conversationId = NewConversationId();
        var genesysId = (await fixture.Handoff.StartHandoffAsync(Start(world, conversationId))).GenesysConversationId;
        await fixture.EventuallyPublishedAsync(conversationId, HandoffStatus.Queued);

        Assert.True(fixture.Genesys.Control.Accept(genesysId));
        await fixture.EventuallyPublishedAsync(conversationId, HandoffStatus.Connected);
        Assert.True(fixture.Genesys.Control.Reply(genesysId, "Hi, Sam here"));
        Assert.True(fixture.Genesys.Control.End(genesysId));
        var events = await fixture.EventuallyPublishedAsync(conversationId, HandoffStatus.Ended);

        Assert.Equal([HandoffStatus.Queued, HandoffStatus.Connected, HandoffStatus.Ended], Statuses(events));
        var ended = events[^1];
        Assert.Equal($"{conversationId}:ended:{genesysId}", (string?)ended["id"]);
        Assert.Equal("agent-ended", (string?)ended["data"]!["reason"]);
        var session = await fixture.ReadStateAsync(HandoffFixture.SessionKey(world.Tenant, genesysId));
        Assert.Equal("notification", session!.Value.GetProperty("endDetectedBy").GetString());
        Assert.Equal("ended", session.Value.GetProperty("status").GetString());
    }

    [Fact]
    public async Task EndHandoff_disconnects_the_genesys_conversation_once()
    {
        var world = await fixture.NewWorldAsync(ManualAgent);
        var conversationId = NewConversationId();
        var genesysId = (await fixture.Handoff.StartHandoffAsync(Start(world, conversationId))).GenesysConversationId;
        var end = new EndHandoffRequest { Tenant = world.Proto, ConversationId = conversationId, Reason = "customer-ended" };

        var first = await fixture.Handoff.EndHandoffAsync(end);
        var repeat = await fixture.Handoff.EndHandoffAsync(end);

        Assert.True(first.Ended);
        Assert.True(repeat.Ended);
        Assert.Equal("ended", (string?)fixture.Genesys.Control.Conversation(genesysId)!["state"]);
        var events = await fixture.EventuallyPublishedAsync(conversationId, HandoffStatus.Ended);
        Assert.Single(events, e => GenesysSideFixture.StatusOf(e) == HandoffStatus.Ended);
        Assert.Equal("customer-ended", (string?)events.Single(e => GenesysSideFixture.StatusOf(e) == HandoffStatus.Ended)["data"]!["reason"]);
    }

    [Fact]
    public async Task EndHandoff_without_a_handoff_ends_nothing()
    {
        var world = await fixture.NewWorldAsync(ManualAgent);

        var response = await fixture.Handoff.EndHandoffAsync(new EndHandoffRequest { Tenant = world.Proto, ConversationId = NewConversationId() });

        Assert.False(response.Ended);
    }

    [Fact]
    public async Task Later_customer_messages_and_typing_reach_the_open_conversation_once()
    {
        var world = await fixture.NewWorldAsync(ManualAgent);
        var conversationId = NewConversationId();
        var genesysId = (await fixture.Handoff.StartHandoffAsync(Start(world, conversationId))).GenesysConversationId;
        var message = new ForwardMessageRequest { Tenant = world.Proto, ConversationId = conversationId, MessageId = "msg-2", Text = "Are you there?" };

        var first = await fixture.Handoff.ForwardMessageAsync(message);
        var repeat = await fixture.Handoff.ForwardMessageAsync(message);
        var typing = await fixture.Handoff.ForwardTypingAsync(new ForwardTypingRequest { Tenant = world.Proto, ConversationId = conversationId });

        Assert.True(first.Forwarded);
        Assert.True(repeat.Forwarded);
        Assert.True(typing.Forwarded);
        var forwarded = Assert.Single(MessagesFrom(conversationId), m => (string?)m.Body["channel"]!["messageId"] == "msg-2");
        Assert.Equal("Are you there?", (string?)forwarded.Body["text"]);
        var transcript = fixture.Genesys.Control.Conversation(genesysId)!["transcript"]!.AsArray();
        Assert.Single(transcript, m => (string?)m!["text"] == "Are you there?");
        Assert.Contains(fixture.Genesys.Control.Received("event"), e => (string?)e.Body["channel"]?["from"]?["id"] == conversationId);
    }

    [Fact]
    public async Task Nothing_is_forwarded_without_an_open_handoff()
    {
        var world = await fixture.NewWorldAsync(ManualAgent);
        var conversationId = NewConversationId();

        var message = await fixture.Handoff.ForwardMessageAsync(new ForwardMessageRequest { Tenant = world.Proto, ConversationId = conversationId, MessageId = "m", Text = "hello" });
        var typing = await fixture.Handoff.ForwardTypingAsync(new ForwardTypingRequest { Tenant = world.Proto, ConversationId = conversationId });

        Assert.False(message.Forwarded);
        Assert.False(typing.Forwarded);
        Assert.Empty(MessagesFrom(conversationId));
    }

    [Fact]
    public async Task A_message_after_the_agent_ended_is_not_forwarded_and_opens_no_new_conversation()
    {
        var world = await fixture.NewWorldAsync(ManualAgent);
        var conversationId = NewConversationId();
        var genesysId = (await fixture.Handoff.StartHandoffAsync(Start(world, conversationId))).GenesysConversationId;
        Assert.True(fixture.Genesys.Control.Accept(genesysId));
        await fixture.EventuallyPublishedAsync(conversationId, HandoffStatus.Connected);
        await fixture.EventuallyReadableAsync(genesysId); // an end inside the readable delay cannot be seen (Corrections 5)
        Assert.True(fixture.Genesys.Control.End(genesysId));

        var response = await fixture.Handoff.ForwardMessageAsync(new ForwardMessageRequest { Tenant = world.Proto, ConversationId = conversationId, MessageId = "late", Text = "Hello?" });

        Assert.False(response.Forwarded);
        Assert.Single(MessagesFrom(conversationId));
        await fixture.EventuallyPublishedAsync(conversationId, HandoffStatus.Ended);
    }

    [Fact]
    public async Task A_new_conversation_Genesys_cannot_serve_yet_is_not_taken_for_ended()
    {
        var world = await fixture.NewWorldAsync(ManualAgent);
        var conversationId = NewConversationId();
        var started = await fixture.Handoff.StartHandoffAsync(Start(world, conversationId));
        // Still inside the simulator's readable delay: GET conversation answers 404 now.
        var forwarded = await fixture.Handoff.ForwardMessageAsync(new ForwardMessageRequest { Tenant = world.Proto, ConversationId = conversationId, MessageId = "second", Text = "Are you there?" });
        Assert.True(forwarded.Forwarded);

        Assert.True(fixture.Genesys.Control.Accept(started.GenesysConversationId));
        await fixture.EventuallyPublishedAsync(conversationId, HandoffStatus.Connected);

        Assert.DoesNotContain(HandoffStatus.Ended, Statuses(fixture.HandoffEvents(conversationId)));
        Assert.Equal(2, MessagesFrom(conversationId).Count);
        Assert.Single(fixture.Genesys.Control.Conversations(), c => (string?)c["customerId"] == conversationId);
    }

    [Fact]
    public async Task With_timeouts_and_5xx_on_every_send_the_agent_sees_each_customer_message_exactly_once()
    {
        // Genesys may or may not have a message whose send timed out or got a 5xx, and does not drop a resent copy
        // (the simulator's default, Corrections 6): each forward reconciles before it resends.
        var world = await fixture.NewWorldAsync(ManualAgent);
        var conversationId = NewConversationId();
        var genesysId = (await fixture.Handoff.StartHandoffAsync(Start(world, conversationId))).GenesysConversationId;
        Assert.True(fixture.Genesys.Control.Accept(genesysId));
        await fixture.EventuallyPublishedAsync(conversationId, HandoffStatus.Connected);
        await fixture.EventuallyReadableAsync(genesysId); // a send's outcome is checked by reading the conversation
        var path = "/inbound/open/message$";
        FaultRule[] faults =
        [
            new() { Method = "POST", PathPattern = path, Status = 503, AfterProcessing = true, Times = 1 },     // arrived, answered 503
            new() { Method = "POST", PathPattern = path, LatencyMs = 1500, AfterProcessing = true, Times = 1 }, // arrived, answer too late
            new() { Method = "POST", PathPattern = path, Status = 503, Times = 1 },                             // refused: never arrived
            new() { Method = "POST", PathPattern = path, Status = 502, AfterProcessing = true, Times = 2 },     // arrived; the check's resend too
        ];
        var texts = new List<string>();
        for (var i = 0; i < faults.Length; i++)
        {
            fixture.Genesys.Control.AddFault(faults[i]);
            var request = new ForwardMessageRequest { Tenant = world.Proto, ConversationId = conversationId, MessageId = $"m-{i}", Text = $"message {i}" };
            texts.Add(request.Text);
            var forwarded = false;
            for (var attempt = 0; attempt < 3 && !forwarded; attempt++)
            {
                try
                {
                    forwarded = (await fixture.Handoff.ForwardMessageAsync(request)).Forwarded; // the agent retries Unavailable
                }
                catch (Grpc.Core.RpcException e) when (e.StatusCode == Grpc.Core.StatusCode.Unavailable)
                {
                }
            }

            Assert.True(forwarded, $"message {i} was not forwarded");
            fixture.Genesys.Control.ClearFaults();
        }

        var transcript = fixture.Genesys.Control.Conversation(genesysId)!["transcript"]!.AsArray()
            .Where(m => (string?)m!["direction"] == "Inbound").Select(m => (string?)m!["text"]).ToList();
        foreach (var text in texts)
        {
            Assert.Single(transcript, t => t == text);
        }
    }

    [Fact]
    public async Task ReportDelivery_sends_delivered_and_failed_receipts_once_each()
    {
        var world = await fixture.NewWorldAsync(ManualAgent);
        var conversationId = NewConversationId();
        await fixture.Handoff.StartHandoffAsync(Start(world, conversationId));
        var delivered = new ReportDeliveryRequest { Tenant = world.Proto, ConversationId = conversationId, GenesysMessageId = "gm-1", Delivered = true };
        var failed = new ReportDeliveryRequest { Tenant = world.Proto, ConversationId = conversationId, GenesysMessageId = "gm-2", Delivered = false, Reason = "customer-gone" };

        Assert.True((await fixture.Handoff.ReportDeliveryAsync(delivered)).Reported);
        Assert.True((await fixture.Handoff.ReportDeliveryAsync(delivered)).Reported);
        Assert.True((await fixture.Handoff.ReportDeliveryAsync(failed)).Reported);

        var receipts = fixture.Genesys.Control.Received("receipt").Where(r => (string?)r.Body["channel"]?["to"]?["id"] == conversationId).ToList();
        Assert.Equal(2, receipts.Count);
        Assert.Equal(("gm-1", "Delivered"), ((string?)receipts[0].Body["id"], (string?)receipts[0].Body["status"]));
        Assert.Equal(("gm-2", "Failed"), ((string?)receipts[1].Body["id"], (string?)receipts[1].Body["status"]));
        Assert.Equal("customer-gone", (string?)receipts[1].Body["reasons"]![0]!["message"]);
    }

    [Fact]
    public async Task Start_completes_through_429_and_503_and_sends_the_message_once()
    {
        var world = await fixture.NewWorldAsync(ManualAgent);
        var conversationId = NewConversationId();
        fixture.Genesys.Control.AddFault(new FaultRule { Method = "POST", PathPattern = $"/{world.Genesys.IntegrationId}/inbound/open/message$", Status = 503, Times = 1 });
        fixture.Genesys.Control.AddFault(new FaultRule { Method = "POST", PathPattern = $"/{world.Genesys.IntegrationId}/inbound/open/message$", Status = 429, RetryAfterSeconds = 1, Times = 1 });

        var response = await fixture.Handoff.StartHandoffAsync(Start(world, conversationId));

        Assert.Equal(Outcome.Started, response.Outcome);
        Assert.Single(MessagesFrom(conversationId));
        Assert.Single(fixture.Genesys.Control.Conversations(), c => (string?)c["customerId"] == conversationId);
        Assert.Equal([HandoffStatus.Queued], Statuses(await fixture.EventuallyPublishedAsync(conversationId, HandoffStatus.Queued)));
    }

    [Theory]
    [InlineData(503, 0)]
    [InlineData(null, 1500)]
    public async Task A_first_message_that_arrived_without_a_clear_answer_is_not_sent_again(int? status, int latencyMs)
    {
        var world = await fixture.NewWorldAsync(ManualAgent);
        var conversationId = NewConversationId();
        fixture.Genesys.Control.AddFault(new FaultRule
        {
            Method = "POST", PathPattern = $"/{world.Genesys.IntegrationId}/inbound/open/message$", Status = status, LatencyMs = latencyMs, AfterProcessing = true, Times = 1,
        });

        var response = await fixture.Handoff.StartHandoffAsync(Start(world, conversationId));

        Assert.Equal(Outcome.Started, response.Outcome);
        Assert.Single(MessagesFrom(conversationId));
        var conversation = Assert.Single(fixture.Genesys.Control.Conversations(), c => (string?)c["customerId"] == conversationId);
        Assert.Equal((string?)conversation["id"], response.GenesysConversationId);
        Assert.Single(conversation["transcript"]!.AsArray());
    }

    [Fact]
    public async Task A_repeated_start_answers_the_same_conversation_and_sends_nothing_again()
    {
        var world = await fixture.NewWorldAsync(ManualAgent);
        var conversationId = NewConversationId();

        var first = await fixture.Handoff.StartHandoffAsync(Start(world, conversationId, "msg-a"));
        var repeat = await fixture.Handoff.StartHandoffAsync(Start(world, conversationId, "msg-a"));

        Assert.Equal(Outcome.Started, repeat.Outcome);
        Assert.Equal(first.GenesysConversationId, repeat.GenesysConversationId);
        Assert.Single(MessagesFrom(conversationId));
        var events = await fixture.EventuallyPublishedAsync(conversationId, HandoffStatus.Queued);
        Assert.Equal([HandoffStatus.Queued], Statuses(events));
    }

    [Fact]
    public async Task Genesys_refusing_the_message_fails_the_handoff_and_says_so()
    {
        var world = await fixture.NewWorldAsync(ManualAgent);
        var conversationId = NewConversationId();
        fixture.Genesys.Control.AddFault(new FaultRule { Method = "POST", PathPattern = $"/{world.Genesys.IntegrationId}/inbound/open/message$", Status = 400, Times = 1 });

        var response = await fixture.Handoff.StartHandoffAsync(Start(world, conversationId));

        Assert.Equal(Outcome.Failed, response.Outcome);
        Assert.Contains("400", response.Detail, StringComparison.Ordinal);
        Assert.DoesNotContain(world.Genesys.ClientSecret, response.Detail, StringComparison.Ordinal);
        await fixture.EventuallyPublishedAsync(conversationId, HandoffStatus.Failed);
    }

    [Fact]
    public async Task A_typing_notification_without_conversation_id_lands_on_the_handoff_session()
    {
        var world = await fixture.NewWorldAsync(ManualAgent);
        var conversationId = NewConversationId();
        var genesysId = (await fixture.Handoff.StartHandoffAsync(Start(world, conversationId))).GenesysConversationId;
        var notification = GenesysNotifications.Typing(GenesysNotifications.NewId(), conversationId, time: DateTimeOffset.UtcNow);

        await fixture.Dapr.PublishEventAsync(
            Topics.PubSub, Topics.GenesysNotifications,
            new GenesysNotificationReceived(world.Tenant, DateTimeOffset.UtcNow, notification),
            new Dictionary<string, string> { ["cloudevent.id"] = notification.GetProperty("id").GetString()! });

        var session = await Eventually.Until(
            () => fixture.ReadStateAsync(HandoffFixture.SessionKey(world.Tenant, genesysId)),
            s => s is { } value && value.GetProperty("typingEvents").GetInt32() == 1,
            "the typing event on the Genesys-keyed session");
        Assert.Equal(conversationId, session!.Value.GetProperty("conversationId").GetString());
        Assert.Null(await fixture.ReadStateAsync(HandoffFixture.SessionKey(world.Tenant, conversationId)));
    }

    [Fact]
    public async Task A_conversations_lock_is_gone_once_its_calls_are_done_even_when_they_race()
    {
        var world = await fixture.NewWorldAsync(ManualAgent);
        var conversationId = NewConversationId();

        var starts = await Task.WhenAll(Enumerable.Range(0, 5).Select(_ => fixture.Handoff.StartHandoffAsync(Start(world, conversationId, "msg-race")).ResponseAsync));
        await fixture.Handoff.ForwardMessageAsync(new ForwardMessageRequest { Tenant = world.Proto, ConversationId = conversationId, MessageId = "m-2", Text = "still there?" });

        Assert.Single(starts.Select(s => s.GenesysConversationId).Distinct());
        Assert.Single(MessagesFrom(conversationId), m => (string?)m.Body["channel"]!["messageId"] == "msg-race");
        // The lock table is process-wide: another test class's calls may hold a lock for a moment, so poll for empty.
        await Eventually.UntilSeen(() => fixture.Services.GetRequiredService<Handoffs.ConversationLocks>().Count, locked => locked == 0, "no conversation locked");
    }

    [Fact]
    public async Task A_call_without_a_valid_tenant_is_an_invalid_argument()
    {
        var error = await Assert.ThrowsAsync<Grpc.Core.RpcException>(async () =>
            await fixture.Handoff.CheckAvailabilityAsync(new CheckAvailabilityRequest { Tenant = new V1.Tenant { AccountId = "a/b" } }));

        Assert.Equal(Grpc.Core.StatusCode.InvalidArgument, error.StatusCode);
    }
}

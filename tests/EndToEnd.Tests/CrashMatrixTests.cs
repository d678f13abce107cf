using System.Collections.Concurrent;
using System.Net;
using System.Text.Json;
using PolyAi.Messaging.DevStack;
using PolyAi.Messaging.ServiceDefaults;
using static PolyAi.Messaging.ServiceDefaults.CrashPoints;

namespace PolyAi.Messaging.EndToEnd.Tests;

/// <summary>The crash matrix's stack: turns left pending are taken up after 3 s (30 s in production), swept every second.</summary>
public sealed class CrashStackFixture : StackFixture
{
    protected override void Configure(DevStackOptions options)
    {
        options.ServiceSettings["Transcripts__RecoverTurnsAfter"] = "00:00:03";
        options.ServiceSettings["Transcripts__PendingSweepInterval"] = "00:00:01";
        // The long form's 500 customers all stream from 127.0.0.1 (the edge allows 100 streams per address).
        options.ServiceSettings["Edge__StreamLimit__MaxPerClient"] = "2000";
    }
}

[CollectionDefinition(Name)]
public sealed class CrashCollection : ICollectionFixture<CrashStackFixture>
{
    public const string Name = "crash-matrix";
}

/// <summary>
/// The crash matrix (docs/reliability.md): one process of the real stack dies — SIGKILL to itself at a named
/// <see cref="CrashPoints"/> point, before or after a durable step — during a stream, is restarted, and the test
/// counts: every acknowledged message arrives once, nothing reaches the customer or the human twice, every handoff
/// ends in a state the customer sees. The short form runs in <c>dotnet test</c>; the long form is the same tests with
/// <c>POLYAI_CRASH_MATRIX_MESSAGES</c> (10,000 in docs/reliability.md).
/// </summary>
[Collection(CrashCollection.Name)]
public sealed class CrashMatrixTests(CrashStackFixture stack)
{
    /// <summary>Webhooks per stream; chat customers and their messages scale with it.</summary>
    public static readonly int Messages =
        int.TryParse(Environment.GetEnvironmentVariable("POLYAI_CRASH_MATRIX_MESSAGES"), out var n) && n > 0 ? n : 60;

    /// <summary>Genesys retries a webhook 5 times, 5 s apart, on a timeout (10 s), 429 or 5xx [DC-validate].</summary>
    private static readonly TimeSpan GenesysRetryInterval = TimeSpan.FromSeconds(5);

    private const int Lanes = 4;

    private static readonly string[] Webhook =
        [EdgeWebhookBeforeForward, EdgeWebhookBeforeAnswer, VerifierAfterClaim, VerifierAfterPublish, AgentNotificationAfterSave];

    private static readonly string[] Chat = [AgentTurnAfterAccept, AgentTurnBeforeReply];

    private static readonly string[] Handoff =
    [
        AgentHandoffAfterRequest, HandoffStartAfterLink, HandoffStartAfterSend, HandoffStartAfterRecord, HandoffStatusAfterClaim,
        AgentForwardAfterSend, HandoffForwardAfterSend,
    ];

    public static TheoryData<string> WebhookPoints => new(Webhook);

    public static TheoryData<string> ChatPoints => new(Chat);

    public static TheoryData<string> HandoffPoints => new(Handoff);

    [Fact]
    public void The_matrix_kills_at_every_crash_point()
    {
        string[] covered = [.. Webhook, .. Chat, .. Handoff];
        Assert.Equal(CrashPoints.All.Order(), covered.Order());
        Assert.True(covered.Length >= 10);
    }

    [Theory]
    [MemberData(nameof(WebhookPoints))]
    public async Task A_webhook_stream_loses_nothing_and_doubles_nothing_when_a_process_dies_at(string point)
    {
        var conversations = Math.Max(10, Messages / 50); // 50 messages per transcript in the long form, well under its cap
        var run = WebhookPipelineTests.NewId()[..8];
        string Customer(int i) => $"cm-{run}-{i % conversations}";
        var process = ProcessOf(point);
        await ArmAsync(process, point, at: Math.Max(1, Messages / 3));
        var recovered = RestartAfterCrashAsync(process, point);
        var acknowledged = new ConcurrentBag<string>();
        var refused = new ConcurrentBag<string>();

        async Task Lane(int lane)
        {
            for (var i = lane; i < Messages; i += Lanes)
            {
                var id = $"{run}-{i:D5}";
                (await SendLikeGenesysAsync(GenesysWebhook.TextBody(id, Customer(i), $"message {i}")) ? acknowledged : refused).Add(id);
            }
        }

        await Task.WhenAll([.. Enumerable.Range(0, Lanes).Select(Lane), recovered]);

        // Genesys' retries outlast a restart: every webhook is acknowledged, then each lands once.
        Assert.Empty(refused);
        var expected = acknowledged.ToHashSet();
        var landed = await Eventually.Until(
            () => stack.TranscriptIdsAsync(stack.Demo.Key, Enumerable.Range(0, conversations).Select(Customer)),
            ids => expected.IsSubsetOf(ids),
            TimeSpan.FromSeconds(120),
            ids => $"{expected.Except(ids).Count()} of {expected.Count} acknowledged webhooks missing after {point}\n{stack.RecentLog}");
        Assert.Equal(expected.Count, landed.Count); // nothing twice
        Assert.Equal(expected.Order(), landed.Order());
    }

    [Theory]
    [MemberData(nameof(ChatPoints))]
    public async Task Every_customer_message_is_answered_exactly_once_when_the_agent_dies_at(string point)
    {
        var customers = Math.Max(3, Messages / 20);
        const int perCustomer = 6;
        await ArmAsync(DevStackHost.Agent, point, at: Math.Max(1, customers * perCustomer / 3));
        var recovered = RestartAfterCrashAsync(DevStackHost.Agent, point);
        var chats = new List<ChatSession>();
        try
        {
            for (var c = 0; c < customers; c++)
            {
                chats.Add(await StartChatAsync(stack.Demo));
            }

            async Task Talk(ChatSession chat)
            {
                for (var i = 0; i < perCustomer; i++)
                {
                    await SendUntilAcceptedAsync(chat, $"What are your opening hours? ({i})");
                    // As a person would: the next question after the answer.
                    await Eventually.Until(
                        () => Task.FromResult(Answers(chat.Events)), a => a > i, TimeSpan.FromSeconds(90),
                        a => $"{a} answers to {i + 1} questions after {point} on {chat.ConversationId}\n{stack.RecentLog}");
                }
            }

            await Task.WhenAll([.. chats.Select(Talk), recovered]);

            foreach (var chat in chats)
            {
                static bool IsCustomer(JsonElement m) => m.GetProperty("role").GetString() == "customer";
                var asked = (await chat.TranscriptAsync()).Count(IsCustomer);
                await Eventually.Until(
                    () => Task.FromResult(Answers(chat.Events)), a => a >= asked, TimeSpan.FromSeconds(60), a => $"{a} of {asked} answers streamed");
                // Read again once the stream has them: the answer to a re-sent message may land after the first read.
                var transcript = await chat.TranscriptAsync();
                Assert.Equal(asked, transcript.Count(IsCustomer));
                // A message the agent died before acknowledging may have been sent again by the customer: each is answered.
                Assert.InRange(asked, perCustomer, perCustomer + 1);
                Assert.Equal(asked, transcript.Count(IsHoursAnswer));
                Assert.Equal(asked, Answers(chat.Events));
                AssertNothingStreamedTwice(chat);
            }
        }
        finally
        {
            foreach (var chat in chats)
            {
                await chat.DisposeAsync();
            }
        }
    }

    [Theory]
    [MemberData(nameof(HandoffPoints))]
    public async Task A_handoff_reaches_the_human_and_back_once_when_a_process_dies_at(string point)
    {
        var process = ProcessOf(point);
        await ArmAsync(process, point, at: 1);
        var recovered = RestartAfterCrashAsync(process, point);
        await using var chat = await StartChatAsync(stack.Demo);
        var within = TimeSpan.FromSeconds(90);

        await SendUntilAcceptedAsync(chat, "I want to talk to a human");
        await chat.WaitForAsync(e => IsHandoff(e, "connected"), "handoff connected", within);
        await chat.WaitForAsync(e => IsAgentMessage(e, StackFixture.AgentReplies[0]), "the agent's first reply", within);
        await SendUntilAcceptedAsync(chat, "My order 1234 never arrived");
        await chat.WaitForAsync(e => IsAgentMessage(e, StackFixture.AgentReplies[1]), "the agent's second reply", within);
        await chat.WaitForAsync(e => IsHandoff(e, "ended"), "handoff ended", within);
        await recovered;
        // Whatever a dead replica left pending is settled — and not answered by the AI behind the human's back.
        await Eventually.Until(
            () => PendingTurnsAsync(stack.Demo, chat.ConversationId), pending => pending == 0, within, pending => $"{pending} turns still pending");
        var transcript = await chat.TranscriptAsync();
        var ai = transcript.Where(m => m.GetProperty("role").GetString() == "ai").Select(m => m.GetProperty("text").GetString()!).ToList();
        Assert.Equal(3, ai.Count); // the greeting, "let me connect you", "I'm back": nothing the human had was answered again
        Assert.Contains("connect you", ai[1], StringComparison.Ordinal);
        Assert.Contains("I'm back", ai[2], StringComparison.Ordinal);

        // The customer saw each status once, in order, and each of the human's messages once.
        Assert.Equal(["requested", "queued", "connected", "ended"], chat.HandoffStatuses);
        Assert.Single(chat.Events, e => IsAgentMessage(e, StackFixture.AgentReplies[0]));
        Assert.Single(chat.Events, e => IsAgentMessage(e, StackFixture.AgentReplies[1]));
        AssertNothingStreamedTwice(chat);

        // The human: one Genesys conversation, each of the customer's two messages received once.
        Assert.Single(await stack.Simulator.ConversationsOfAsync(chat.ConversationId));
        var received = (await stack.Simulator.ReceivedMessagesAsync(stack.Demo.Genesys.IntegrationId))
            .Where(r => r.GetRawText().Contains(chat.ConversationId, StringComparison.Ordinal))
            .Select(r => r.GetProperty("body").GetProperty("channel").GetProperty("messageId").GetString())
            .ToList();
        Assert.Equal(2, received.Count);
        Assert.Equal(2, received.Distinct().Count());
    }

    private async Task<int> PendingTurnsAsync(RegisteredTenant tenant, string conversationId)
    {
        var document = await stack.Dapr.GetStateAsync<JsonElement?>("statestore", $"agent/transcripts/{tenant.Key}/{Uri.EscapeDataString(conversationId)}");
        return document is { ValueKind: JsonValueKind.Object } d && d.TryGetProperty("pendingTurns", out var pending) ? pending.GetArrayLength() : 0;
    }

    private static string ProcessOf(string point) => point[..point.IndexOf('.', StringComparison.Ordinal)] switch
    {
        "edge" => DevStackHost.Edge,
        "verifier" => DevStackHost.Verifier,
        "agent" => DevStackHost.Agent,
        "handoff" => DevStackHost.Handoff,
        var other => throw new ArgumentException($"no process for {other}", nameof(point)),
    };

    /// <summary>Restarts <paramref name="process"/> with <paramref name="point"/> armed for its <paramref name="at"/>-th time.</summary>
    private Task ArmAsync(string process, string point, int at) =>
        stack.Stack.RestartAsync(process, new Dictionary<string, string> { [Variable] = $"{point}@{at}" });

    /// <summary>Waits for the armed process to die at its point, then starts it again, unarmed.</summary>
    private async Task RestartAfterCrashAsync(string process, string point)
    {
        Assert.True(
            await stack.Stack.WaitForExitAsync(process, TimeSpan.FromSeconds(120)),
            $"{process} never reached {point}\n{stack.RecentLog}");
        await stack.Stack.RestartAsync(process);
    }

    /// <summary>One webhook as Genesys delivers it: true once answered 200 within its retries.</summary>
    private async Task<bool> SendLikeGenesysAsync(string body)
    {
        for (var attempt = 0; attempt <= 5; attempt++)
        {
            if (attempt > 0)
            {
                await Task.Delay(GenesysRetryInterval); // Genesys' own spacing of retries, not a wait for the system
            }

            try
            {
                using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(10));
                using var response = await stack.Http.SendAsync(
                    GenesysWebhook.Request(stack.Demo.WebhookUrl, body, GenesysWebhook.Sign(stack.Demo.WebhookSecret, body)), timeout.Token);
                if (response.StatusCode == HttpStatusCode.OK)
                {
                    return true;
                }

                if (response.StatusCode != HttpStatusCode.TooManyRequests && (int)response.StatusCode < 500)
                {
                    return false; // not retried by Genesys
                }
            }
            catch (Exception e) when (e is HttpRequestException or TaskCanceledException)
            {
                // No answer (the process died under the request) or none within 10 s: Genesys retries.
            }
        }

        return false;
    }

    private async Task<ChatSession> StartChatAsync(RegisteredTenant tenant) =>
        (await Eventually.Until(
            async () =>
            {
                try
                {
                    return await ChatSession.StartAsync(stack.Stack.EdgeUrl, tenant.Key.ToString(), reconnect: true);
                }
                catch (Exception e) when (e is HttpRequestException or Xunit.Sdk.XunitException)
                {
                    return null; // the agent or the edge is restarting
                }
            },
            chat => chat is not null,
            TimeSpan.FromSeconds(60),
            _ => "no conversation could be started"))!;

    /// <summary>As a person would: sends again when no 202 came (the process died under the request), until one does.</summary>
    private static async Task SendUntilAcceptedAsync(ChatSession chat, string text)
    {
        var statuses = new List<HttpStatusCode?>();
        await Eventually.Until(
            async () =>
            {
                var status = await chat.TrySendAsync(text);
                statuses.Add(status);
                return status;
            },
            status => status == HttpStatusCode.Accepted,
            TimeSpan.FromSeconds(60),
            _ => $"'{text}' never accepted: {string.Join(", ", statuses)}");
    }

    private static bool IsHoursAnswer(JsonElement message) =>
        message.GetProperty("role").GetString() == "ai" && message.GetProperty("text").GetString()!.Contains("Monday to Friday", StringComparison.Ordinal);

    private static int Answers(IEnumerable<ChatEvent> events) => events.Count(e => e.Type == "message" && IsHoursAnswer(e.Data));

    private static bool IsHandoff(ChatEvent e, string status) => e.Type == "handoff" && e.Data.GetProperty("status").GetString() == status;

    private static bool IsAgentMessage(ChatEvent e, string text) =>
        e.Type == "message" && e.Data.GetProperty("role").GetString() == "agent" && e.Data.GetProperty("text").GetString() == text;

    /// <summary>Reconnects resume after the last event id: no event, and no message, arrives twice.</summary>
    private static void AssertNothingStreamedTwice(ChatSession chat)
    {
        var events = chat.Events;
        var ids = events.Where(e => e.Id is not null).Select(e => e.Id!).ToList();
        Assert.Equal(ids.Count, ids.Distinct().Count());
        var messageIds = events.Where(e => e.Type == "message").Select(e => e.Data.GetProperty("id").GetString()).ToList();
        Assert.Equal(messageIds.Count, messageIds.Distinct().Count());
    }
}

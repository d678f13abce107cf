using System.Text.Json;
using Microsoft.Playwright;
using PolyAi.Messaging.Contracts;
using PolyAi.Messaging.DevStack;
using PolyAi.Messaging.Webchat.Tests.Support;
using static Microsoft.Playwright.Assertions;

namespace PolyAi.Messaging.Webchat.Tests;

/// <summary>
/// The customer's whole story in a real browser: the webchat page the real edge serves, the real agent and handoff
/// services behind it, and a scripted human agent in the Genesys simulator.
/// </summary>
[Collection(RealStackCollection.Name)]
public sealed class RealStackWebchatTests(RealStackFixture fixture)
{
    // The default agent definition (services/Agent/Brains/Definitions/default.yaml).
    private const string Greeting = "Hi! I'm the virtual assistant. Ask me anything, or type \"agent\" to talk to a person.";
    private const string OpeningHours = "We're open Monday to Friday, 9:00 to 17:00.";
    private const string HandoffRequested = "Let me connect you with a colleague.";
    private const string AgentJoined = "A colleague has joined the conversation.";
    private const string AgentLeft = "Our colleague has left the conversation.";
    private const string AiResumes = "I'm back. Is there anything else I can help you with?";

    // A step through the real services (AI turn, Genesys round trip) may take a few seconds on a busy machine.
    private static readonly LocatorAssertionsToHaveTextOptions Text = new() { Timeout = 30_000 };
    private static readonly LocatorAssertionsToHaveAttributeOptions Attribute = new() { Timeout = 30_000 };

    [Fact]
    public async Task Customer_talks_to_the_ai_then_a_human_agent_then_the_ai_again()
    {
        var page = await fixture.OpenWebchatAsync(DevStackOptions.DemoTenant);
        var handoff = page.Locator(".pcw-handoff");

        await Expect(Texts(page, "ai")).ToHaveTextAsync([Greeting], Text);
        await ScreenshotAsync(page, "webchat-real-1-greeting.png");

        await SendAsync(page, "What are your opening hours?");
        await Expect(Texts(page, "ai")).ToHaveTextAsync([Greeting, OpeningHours], Text);
        await ScreenshotAsync(page, "webchat-real-2-ai-answer.png");

        await RecordHandoffStatusesAsync(page);
        await SendAsync(page, "I want to talk to a human");
        await Expect(handoff).ToHaveAttributeAsync("data-status", "connected", Attribute);
        await Expect(handoff).ToHaveTextAsync("You are chatting with a human agent.");
        await Expect(Texts(page, "agent")).ToHaveTextAsync([RealStackFixture.AgentReplies[0]], Text);
        await Expect(page.Locator(".pcw-msg[data-role=\"agent\"] .pcw-msg-sender")).ToHaveTextAsync(["Agent"]);
        await Expect(Texts(page, "system")).ToHaveTextAsync([AgentJoined]);
        await Expect(Texts(page, "ai")).ToHaveTextAsync([Greeting, OpeningHours, HandoffRequested]);
        Assert.Equal(["requested", "queued", "connected"], await HandoffStatusesAsync(page));
        await ScreenshotAsync(page, "webchat-real-3-agent-connected.png");

        await SendAsync(page, "My order 1234 never arrived");
        await Expect(Texts(page, "agent")).ToHaveTextAsync(RealStackFixture.AgentReplies, Text);

        // The scripted agent ends after its second reply: the page says so and the AI takes over again.
        await Expect(handoff).ToHaveAttributeAsync("data-status", "ended", Attribute);
        await Expect(handoff).ToHaveTextAsync("The human agent has left the conversation.");
        await Expect(Texts(page, "system")).ToHaveTextAsync([AgentJoined, AgentLeft], Text);
        await Expect(Texts(page, "ai")).ToHaveTextAsync([Greeting, OpeningHours, HandoffRequested, AiResumes], Text);
        await SendAsync(page, "When are you open?");
        await Expect(Texts(page, "ai")).ToHaveTextAsync([Greeting, OpeningHours, HandoffRequested, AiResumes, OpeningHours], Text);
        await Expect(Texts(page, "customer")).ToHaveTextAsync(
            ["What are your opening hours?", "I want to talk to a human", "My order 1234 never arrived", "When are you open?"]);
        await Expect(Texts(page, "agent")).ToHaveCountAsync(2);
        await Expect(page.GetByLabel("Your message")).ToBeEditableAsync();
        await ScreenshotAsync(page, "webchat-real-4-ai-back.png");
    }

    [Fact]
    public async Task Customer_ending_the_chat_while_connected_disconnects_the_genesys_conversation()
    {
        var tenant = RealStackFixture.PatientTenant;
        var page = await fixture.OpenWebchatAsync(tenant);
        await Expect(Texts(page, "ai")).ToHaveTextAsync([Greeting], Text);
        var conversationId = await ConversationIdAsync(page, tenant);

        await SendAsync(page, "Can I speak to a person?");
        await Expect(page.Locator(".pcw-handoff")).ToHaveAttributeAsync("data-status", "connected", Attribute);
        await Expect(Texts(page, "agent")).ToHaveTextAsync([RealStackFixture.AgentReplies[0]], Text);
        var live = await fixture.Simulator.ConversationsOfAsync(conversationId);
        Assert.True(live.Count == 1 && !SimulatorClient.IsDisconnected(live[0]), $"one live Genesys conversation: {Describe(live)}");
        await ScreenshotAsync(page, "webchat-real-5-before-end.png");

        await page.GetByRole(AriaRole.Button, new() { Name = "End chat" }).ClickAsync();

        await Expect(page.GetByText("You ended the conversation.")).ToBeVisibleAsync();
        await Expect(page.GetByLabel("Your message")).ToBeHiddenAsync();
        await Expect(page.GetByRole(AriaRole.Button, new() { Name = "Start a new conversation" })).ToBeVisibleAsync();
        await ScreenshotAsync(page, "webchat-real-6-customer-ended.png");
        await PollAsync(
            () => fixture.Simulator.ConversationsOfAsync(conversationId),
            conversations => conversations.Count == 1 && SimulatorClient.IsDisconnected(conversations[0]),
            conversations => $"the Genesys conversation is disconnected; it is: {Describe(conversations)}");
    }

    private static ILocator Texts(IPage page, string role) => page.Locator($".pcw-msg[data-role=\"{role}\"] .pcw-msg-text");

    private static async Task SendAsync(IPage page, string text)
    {
        var input = page.GetByLabel("Your message");
        await input.FillAsync(text);
        await page.GetByRole(AriaRole.Button, new() { Name = "Send" }).ClickAsync();
        await Expect(input).ToHaveValueAsync("", new() { Timeout = 30_000 });
    }

    /// <summary>Every handoff status the banner shows, in order, however briefly (queued may last only ~100 ms).</summary>
    private static async Task RecordHandoffStatusesAsync(IPage page) => await page.EvaluateAsync("""
        () => {
          const banner = document.querySelector('.pcw-handoff');
          const shown = window.handoffStatuses = [];
          new MutationObserver(records => records.forEach((record, i) => {
            const status = i + 1 < records.length ? records[i + 1].oldValue : banner.getAttribute('data-status');
            if (status && shown[shown.length - 1] !== status) shown.push(status);
          })).observe(banner, { attributes: true, attributeFilter: ['data-status'], attributeOldValue: true });
        }
        """);

    private static Task<string[]> HandoffStatusesAsync(IPage page) => page.EvaluateAsync<string[]>("() => window.handoffStatuses");

    /// <summary>The chat conversation's id, as the widget keeps it in sessionStorage.</summary>
    private static async Task<string> ConversationIdAsync(IPage page, TenantKey tenant)
    {
        await page.WaitForFunctionAsync("key => sessionStorage.getItem(key) !== null", $"polyai-webchat:{tenant}");
        var stored = await page.EvaluateAsync<string>("key => sessionStorage.getItem(key)", $"polyai-webchat:{tenant}");
        return JsonDocument.Parse(stored).RootElement.GetProperty("id").GetString()!;
    }

    private static async Task ScreenshotAsync(IPage page, string name)
    {
        var path = Path.Combine(WebchatFixture.ResultsDirectory, name);
        await page.ScreenshotAsync(new() { Path = path, FullPage = true });
        Assert.True(File.Exists(path) && new FileInfo(path).Length > 0, $"{path} is missing or empty");
    }

    private async Task<T> PollAsync<T>(Func<Task<T>> read, Func<T, bool> holds, Func<T, string> what)
    {
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(20);
        using var poll = new PeriodicTimer(TimeSpan.FromMilliseconds(100));
        var value = await read();
        while (!holds(value))
        {
            Assert.True(DateTime.UtcNow < deadline, $"Timed out waiting until {what(value)}{Environment.NewLine}{fixture.RecentLog}");
            await poll.WaitForNextTickAsync();
            value = await read();
        }

        return value;
    }

    private static string Describe(IReadOnlyList<JsonElement> conversations) =>
        conversations.Count == 0 ? "(none)" : string.Join(Environment.NewLine, conversations.Select(c => c.GetRawText()));
}

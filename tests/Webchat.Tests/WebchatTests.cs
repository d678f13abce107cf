using Microsoft.Playwright;
using PolyAi.Messaging.Webchat.Tests.Support;
using static Microsoft.Playwright.Assertions;

namespace PolyAi.Messaging.Webchat.Tests;

/// <summary>The webchat widget in a real browser, served by the edge, against the scripted chat API.</summary>
[Collection(WebchatCollection.Name)]
public sealed class WebchatTests(WebchatFixture fixture)
{
    [Fact]
    public async Task Shows_the_customers_message_then_the_ai_typing_and_its_answer()
    {
        var account = WebchatFixture.NewAccount();
        var page = await fixture.OpenWebchatAsync(account);
        var conversation = await fixture.ChatApi.ConversationOfAsync(account);

        await SendAsync(page, "Where is my parcel?");
        await Expect(Messages(page, "customer").Locator(".pcw-msg-text")).ToHaveTextAsync(["Where is my parcel?"]);
        conversation.Typing("ai");
        await Expect(Typing(page)).ToHaveTextAsync("AI assistant is typing…");
        conversation.Say("ai", "It left our warehouse this morning.");

        await Expect(Messages(page, "ai").Locator(".pcw-msg-text")).ToHaveTextAsync(["It left our warehouse this morning."]);
        await Expect(Typing(page)).ToBeHiddenAsync();
        await Expect(Messages(page, "customer")).ToHaveCountAsync(1); // the echo from the stream is not shown twice
        Assert.Equal(["Where is my parcel?"], conversation.CustomerMessages);
        Assert.Equal($"{account}/web/live", conversation.Tenant);
        Assert.True(conversation.CustomerTypingSignals >= 1, "typing in the box tells the service the customer is typing");
    }

    [Fact]
    public async Task Follows_a_handoff_from_request_to_a_human_agents_reply_and_ends_the_conversation()
    {
        var account = WebchatFixture.NewAccount();
        var page = await fixture.OpenWebchatAsync(account);
        var conversation = await fixture.ChatApi.ConversationOfAsync(account);
        var handoff = page.Locator(".pcw-handoff");

        await SendAsync(page, "I want to talk to a person");
        conversation.Handoff("requested");
        await Expect(handoff).ToHaveAttributeAsync("data-status", "requested");
        await Expect(handoff).ToHaveTextAsync("Asking for a human agent…");
        conversation.Say("system", "Connecting you to a human agent.");
        conversation.Handoff("queued");
        await Expect(handoff).ToHaveTextAsync("You are in the queue for a human agent.");
        conversation.Handoff("connected");
        await Expect(handoff).ToHaveTextAsync("You are chatting with a human agent.");
        conversation.Typing("agent");
        await Expect(Typing(page)).ToHaveTextAsync("Agent is typing…");
        conversation.Say("agent", "Hi, I'm Sam from support. How can I help?");
        await Expect(Messages(page, "agent").Locator(".pcw-msg-text")).ToHaveTextAsync(["Hi, I'm Sam from support. How can I help?"]);
        await Expect(Messages(page, "agent").Locator(".pcw-msg-sender")).ToHaveTextAsync(["Agent"]);
        await Expect(Messages(page, "system")).ToHaveCountAsync(1);
        await Expect(Typing(page)).ToBeHiddenAsync();

        var screenshot = Path.Combine(WebchatFixture.ResultsDirectory, "webchat-handoff.png");
        await page.ScreenshotAsync(new() { Path = screenshot, FullPage = true });
        Assert.True(new FileInfo(screenshot).Length > 0, $"{screenshot} is empty");

        conversation.Handoff("ended");
        await Expect(handoff).ToHaveTextAsync("The human agent has left the conversation.");
        await page.GetByRole(AriaRole.Button, new() { Name = "End chat" }).ClickAsync();

        await Expect(page.GetByText("You ended the conversation.")).ToBeVisibleAsync();
        await Expect(page.GetByLabel("Your message")).ToBeHiddenAsync();
        Assert.True(conversation.Ended);
    }

    [Fact]
    public async Task Resumes_the_event_stream_after_the_connection_drops_without_losing_or_repeating_messages()
    {
        var account = WebchatFixture.NewAccount();
        var page = await fixture.OpenWebchatAsync(account);
        var conversation = await fixture.ChatApi.ConversationOfAsync(account);
        await SendAsync(page, "Hello?");
        conversation.Say("ai", "Hello! How can I help?");
        await Expect(Messages(page, "ai")).ToHaveCountAsync(1);
        var lastSeen = conversation.LastEventId.ToString(System.Globalization.CultureInfo.InvariantCulture);

        conversation.RefuseStreams = true;
        conversation.DropStreams();
        await Expect(page.Locator(".pcw-connection")).ToHaveTextAsync("Reconnecting…");
        conversation.Say("ai", "Said while you were offline.");
        await PollAsync(() => conversation.RefusedStreams >= 1, "the widget tries again while the stream is down");
        conversation.RefuseStreams = false;

        await Expect(page.Locator(".pcw-connection")).ToBeHiddenAsync();
        await Expect(Messages(page, "ai").Locator(".pcw-msg-text")).ToHaveTextAsync(["Hello! How can I help?", "Said while you were offline."]);
        await Expect(Messages(page, "customer")).ToHaveCountAsync(1);
        Assert.Equal("", conversation.StreamRequests[0]);
        Assert.All(conversation.StreamRequests.Skip(1), lastEventId => Assert.Equal(lastSeen, lastEventId));
    }

    [Fact]
    public async Task Resumes_the_same_conversation_after_a_page_reload()
    {
        var account = WebchatFixture.NewAccount();
        var page = await fixture.OpenWebchatAsync(account);
        var conversation = await fixture.ChatApi.ConversationOfAsync(account);
        await SendAsync(page, "Remember me");
        conversation.Say("ai", "Of course.");
        conversation.Handoff("queued");
        await Expect(Messages(page, "ai")).ToHaveCountAsync(1);
        await Expect(page.Locator(".pcw-handoff")).ToHaveAttributeAsync("data-status", "queued");

        await page.ReloadAsync();
        await Expect(page.Locator(".pcw-handoff")).ToHaveTextAsync("You are in the queue for a human agent.");
        conversation.Say("ai", "Welcome back.");

        await Expect(Messages(page, "ai").Locator(".pcw-msg-text")).ToHaveTextAsync(["Of course.", "Welcome back."]);
        await Expect(Messages(page, "customer").Locator(".pcw-msg-text")).ToHaveTextAsync(["Remember me"]);
        Assert.Equal(1, fixture.ChatApi.ConversationsOf(account));
    }

    [Fact]
    public async Task Refuses_empty_and_over_long_messages_with_inline_errors_and_sends_nothing()
    {
        var account = WebchatFixture.NewAccount();
        var page = await fixture.OpenWebchatAsync(account);
        var conversation = await fixture.ChatApi.ConversationOfAsync(account);
        var input = page.GetByLabel("Your message");
        var error = page.Locator("#pcw-error");

        await input.FillAsync("   ");
        await page.GetByRole(AriaRole.Button, new() { Name = "Send" }).ClickAsync();
        await Expect(error).ToHaveTextAsync("Type a message before sending.");
        await Expect(input).ToHaveAttributeAsync("aria-invalid", "true");

        await input.FillAsync(new string('a', 4001));
        await Expect(error).ToHaveTextAsync("Your message is 4001 characters long; the limit is 4000.");
        await input.PressAsync("Enter");
        await Expect(error).ToBeVisibleAsync();

        await input.FillAsync(new string('a', 4000));
        await Expect(error).ToBeHiddenAsync();
        await input.PressAsync("Enter");
        await Expect(Messages(page, "customer")).ToHaveCountAsync(1);
        Assert.Equal([new string('a', 4000)], conversation.CustomerMessages);
    }

    [Fact]
    public async Task Shows_message_text_as_text_never_as_markup()
    {
        var account = WebchatFixture.NewAccount();
        var page = await fixture.OpenWebchatAsync(account);
        var conversation = await fixture.ChatApi.ConversationOfAsync(account);
        const string markup = "<img src=x onerror=\"document.title='pwned'\"><b>bold</b>";

        conversation.Say("agent", markup);

        await Expect(Messages(page, "agent").Locator(".pcw-msg-text")).ToHaveTextAsync([markup]);
        await Expect(page.Locator(".pcw-messages img, .pcw-messages b")).ToHaveCountAsync(0);
        Assert.NotEqual("pwned", await page.TitleAsync());
    }

    [Fact]
    public async Task Fills_a_phone_sized_screen()
    {
        var page = await fixture.OpenWebchatAsync(WebchatFixture.NewAccount(), new ViewportSize { Width = 375, Height = 667 });

        await Expect(page.GetByLabel("Your message")).ToBeVisibleAsync();
        var panel = await page.Locator(".pcw-panel").BoundingBoxAsync();

        Assert.NotNull(panel);
        Assert.Equal(375, panel.Width, 1);
        Assert.Equal(667, panel.Height, 1);
        var screenshot = Path.Combine(WebchatFixture.ResultsDirectory, "webchat-phone.png");
        await page.ScreenshotAsync(new() { Path = screenshot });
        Assert.True(new FileInfo(screenshot).Length > 0, $"{screenshot} is empty");
    }

    private static ILocator Messages(IPage page, string role) => page.Locator($".pcw-msg[data-role=\"{role}\"]");

    private static ILocator Typing(IPage page) => page.Locator(".pcw-typing");

    private static async Task SendAsync(IPage page, string text)
    {
        var input = page.GetByLabel("Your message");
        await input.FillAsync(text);
        await page.GetByRole(AriaRole.Button, new() { Name = "Send" }).ClickAsync();
        await Expect(input).ToHaveValueAsync("");
    }

    private static async Task PollAsync(Func<bool> condition, string what)
    {
        using var deadline = new CancellationTokenSource(TimeSpan.FromSeconds(15));
        using var poll = new PeriodicTimer(TimeSpan.FromMilliseconds(50));
        while (!condition())
        {
            if (!await poll.WaitForNextTickAsync(deadline.Token).AsTask().ContinueWith(t => t.IsCompletedSuccessfully && t.Result, TaskScheduler.Default))
            {
                Assert.Fail($"Timed out waiting until {what}.");
            }
        }
    }
}

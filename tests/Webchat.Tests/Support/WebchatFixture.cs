extern alias edge;

using System.Net;
using System.Net.Sockets;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.Playwright;

namespace PolyAi.Messaging.Webchat.Tests.Support;

/// <summary>
/// The real edge (serving the widget from its wwwroot and proxying the chat API) in front of the fake chat API, and
/// Debian's Chromium driven by Playwright. Every test opens its own page for its own tenant.
/// </summary>
public sealed class WebchatFixture : IAsyncLifetime
{
    public const string Chromium = "/usr/bin/chromium";

    private WebApplicationFactory<edge::Program>? _edge;
    private IPlaywright? _playwright;

    public FakeChatApi ChatApi { get; private set; } = null!;

    public Uri EdgeAddress { get; private set; } = null!;

    public IBrowser Browser { get; private set; } = null!;

    /// <summary>Where screenshots go: <c>TestResults/</c> next to the test assembly.</summary>
    public static string ResultsDirectory => Directory.CreateDirectory(Path.Combine(AppContext.BaseDirectory, "TestResults")).FullName;

    public async Task InitializeAsync()
    {
        ChatApi = await FakeChatApi.StartAsync();

        var port = FreePort.Pick();
        _edge = new WebApplicationFactory<edge::Program>().WithWebHostBuilder(web =>
        {
            web.UseSetting("urls", $"http://127.0.0.1:{port}");
            web.UseSetting("ReverseProxy:Clusters:agent:Destinations:primary:Address", ChatApi.Address.ToString());
            web.UseSetting("Edge:ConversationRateLimit:PermitsPerMinute", "1000");
            web.UseSetting("Edge:DemoTenants:0", "*"); // each test opens the demo page for a tenant of its own
            web.UseSetting("Edge:ConversationRateLimit:Burst", "1000");
        });
        _edge.UseKestrel();
        _edge.StartServer();
        EdgeAddress = new Uri($"http://127.0.0.1:{port}");

        _playwright = await Playwright.CreateAsync();
        Browser = await LaunchChromiumAsync(_playwright);
        Assertions.SetDefaultExpectTimeout(15_000);
    }

    /// <summary>Debian's Chromium, headless; Playwright must never fetch a browser of its own.</summary>
    public static Task<IBrowser> LaunchChromiumAsync(IPlaywright playwright)
    {
        Environment.SetEnvironmentVariable("PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD", "1");
        if (!File.Exists(Chromium))
        {
            throw new InvalidOperationException($"{Chromium} is missing: apt-get install -y chromium (.ci/run does).");
        }

        return playwright.Chromium.LaunchAsync(new()
        {
            ExecutablePath = Chromium,
            Headless = true,
            Args = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking", "--disable-component-update", "--disable-sync"],
        });
    }

    /// <summary>A fresh browser context (its own sessionStorage) with the demo page open for <paramref name="accountId"/>.</summary>
    public async Task<IPage> OpenWebchatAsync(string accountId, ViewportSize? viewport = null)
    {
        var context = await Browser.NewContextAsync(new() { ViewportSize = viewport ?? new ViewportSize { Width = 1024, Height = 768 } });
        var page = await context.NewPageAsync();
        page.SetDefaultTimeout(15_000);
        await page.GotoAsync(new Uri(EdgeAddress, $"/?tenant={accountId}/web/live").ToString());
        return page;
    }

    public static string NewAccount() => "acct-" + Guid.NewGuid().ToString("N")[..10];

    public async Task DisposeAsync()
    {
        if (Browser is not null)
        {
            await Browser.DisposeAsync();
        }

        _playwright?.Dispose();
        if (_edge is not null)
        {
            await _edge.DisposeAsync();
        }

        await ChatApi.DisposeAsync();
    }
}

[CollectionDefinition(Name)]
public sealed class WebchatCollection : ICollectionFixture<WebchatFixture>
{
    public const string Name = "webchat in Chromium behind the edge";
}

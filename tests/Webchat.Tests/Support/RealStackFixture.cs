using System.Collections.Concurrent;
using Microsoft.Playwright;
using PolyAi.Messaging.Contracts;
using PolyAi.Messaging.DevStack;

namespace PolyAi.Messaging.Webchat.Tests.Support;

/// <summary>
/// The whole real system started by DevStack's code (each service its own process, the Genesys simulator with a
/// scripted agent per tenant) and Debian's Chromium opening the webchat page the real edge serves.
/// </summary>
public sealed class RealStackFixture : IAsyncLifetime
{
    /// <summary>Its agent never ends the conversation: only the customer does.</summary>
    public static readonly TenantKey PatientTenant = new("ACCOUNT-webchat-patient", "PROJECT-web", "live");

    public static readonly string[] AgentReplies = ["Hi, I'm Sam from support. How can I help?", "Thanks, I've sent a new one. Bye!"];

    private readonly string _stateDirectory = Path.Combine(Path.GetTempPath(), "polyai-webchat-" + Guid.NewGuid().ToString("N"));
    private readonly ConcurrentQueue<string> _log = new();
    private DevStackHost? _stack;
    private IPlaywright? _playwright;

    public DevStackHost Stack => _stack ?? throw new InvalidOperationException("Stack not started.");

    public IBrowser Browser { get; private set; } = null!;

    public HttpClient Http { get; } = new() { Timeout = TimeSpan.FromSeconds(15) };

    public SimulatorClient Simulator => new(Http, Stack.GenesysUrl);

    /// <summary>The last lines the parts printed, to explain a failure.</summary>
    public string RecentLog => string.Join(Environment.NewLine, _log.TakeLast(80));

    public async Task InitializeAsync()
    {
        var options = new DevStackOptions
        {
            UseFreePorts = true,
            StateDirectory = _stateDirectory,
            Log = (service, line) => _log.Enqueue($"{service}: {line}"),
            StartTimeout = TimeSpan.FromSeconds(90),
        };
        options.Tenants.Add(PatientTenant);
        options.Agents[0] = new SimulatedAgent { Name = "Sam", AcceptDelayMs = 100, ReplyDelayMs = 200, Replies = AgentReplies, EndAfterMessages = 2 };
        // Every test customer comes from 127.0.0.1, so the per-IP limit on new conversations is lifted.
        options.ServiceSettings["Edge__ConversationRateLimit__PermitsPerMinute"] = "1000";
        options.ServiceSettings["Edge__ConversationRateLimit__Burst"] = "1000";
        _stack = await DevStackHost.StartAsync(options);

        var patient = Stack.Tenants.Single(t => t.Key == PatientTenant).Genesys;
        await Simulator.SetOnQueueAsync(patient.AgentIds[0], onQueue: false);
        await Simulator.AddAgentAsync(patient.QueueId, new { name = "Pat", acceptDelayMs = 100, replyDelayMs = 200, replies = AgentReplies, endAfterMessages = (int?)null });

        _playwright = await Playwright.CreateAsync();
        Browser = await WebchatFixture.LaunchChromiumAsync(_playwright);
    }

    /// <summary>A fresh browser context (its own sessionStorage) with the edge's demo page open for <paramref name="tenant"/>.</summary>
    public async Task<IPage> OpenWebchatAsync(TenantKey tenant)
    {
        var context = await Browser.NewContextAsync(new() { ViewportSize = new ViewportSize { Width = 1024, Height = 768 } });
        var page = await context.NewPageAsync();
        page.SetDefaultTimeout(20_000);
        await page.GotoAsync(new Uri(Stack.EdgeUrl, $"/?tenant={tenant}").ToString());
        return page;
    }

    public async Task DisposeAsync()
    {
        if (Browser is not null)
        {
            await Browser.DisposeAsync();
        }

        _playwright?.Dispose();
        if (_stack is not null)
        {
            await _stack.DisposeAsync();
        }

        Http.Dispose();
        try
        {
            Directory.Delete(_stateDirectory, recursive: true);
        }
        catch (IOException)
        {
            // A leftover temp folder is harmless.
        }
    }
}

/// <summary>Runs after the other collections, alone: starting six processes on a small machine must not slow the
/// fake-API browser tests past their timeouts.</summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class RealStackCollection : ICollectionFixture<RealStackFixture>
{
    public const string Name = "webchat in Chromium against the real stack";
}

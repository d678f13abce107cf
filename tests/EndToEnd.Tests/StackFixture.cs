using System.Collections.Concurrent;
using System.Net.Http.Json;
using System.Text.Json;
using System.Text.Json.Nodes;
using Dapr.Client;
using PolyAi.Messaging.Contracts;
using PolyAi.Messaging.DevStack;

namespace PolyAi.Messaging.EndToEnd.Tests;

/// <summary>The real system, each part its own process, started by DevStack's code on free ports.</summary>
public class StackFixture : IAsyncLifetime
{
    public static readonly TenantKey OtherTenant = new("ACCOUNT-other", "PROJECT-other", "live");

    /// <summary>Its only agent goes off queue: nobody to hand over to.</summary>
    public static readonly TenantKey NoAgentsTenant = new("ACCOUNT-empty", "PROJECT-empty", "live");

    /// <summary>Its agent never ends the conversation: only the customer does.</summary>
    public static readonly TenantKey PatientTenant = new("ACCOUNT-patient", "PROJECT-patient", "live");

    /// <summary>Genesys faults are injected on its integration's inbound API.</summary>
    public static readonly TenantKey FaultyTenant = new("ACCOUNT-faulty", "PROJECT-faulty", "live");

    /// <summary>Its record names its own webhook allowance at the edge: 1/s, burst 2.</summary>
    public static readonly TenantKey LimitedTenant = new("ACCOUNT-limited", "PROJECT-limited", "live");

    public static readonly string[] AgentReplies = ["Hi, I'm Sam from support.", "Thanks, that's sorted now. Bye!"];

    private readonly string _stateDirectory = Path.Combine(Path.GetTempPath(), "polyai-e2e-" + Guid.NewGuid().ToString("N"));
    private readonly ConcurrentQueue<string> _log = new();
    private DevStackHost? _stack;
    private DaprClient? _dapr;

    public DevStackHost Stack => _stack ?? throw new InvalidOperationException("Stack not started.");

    public HttpClient Http { get; } = new() { Timeout = TimeSpan.FromSeconds(15) };

    public RegisteredTenant Demo => Stack.Tenants.Single(t => t.Key == DevStackOptions.DemoTenant);

    public RegisteredTenant Other => Stack.Tenants.Single(t => t.Key == OtherTenant);

    public RegisteredTenant NoAgents => Stack.Tenants.Single(t => t.Key == NoAgentsTenant);

    public RegisteredTenant Patient => Stack.Tenants.Single(t => t.Key == PatientTenant);

    public RegisteredTenant Faulty => Stack.Tenants.Single(t => t.Key == FaultyTenant);

    public RegisteredTenant Limited => Stack.Tenants.Single(t => t.Key == LimitedTenant);

    public SimulatorControl Simulator => new(Http, Stack.GenesysUrl);

    public DaprClient Dapr => _dapr ?? throw new InvalidOperationException("Stack not started.");

    public async Task InitializeAsync()
    {
        var options = new DevStackOptions
        {
            UseFreePorts = true,
            StateDirectory = _stateDirectory,
            Log = (service, line) => _log.Enqueue($"{service}: {line}"),
            StartTimeout = TimeSpan.FromSeconds(90),
        };
        foreach (var tenant in new[] { OtherTenant, NoAgentsTenant, PatientTenant, FaultyTenant, LimitedTenant })
        {
            options.Tenants.Add(tenant);
        }

        options.Agents[0] = new SimulatedAgent { Name = "Sam", AcceptDelayMs = 100, ReplyDelayMs = 200, Replies = AgentReplies, EndAfterMessages = 2 };
        // The stream test sends hundreds of webhooks for one tenant in seconds.
        options.ServiceSettings["Edge__RateLimit__PermitsPerSecond"] = "5000";
        options.ServiceSettings["Edge__RateLimit__Burst"] = "5000";
        // Every test customer comes from 127.0.0.1, so the per-IP limit on new conversations is lifted.
        options.ServiceSettings["Edge__ConversationRateLimit__PermitsPerMinute"] = "1000";
        options.ServiceSettings["Edge__ConversationRateLimit__Burst"] = "1000";
        Configure(options);
        _stack = await DevStackHost.StartAsync(options);
        await Simulator.SetOnQueueAsync(NoAgents.Genesys.AgentIds[0], onQueue: false);
        await Simulator.SetOnQueueAsync(Patient.Genesys.AgentIds[0], onQueue: false);
        await Simulator.AddAgentAsync(Patient.Genesys.QueueId, new { name = "Pat", acceptDelayMs = 100, replyDelayMs = 200, replies = AgentReplies, endAfterMessages = (int?)null });
        _dapr = new DaprClientBuilder()
            .UseGrpcEndpoint(Stack.SidecarGrpcEndpoint(DevStackHost.Agent).ToString())
            .UseHttpEndpoint(Stack.SidecarHttpEndpoint(DevStackHost.Agent).ToString())
            .Build();

        // Before any webhook of the tenant, so no verifier has its record cached without the allowance.
        var limited = await _dapr.GetStateAsync<TenantRecord>("statestore", LimitedTenant.RecordStateKey);
        await _dapr.SaveStateAsync("statestore", LimitedTenant.RecordStateKey, limited with { WebhookRateLimit = new WebhookRateLimit(1, 2) });
    }

    /// <summary>Settings of a fixture of its own, on top of the ones above.</summary>
    protected virtual void Configure(DevStackOptions options)
    {
    }

    public async Task DisposeAsync()
    {
        _dapr?.Dispose();
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

    public Task<HttpResponseMessage> SendAsync(RegisteredTenant tenant, string body, string? signatureSecret = null) =>
        Http.SendAsync(GenesysWebhook.Request(tenant.WebhookUrl, body, GenesysWebhook.Sign(signatureSecret ?? tenant.WebhookSecret, body)));

    /// <summary>Ids of every CloudEvent published on genesys-notifications so far, as the sidecar saw them.</summary>
    public async Task<IReadOnlyList<string>> PublishedNotificationIdsAsync()
    {
        var url = new Uri(Stack.SidecarHttpEndpoint(DevStackHost.Verifier), $"dev/pubsub/{Topics.PubSub}/{Topics.GenesysNotifications}");
        var envelopes = await Http.GetFromJsonAsync<JsonArray>(url) ?? [];
        return envelopes.Select(e => e!["id"]!.GetValue<string>()).ToList();
    }

    public async Task<IReadOnlyList<JsonElement>> TranscriptAsync(TenantKey tenant, string customerId)
    {
        var transcript = await Dapr.GetStateAsync<JsonElement?>("statestore", $"agent/transcripts/{tenant}/{Uri.EscapeDataString(customerId)}");
        return transcript is { ValueKind: JsonValueKind.Object } t && t.TryGetProperty("messages", out var messages)
            ? messages.EnumerateArray().ToList()
            : [];
    }

    /// <summary>The ids of every message in the transcripts of <paramref name="customerIds"/>, one after the other.</summary>
    public async Task<List<string>> TranscriptIdsAsync(TenantKey tenant, IEnumerable<string> customerIds)
    {
        var ids = new List<string>();
        foreach (var customerId in customerIds)
        {
            ids.AddRange((await TranscriptAsync(tenant, customerId)).Select(m => m.GetProperty("id").GetString()!));
        }

        return ids;
    }

    public async Task<JsonElement?> HandoffSessionAsync(TenantKey tenant, string sessionId)
    {
        var session = await Dapr.GetStateAsync<JsonElement?>("statestore", $"handoff/sessions/{tenant}/{Uri.EscapeDataString(sessionId)}");
        return session is { ValueKind: JsonValueKind.Object } ? session : null;
    }

    /// <summary>The last lines the parts printed, to explain a failure.</summary>
    public string RecentLog => string.Join(Environment.NewLine, _log.TakeLast(80));
}

[CollectionDefinition(Name)]
public sealed class StackCollection : ICollectionFixture<StackFixture>
{
    public const string Name = "stack";
}

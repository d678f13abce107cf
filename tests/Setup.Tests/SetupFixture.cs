using System.Text.Json.Nodes;
using PolyAi.Messaging.Contracts;
using PolyAi.Messaging.Genesys;
using PolyAi.Messaging.GenesysSimulator;
using PolyAi.Messaging.ServiceDefaults;
using PolyAi.Messaging.Setup.Cli;
using PolyAi.Messaging.Setup.Provisioning;
using PolyAi.Messaging.Setup.Secrets;
using Spectre.Console;

namespace PolyAi.Messaging.Setup.Tests;

/// <summary>One in-process Genesys simulator (an empty org plus an admin client), shared by a test class.</summary>
public sealed class SimulatorFixture : IAsyncLifetime
{
    public GenesysSimulatorHost Host { get; private set; } = null!;

    public SeededOrg Admin => Host.SeededOrg!;

    public SimulatorControl Control => Host.Control;

    /// <summary>What the org calls its home division (orgs can rename it).</summary>
    public string HomeDivisionName { get; init; } = "Home";

    public async Task InitializeAsync() => Host = await GenesysSimulatorHost.StartAsync(FastSimulator.Options() with { HomeDivisionName = HomeDivisionName });

    public async Task DisposeAsync() => await Host.DisposeAsync();

    public GenesysClient AdminClient() =>
        new(GenesysEnvironment.ForBaseUrl(Host.BaseUrl), new GenesysCredentials(Admin.ClientId, Admin.ClientSecret), SetupRun.FastOptions());
}

/// <summary>What one CLI run printed and answered.</summary>
public sealed record CliOutput(int ExitCode, string Console, string Json)
{
    public JsonObject JsonObject => JsonNode.Parse(Json)!.AsObject();

    /// <summary>Asserts the exit code, showing everything printed when it differs.</summary>
    public CliOutput Exits(int expected)
    {
        Assert.True(ExitCode == expected, $"exit {ExitCode}, expected {expected}:\n{Console}\n{Json}");
        return this;
    }
}

/// <summary>
/// One tenant's working directory (secrets file, tenant record file) and a way to run the CLI in-process against the
/// simulator. Every run checks that no stored secret appears in what it printed.
/// </summary>
public sealed class SetupRun : IDisposable
{
    private readonly SimulatorFixture _sim;
    private readonly string _directory = Directory.CreateTempSubdirectory("setup-tests-").FullName;

    public SetupRun(SimulatorFixture sim)
    {
        _sim = sim;
        Tenant = new TenantKey($"ACCOUNT-{Guid.NewGuid():N}"[..16], "PROJECT-web", "live");
    }

    public TenantKey Tenant { get; }

    /// <summary>The admin credentials runs use; the simulator's all-permission admin unless a test picks another.</summary>
    public SeededOrg? Admin { get; set; }

    private SeededOrg AdminOrSeed => Admin ?? _sim.Admin;

    public string SecretsPath => Path.Combine(_directory, "secrets.json");

    public string StatePath => Path.Combine(_directory, "state.json");

    public const string WebhookBase = "http://127.0.0.1:9/";

    /// <summary>Changes what Genesys answers on its way to the CLI (e.g. a flow without a published version).</summary>
    public Func<HttpRequestMessage, JsonNode, JsonNode>? RewriteResponse { get; set; }

    public LocalSecretsFile Secrets => new(SecretsPath);

    public static GenesysClientOptions FastOptions() => new()
    {
        RetryBaseDelay = TimeSpan.FromMilliseconds(5),
        AttemptTimeout = TimeSpan.FromSeconds(5),
        TotalTimeout = TimeSpan.FromSeconds(20),
        MaxRetryAfter = TimeSpan.FromSeconds(5),
    };

    public Task<CliOutput> ProvisionAsync(params string[] extra) =>
        RunAsync(["provision", .. Common(), "--genesys-url", _sim.Host.BaseUrl.ToString(), .. extra]);

    public Task<CliOutput> DoctorAsync(params string[] extra) => RunAsync(["doctor", .. Common(), .. extra]);

    public Task<CliOutput> DoctorWithoutAdminAsync(params string[] extra) => RunAsync(["doctor", .. Common(), .. extra], withAdmin: false);

    public string[] Common() =>
        ["--tenant", Tenant.ToString(), "--webhook-base", WebhookBase, "--secrets", $"local:{SecretsPath}", "--state", $"file:{StatePath}"];

    public async Task<CliOutput> RunAsync(string[] args, bool withAdmin = true)
    {
        using var console = new StringWriter();
        using var json = new StringWriter();
        var ui = AnsiConsole.Create(new AnsiConsoleSettings
        {
            Ansi = AnsiSupport.No,
            ColorSystem = ColorSystemSupport.NoColors,
            Out = new AnsiConsoleOutput(console),
            Interactive = InteractionSupport.No,
        });
        ui.Profile.Width = 400; // a wide terminal: lines are asserted whole
        var host = new SetupHost
        {
            Console = ui,
            Json = json,
            Environment = name => withAdmin ? name switch
            {
                SetupHost.AdminClientIdVariable => AdminOrSeed.ClientId,
                SetupHost.AdminClientSecretVariable => AdminOrSeed.ClientSecret,
                _ => null,
            } : null,
            Clients = (environment, credentials) => new GenesysClient(environment, credentials, FastOptions(), new Rewriter(this) { InnerHandler = new SocketsHttpHandler() }),
            Timings = new SetupTimings
            {
                IntegrationDeadline = TimeSpan.FromSeconds(10),
                FlowDeadline = TimeSpan.FromSeconds(10),
                PollInterval = TimeSpan.FromMilliseconds(25),
                RoundTripDeadline = TimeSpan.FromSeconds(5),
            },
        };
        var exit = await SetupCli.RunAsync(args, host);
        var output = new CliOutput(exit, console.ToString(), json.ToString());
        await AssertNoSecretIn(output);
        return output;
    }

    /// <summary>Secrets never appear on stdout or in --json: checked after every run against every stored value.</summary>
    private async Task AssertNoSecretIn(CliOutput output)
    {
        var stored = await Secrets.ReadAsync(Tenant, CancellationToken.None);
        foreach (var secret in new[] { stored?.WebhookSecret, stored?.PreviousWebhookSecret, stored?.OAuthClientSecret, _sim.Admin.ClientSecret, AdminOrSeed.ClientSecret })
        {
            if (!string.IsNullOrEmpty(secret))
            {
                Assert.DoesNotContain(secret, output.Console, StringComparison.Ordinal);
                Assert.DoesNotContain(secret, output.Json, StringComparison.Ordinal);
            }
        }
    }

    public void Dispose() => Directory.Delete(_directory, recursive: true);

    private sealed class Rewriter(SetupRun run) : DelegatingHandler
    {
        protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
        {
            var response = await base.SendAsync(request, cancellationToken);
            if (run.RewriteResponse is not { } rewrite || !response.IsSuccessStatusCode || response.Content.Headers.ContentType?.MediaType != "application/json")
            {
                return response;
            }

            var node = JsonNode.Parse(await response.Content.ReadAsStringAsync(cancellationToken));
            if (node is null)
            {
                return response;
            }

            var rewritten = rewrite(request, node);
            var replacement = new HttpResponseMessage(response.StatusCode) { Content = new StringContent(rewritten.ToJsonString(), System.Text.Encoding.UTF8, "application/json"), RequestMessage = request };
            foreach (var header in response.Headers)
            {
                replacement.Headers.TryAddWithoutValidation(header.Key, header.Value);
            }

            response.Dispose();
            return replacement;
        }
    }
}

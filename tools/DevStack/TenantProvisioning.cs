using System.Net.Http.Json;
using System.Text.Json;
using Dapr.Client;
using PolyAi.Messaging.Contracts;
using PolyAi.Messaging.Setup.Cli;
using PolyAi.Messaging.Setup.Provisioning;
using Spectre.Console;

namespace PolyAi.Messaging.DevStack;

/// <summary>What provisioning made in Genesys for a tenant, as the tests and the printout need it.</summary>
public sealed record ProvisionedGenesys(string OrganizationId, string OAuthClientId, string IntegrationId, string QueueId, IReadOnlyList<string> AgentIds);

/// <summary>
/// Creates each tenant in the Genesys simulator with the setup CLI's <c>provision</c> command (the same code an
/// operator runs against a real org), then puts simulated human agents on the tenant's queue.
/// </summary>
internal sealed class TenantProvisioning(HttpClient http, Uri simulator, Uri edge, string secretsFile, Uri daprGrpc, Uri daprHttp, Action<string, string> log)
{
    private AdminClient? _admin;

    /// <summary>An org admin in the simulator: what a customer's Genesys admin gives to <c>provision</c>.</summary>
    public async Task CreateAdminAsync(CancellationToken ct)
    {
        using var response = await http.PostAsync(new Uri(simulator, "_sim/org"), content: null, ct);
        response.EnsureSuccessStatusCode();
        _admin = await response.Content.ReadFromJsonAsync<AdminClient>(ct)
            ?? throw new InvalidOperationException("The Genesys simulator answered /_sim/org with nothing.");
    }

    public async Task<(string WebhookSecret, ProvisionedGenesys Genesys)> ProvisionAsync(TenantKey tenant, IReadOnlyList<SimulatedAgent> agents, CancellationToken ct)
    {
        var admin = _admin ?? throw new InvalidOperationException("Create the admin first.");
        using var output = new StringWriter();
        var console = AnsiConsole.Create(new AnsiConsoleSettings
        {
            Out = new AnsiConsoleOutput(output),
            Ansi = AnsiSupport.No,
            ColorSystem = ColorSystemSupport.NoColors,
            Interactive = InteractionSupport.No,
        });
        console.Profile.Width = 200;
        var host = new SetupHost
        {
            Console = console,
            Json = TextWriter.Null,
            Http = http,
            Timings = new SetupTimings { PollInterval = TimeSpan.FromMilliseconds(100) },
            Environment = name => name switch
            {
                SetupHost.AdminClientIdVariable => admin.ClientId,
                SetupHost.AdminClientSecretVariable => admin.ClientSecret,
                "DAPR_GRPC_ENDPOINT" => daprGrpc.GetLeftPart(UriPartial.Authority),
                "DAPR_HTTP_ENDPOINT" => daprHttp.GetLeftPart(UriPartial.Authority),
                _ => null,
            },
        };
        string[] arguments =
        [
            "provision", "--tenant", tenant.ToString(),
            "--genesys-url", simulator.GetLeftPart(UriPartial.Authority), "--webhook-base", edge.ToString(),
            "--secrets", "local:" + secretsFile, "--state", "dapr",
        ];
        var exit = await SetupCli.RunAsync(arguments, host, ct);
        foreach (var line in output.ToString().Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
        {
            log("setup", line);
        }

        if (exit != 0)
        {
            throw new InvalidOperationException($"provision {tenant} failed (exit {exit}):{Environment.NewLine}{output}");
        }

        var (webhookSecret, clientId) = await StoredSecretsAsync(tenant, ct);
        var record = await StoredRecordAsync(tenant, ct);
        var agentIds = new List<string>();
        foreach (var agent in agents)
        {
            using var added = await http.PostAsJsonAsync(new Uri(simulator, $"_sim/queues/{record.QueueId}/agents"), agent, ct);
            added.EnsureSuccessStatusCode();
            agentIds.Add((await added.Content.ReadFromJsonAsync<JsonElement>(ct)).GetProperty("userId").GetString()!);
        }

        return (webhookSecret, new ProvisionedGenesys(admin.OrganizationId, clientId, record.IntegrationId!, record.QueueId!, agentIds));
    }

    private async Task<(string WebhookSecret, string ClientId)> StoredSecretsAsync(TenantKey tenant, CancellationToken ct)
    {
        await using var file = File.OpenRead(secretsFile);
        var secrets = (await JsonDocument.ParseAsync(file, cancellationToken: ct)).RootElement.GetProperty(tenant.SecretName);
        return (secrets.GetProperty(TenantSecrets.WebhookSecretField).GetString()!, secrets.GetProperty(TenantSecrets.OAuthClientIdField).GetString()!);
    }

    private async Task<TenantRecord> StoredRecordAsync(TenantKey tenant, CancellationToken ct)
    {
        using var dapr = new DaprClientBuilder().UseGrpcEndpoint(daprGrpc.ToString()).UseHttpEndpoint(daprHttp.ToString()).Build();
        var record = await dapr.GetStateAsync<TenantRecord?>("statestore", tenant.RecordStateKey, cancellationToken: ct);
        return record is { IntegrationId: not null, QueueId: not null }
            ? record
            : throw new InvalidOperationException($"provision {tenant} stored no tenant record with an integration and a queue.");
    }

    private sealed record AdminClient(string OrganizationId, string ClientId, string ClientSecret)
    {
        public override string ToString() => $"AdminClient {{ {OrganizationId}, {ClientId} }}";
    }
}

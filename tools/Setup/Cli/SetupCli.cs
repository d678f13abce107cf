using System.CommandLine;
using System.Text.Json;
using System.Text.Json.Nodes;
using PolyAi.Messaging.Contracts;
using PolyAi.Messaging.Genesys;
using PolyAi.Messaging.Setup.Doctor;
using PolyAi.Messaging.Setup.Provisioning;
using PolyAi.Messaging.Setup.Secrets;
using PolyAi.Messaging.Setup.State;
using Spectre.Console;

namespace PolyAi.Messaging.Setup.Cli;

/// <summary>The <c>provision</c>, <c>doctor</c>, <c>rotate-secret</c> and <c>webhook-url</c> commands.</summary>
public static class SetupCli
{
    public const int Ok = 0;
    public const int Failed = 1;
    public const int Usage = 2;

    private static readonly JsonSerializerOptions JsonOut = new(JsonSerializerDefaults.Web) { WriteIndented = true };

    private static readonly Option<string> TenantOption = new("--tenant") { Description = "The tenant ACCOUNT/PROJECT/ENV (the segments of its webhook path).", Required = true };
    private static readonly Option<string?> ClusterOption = new("--cluster") { Description = "The cluster domain: webhooks go to https://messaging.<cluster>/webhooks/genesys/<tenant>/events." };
    private static readonly Option<string?> WebhookBaseOption = new("--webhook-base") { Description = "Instead of --cluster, the public base URL of the edge (local stacks: http://127.0.0.1:8080/)." };
    private static readonly Option<string?> RegionOption = new("--region") { Description = "The Genesys region: usw2.pure.cloud, mypurecloud.ie, us_west_2, …" };
    private static readonly Option<string?> GenesysUrlOption = new("--genesys-url") { Description = "Instead of --region, an explicit Genesys base URL (the simulator)." };
    private static readonly Option<string> SecretsOption = new("--secrets")
    {
        Description = "Secret backend: local:<path> (the dev sidecar's local secrets file) or aws:<region> (AWS Secrets Manager).",
        DefaultValueFactory = _ => "local:.devstack/components/secrets.json",
    };
    private static readonly Option<string> StateOption = new("--state")
    {
        Description = "Tenant record backend: dapr[:<store>] (the sidecar at DAPR_GRPC_ENDPOINT, store 'statestore') or file:<path>.",
        DefaultValueFactory = _ => "dapr",
    };
    private static readonly Option<bool> JsonOption = new("--json") { Description = "Machine-readable output on stdout (never contains a secret)." };

    public static RootCommand Build(SetupHost host)
    {
        var planOption = new Option<bool>("--plan") { Description = "Print what would change, change nothing." };
        var memberOption = new Option<string[]>("--member") { Description = "A Genesys user id to put on the queue (repeatable).", AllowMultipleArgumentsPerToken = false };
        var queueOption = new Option<string?>("--queue") { Description = "The queue's name (default 'PolyAI Messaging <tenant>')." };
        var flowOption = new Option<string?>("--flow") { Description = "The inbound message flow's name (default 'PolyAI Messaging Inbound <tenant>')." };
        var finishOption = new Option<bool>("--finish") { Description = "End the rotation window: forget the previous webhook secret." };

        var provision = new Command("provision", $"Create or update the tenant's Genesys setup (role, OAuth client, typing setting, integration, queue, flow, routing) with an admin OAuth client from {SetupHost.AdminClientIdVariable}/{SetupHost.AdminClientSecretVariable}.")
        {
            TenantOption, ClusterOption, WebhookBaseOption, RegionOption, GenesysUrlOption, SecretsOption, StateOption, JsonOption, planOption, memberOption, queueOption, flowOption,
        };
        provision.SetAction((parse, ct) => ProvisionAsync(host, parse, parse.GetValue(planOption), parse.GetValue(memberOption) ?? [], parse.GetValue(queueOption), parse.GetValue(flowOption), ct));

        var doctor = new Command("doctor", "Check the tenant's Genesys setup end to end with its own credentials (an admin client from the environment adds the role and flow checks). Exit code 1 on any failure.")
        {
            TenantOption, ClusterOption, WebhookBaseOption, RegionOption, GenesysUrlOption, SecretsOption, StateOption, JsonOption,
        };
        doctor.SetAction((parse, ct) => DoctorAsync(host, parse, ct));

        var rotate = new Command("rotate-secret", "Give the integration a new webhook secret; the old one stays valid as 'previous' until --finish.")
        {
            TenantOption, RegionOption, GenesysUrlOption, SecretsOption, StateOption, JsonOption, finishOption,
        };
        rotate.SetAction((parse, ct) => RotateAsync(host, parse, parse.GetValue(finishOption), ct));

        var webhookUrl = new Command("webhook-url", "Print the tenant's webhook URL and the Genesys region's hosts (what the setup wizard shows).")
        {
            TenantOption, ClusterOption, WebhookBaseOption, RegionOption, GenesysUrlOption, JsonOption,
        };
        webhookUrl.SetAction(parse => WebhookUrl(host, parse));

        return new RootCommand("PolyAI Messaging setup: connect a Genesys Cloud org to a tenant, verify it, rotate its webhook secret.")
        {
            provision, doctor, rotate, webhookUrl,
        };
    }

    public static Task<int> RunAsync(string[] args, SetupHost host, CancellationToken cancellationToken = default)
    {
        var configuration = new InvocationConfiguration { Output = host.Json, Error = host.Json };
        return Build(host).Parse(args).InvokeAsync(configuration, cancellationToken);
    }

    private static async Task<int> ProvisionAsync(SetupHost host, ParseResult parse, bool plan, string[] members, string? queue, string? flow, CancellationToken ct)
    {
        var json = parse.GetValue(JsonOption);
        if (!TryCommon(host, parse, json, requireWebhook: true, out var setup, out var error))
        {
            return UsageError(host, json, error);
        }

        setup = setup! with { QueueName = queue ?? setup.QueueName, FlowName = flow ?? setup.FlowName };
        if (!TryEnvironment(parse, null, out var environment, out error))
        {
            return UsageError(host, json, error);
        }

        if (AdminCredentials(host) is not { } adminCredentials)
        {
            return UsageError(host, json, $"provision needs an admin OAuth client: set {SetupHost.AdminClientIdVariable} and {SetupHost.AdminClientSecretVariable} (Admin > Integrations > OAuth, Client Credentials, with the permissions to create roles, OAuth clients, messaging settings, integrations, queues and flows).");
        }

        var (secrets, records) = (SecretStores.Parse(parse.GetValue(SecretsOption)!, host.Http), TenantRecordStores.Parse(parse.GetValue(StateOption)!, host.Environment));
        if (!json)
        {
            host.Console.MarkupLine($"[bold]{(plan ? "Planning" : "Provisioning")}[/] {Markup.Escape(setup.Tenant.ToString())} in Genesys {Markup.Escape(environment!.ToString())}");
            host.Console.MarkupLine($"  webhook URL {Markup.Escape(setup.WebhookUrl.ToString())}");
        }

        using var admin = host.Clients(environment!, adminCredentials);
        var steps = new List<StepResult>();
        var provisioner = new Provisioner(admin, environment!, setup, secrets, records, members, host.Timings, step =>
        {
            steps.Add(step);
            if (!json)
            {
                RenderStep(host.Console, step);
            }
        });
        try
        {
            await provisioner.RunAsync(plan, ct);
        }
        catch (SetupStepException e)
        {
            RenderFailure(host, json, "provision", setup, plan, steps, e);
            return Failed;
        }

        var changed = steps.Any(s => Outcomes.IsChange(s.Outcome));
        if (json)
        {
            WriteJson(host, new JsonObject
            {
                ["command"] = "provision",
                ["tenant"] = setup.Tenant.ToString(),
                ["plan"] = plan,
                ["ok"] = true,
                ["changed"] = changed,
                ["webhookUrl"] = setup.WebhookUrl.ToString(),
                ["steps"] = JsonSerializer.SerializeToNode(steps, JsonOut),
            });
        }
        else
        {
            host.Console.MarkupLine(changed
                ? plan ? "[yellow]Plan: the changes above would be made.[/]" : "[green]Provisioned.[/] Run `doctor` to verify the setup end to end."
                : "[green]Nothing to change: the org is already set up.[/]");
        }

        return Ok;
    }

    private static async Task<int> DoctorAsync(SetupHost host, ParseResult parse, CancellationToken ct)
    {
        var json = parse.GetValue(JsonOption);
        if (!TryCommon(host, parse, json, requireWebhook: true, out var setup, out var error))
        {
            return UsageError(host, json, error);
        }

        var (secretStore, records) = (SecretStores.Parse(parse.GetValue(SecretsOption)!, host.Http), TenantRecordStores.Parse(parse.GetValue(StateOption)!, host.Environment));
        var record = await records.ReadAsync(setup!.Tenant, ct);
        var secrets = await secretStore.ReadAsync(setup.Tenant, ct);
        if (record is null || secrets?.OAuthClientId is null || secrets.OAuthClientSecret is null)
        {
            return Fail(host, json, "doctor", $"{setup.Tenant} has no {(record is null ? $"tenant record in the {records.Description}" : $"OAuth credentials in the {secretStore.Description}")}: run `provision` first.");
        }

        if (!TryEnvironment(parse, record, out var environment, out error))
        {
            return UsageError(host, json, error);
        }

        setup = setup with { FlowName = record.FlowName ?? setup.FlowName };
        using var tenantClient = host.Clients(environment!, new GenesysCredentials(secrets.OAuthClientId, secrets.OAuthClientSecret));
        using var adminClient = AdminCredentials(host) is { } admin ? host.Clients(environment!, admin) : null;
        IWebhookObserver? observer = environment!.Domain is null && await SimulatorWebhookObserver.IsSimulatorAsync(host.Http, environment.ApiBaseUri, ct)
            ? new SimulatorWebhookObserver(host.Http, environment.ApiBaseUri)
            : null;
        if (!json)
        {
            host.Console.MarkupLine($"[bold]Checking[/] {Markup.Escape(setup.Tenant.ToString())} in Genesys {Markup.Escape(environment.ToString())}{(adminClient is null ? " (tenant credentials only)" : "")}");
        }

        var doctor = new TenantDoctor(tenantClient, adminClient, setup, record, secrets, observer, host.Timings, host.Time, check =>
        {
            if (!json)
            {
                RenderCheck(host.Console, check);
            }
        });
        var checks = await doctor.RunAsync(ct);
        var ok = checks.All(c => c.Status != CheckStatus.Fail);
        if (json)
        {
            WriteJson(host, new JsonObject
            {
                ["command"] = "doctor",
                ["tenant"] = setup.Tenant.ToString(),
                ["ok"] = ok,
                ["checks"] = JsonSerializer.SerializeToNode(checks, JsonOut),
            });
        }
        else
        {
            var failed = checks.Count(c => c.Status == CheckStatus.Fail);
            host.Console.MarkupLine(ok ? "[green]All checks passed.[/]" : $"[red]{failed} check(s) failed.[/]");
        }

        return ok ? Ok : Failed;
    }

    private static async Task<int> RotateAsync(SetupHost host, ParseResult parse, bool finish, CancellationToken ct)
    {
        var json = parse.GetValue(JsonOption);
        if (!TenantKey.TryParse(parse.GetValue(TenantOption), out var tenant))
        {
            return UsageError(host, json, $"--tenant '{parse.GetValue(TenantOption)}' is not ACCOUNT/PROJECT/ENV (letters, digits, '-', '_', '.').");
        }

        var (secretStore, records) = (SecretStores.Parse(parse.GetValue(SecretsOption)!, host.Http), TenantRecordStores.Parse(parse.GetValue(StateOption)!, host.Environment));
        var rotation = new SecretRotation(secretStore, records, host.Clients);
        SecretRotation.Result result;
        try
        {
            result = finish
                ? await rotation.FinishAsync(tenant, ct)
                : await rotation.RotateAsync(tenant, TryEnvironment(parse, null, out var explicitEnvironment, out _) ? explicitEnvironment : null, ct);
        }
        catch (SetupStepException e)
        {
            RenderFailure(host, json, "rotate-secret", null, false, [], e);
            return Failed;
        }

        if (json)
        {
            WriteJson(host, new JsonObject { ["command"] = "rotate-secret", ["tenant"] = tenant.ToString(), ["ok"] = true, ["outcome"] = result.Outcome, ["detail"] = result.Detail });
        }
        else
        {
            host.Console.MarkupLine($"[green]{Markup.Escape(result.Outcome)}[/]: {Markup.Escape(result.Detail)}");
        }

        return Ok;
    }

    private static int WebhookUrl(SetupHost host, ParseResult parse)
    {
        var json = parse.GetValue(JsonOption);
        if (!TryCommon(host, parse, json, requireWebhook: true, out var setup, out var error))
        {
            return UsageError(host, json, error);
        }

        GenesysEnvironment? environment = null;
        if ((parse.GetValue(RegionOption) is not null || parse.GetValue(GenesysUrlOption) is not null) && !TryEnvironment(parse, null, out environment, out error))
        {
            return UsageError(host, json, error);
        }

        if (json)
        {
            WriteJson(host, new JsonObject
            {
                ["command"] = "webhook-url",
                ["tenant"] = setup!.Tenant.ToString(),
                ["webhookUrl"] = setup.WebhookUrl.ToString(),
                ["region"] = environment?.Domain,
                ["apiBaseUrl"] = environment?.ApiBaseUri.ToString(),
                ["loginBaseUrl"] = environment?.LoginBaseUri.ToString(),
                ["tokenUrl"] = environment?.TokenUri.ToString(),
            });
            return Ok;
        }

        // Plain lines, not a table: the URL must stay whole for copy-paste into Genesys Admin.
        host.Console.MarkupLine($"Tenant                              {Markup.Escape(setup!.Tenant.ToString())}");
        host.Console.MarkupLine($"Outbound Notification Webhook URL   {Markup.Escape(setup.WebhookUrl.ToString())}");
        if (environment is not null)
        {
            host.Console.MarkupLine($"Genesys region                      {Markup.Escape(environment.Domain ?? "(explicit base URL)")}");
            host.Console.MarkupLine($"API host                            {Markup.Escape(environment.ApiBaseUri.ToString())}");
            host.Console.MarkupLine($"Login host                          {Markup.Escape(environment.LoginBaseUri.ToString())}");
        }

        return Ok;
    }

    // ---- shared pieces ----

    private static bool TryCommon(SetupHost host, ParseResult parse, bool json, bool requireWebhook, out TenantSetup? setup, out string error)
    {
        setup = null;
        error = "";
        var tenantText = parse.GetValue(TenantOption);
        if (!TenantKey.TryParse(tenantText, out var tenant))
        {
            error = $"--tenant '{tenantText}' is not ACCOUNT/PROJECT/ENV (letters, digits, '-', '_', '.').";
            return false;
        }

        var cluster = parse.GetValue(ClusterOption);
        var webhookBase = parse.GetValue(WebhookBaseOption);
        if (webhookBase is not null && !Uri.TryCreate(webhookBase, UriKind.Absolute, out _))
        {
            error = $"--webhook-base '{webhookBase}' is not an absolute URL.";
            return false;
        }

        if (requireWebhook && (cluster is null) == (webhookBase is null))
        {
            error = "give exactly one of --cluster <domain> or --webhook-base <url>.";
            return false;
        }

        var baseUrl = webhookBase is not null ? new Uri(webhookBase.TrimEnd('/') + "/") : TenantSetup.ClusterBase(cluster ?? "localhost");
        setup = new TenantSetup(tenant, baseUrl);
        _ = host;
        _ = json;
        return true;
    }

    private static bool TryEnvironment(ParseResult parse, TenantRecord? record, out GenesysEnvironment? environment, out string error)
    {
        environment = null;
        error = "";
        var region = parse.GetValue(RegionOption);
        var urlText = parse.GetValue(GenesysUrlOption);
        if (urlText is not null && !Uri.TryCreate(urlText, UriKind.Absolute, out _))
        {
            error = $"--genesys-url '{urlText}' is not an absolute URL.";
            return false;
        }

        var url = urlText is not null ? new Uri(urlText) : record?.GenesysBaseUrl;
        region ??= url is null ? record?.GenesysRegion : null;
        try
        {
            environment = url is not null && parse.GetValue(RegionOption) is null ? GenesysEnvironment.ForBaseUrl(url)
                : region is not null ? GenesysEnvironment.ForRegion(region)
                : null;
        }
        catch (ArgumentException e)
        {
            error = e.Message;
            return false;
        }

        if (environment is null)
        {
            error = "give --region <domain> (e.g. usw2.pure.cloud) or --genesys-url <base URL>.";
            return false;
        }

        return true;
    }

    private static GenesysCredentials? AdminCredentials(SetupHost host) =>
        host.Environment(SetupHost.AdminClientIdVariable) is { Length: > 0 } id && host.Environment(SetupHost.AdminClientSecretVariable) is { Length: > 0 } secret
            ? new GenesysCredentials(id, secret)
            : null;

    private static void RenderStep(IAnsiConsole console, StepResult step)
    {
        var (mark, colour) = step.Outcome switch
        {
            Outcomes.Unchanged => ("✓", "green"),
            Outcomes.Created or Outcomes.Updated => ("✓", "blue"),
            _ => ("…", "yellow"),
        };
        console.MarkupLine($"[{colour}]{mark} {Markup.Escape(step.Step),-18} {Markup.Escape(step.Outcome),-13}[/] {Markup.Escape(step.Detail)}");
    }

    private static void RenderCheck(IAnsiConsole console, CheckResult check)
    {
        var (mark, colour) = check.Status switch
        {
            CheckStatus.Pass => ("✓", "green"),
            CheckStatus.Fail => ("✗", "red"),
            _ => ("-", "grey"),
        };
        console.MarkupLine($"[{colour}]{mark} {Markup.Escape(check.Check),-16}[/] {Markup.Escape(check.Found)}");
        if (check.Fix is not null)
        {
            console.MarkupLine($"  [yellow]fix:[/] {Markup.Escape(check.Fix)}");
        }
    }

    private static void RenderFailure(SetupHost host, bool json, string command, TenantSetup? setup, bool plan, IReadOnlyList<StepResult> steps, SetupStepException e)
    {
        if (json)
        {
            WriteJson(host, new JsonObject
            {
                ["command"] = command,
                ["tenant"] = setup?.Tenant.ToString(),
                ["plan"] = plan,
                ["ok"] = false,
                ["steps"] = JsonSerializer.SerializeToNode(steps, JsonOut),
                ["failure"] = new JsonObject { ["step"] = e.Step, ["problem"] = e.Problem, ["fix"] = e.AdminPath },
            });
            return;
        }

        host.Console.MarkupLine($"[red]✗ {Markup.Escape(e.Step)} failed:[/] {Markup.Escape(e.Problem)}");
        host.Console.MarkupLine($"  [yellow]fix by hand:[/] {Markup.Escape(e.AdminPath)}; then run {command} again (it continues where it stopped).");
    }

    private static int UsageError(SetupHost host, bool json, string error)
    {
        if (json)
        {
            WriteJson(host, new JsonObject { ["ok"] = false, ["error"] = error });
        }
        else
        {
            host.Console.MarkupLine($"[red]{Markup.Escape(error)}[/]");
        }

        return Usage;
    }

    private static int Fail(SetupHost host, bool json, string command, string error)
    {
        if (json)
        {
            WriteJson(host, new JsonObject { ["command"] = command, ["ok"] = false, ["error"] = error });
        }
        else
        {
            host.Console.MarkupLine($"[red]{Markup.Escape(error)}[/]");
        }

        return Failed;
    }

    private static void WriteJson(SetupHost host, JsonObject value)
    {
        host.Json.WriteLine(value.ToJsonString(JsonOut));
        host.Json.Flush();
    }
}

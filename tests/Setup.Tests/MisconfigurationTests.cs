using System.Text.Json.Nodes;
using PolyAi.Messaging.Genesys;
using PolyAi.Messaging.Setup.Doctor;

namespace PolyAi.Messaging.Setup.Tests;

/// <summary>
/// Each misconfiguration a customer can make, injected through the Genesys API the simulator serves (with the admin
/// client, as a person in Genesys Admin would) after a clean provision: doctor fails exactly that check, with a fix.
/// </summary>
public sealed class MisconfigurationTests(SimulatorFixture sim) : IClassFixture<SimulatorFixture>
{
    [Fact]
    public Task Missing_permission_fails_the_permissions_check_naming_it() => ExpectOnlyFailure(TenantDoctor.Permissions, async (run, _) =>
    {
        // The tenant's client swapped for one whose role lacks Architect > Datatable > Edit.
        using var admin = sim.AdminClient();
        var home = await admin.Authorization.GetHomeDivisionAsync();
        var partial = RequiredPermissions.All.Where(p => p.UiName != "Architect > Datatable > Edit");
        var role = await admin.Authorization.CreateRoleAsync(new RoleRequest { Name = $"Partial {Guid.NewGuid():N}", PermissionPolicies = RequiredPermissions.Policies(partial) });
        await admin.Authorization.GrantRoleAsync(sim.Admin.ClientId, home.Id!, role.Id!, SubjectTypes.OAuthClient); // a client gives only roles it holds
        var client = await admin.OAuth.CreateClientAsync(new OAuthClientRequest { Name = $"Partial {Guid.NewGuid():N}", RoleDivisions = [new RoleDivision { RoleId = role.Id!, DivisionId = home.Id! }] });
        var secrets = (await run.Secrets.ReadAsync(run.Tenant, default))!;
        await run.Secrets.WriteAsync(run.Tenant, secrets with { OAuthClientId = client.Id, OAuthClientSecret = client.Secret }, default);
    }, found: "Architect > Datatable > Edit (architect:datatable:edit)", fix: "Admin > People & Permissions");

    [Fact]
    public Task Wrong_webhook_url_fails_the_webhook_url_check() => ExpectOnlyFailure(TenantDoctor.WebhookUrl, async (run, _) =>
    {
        using var admin = sim.AdminClient();
        var id = await ProvisionAndDoctorTests.IntegrationIdAsync(run);
        var integration = await admin.Messaging.GetOpenIntegrationAsync(id);
        await admin.Messaging.UpdateOpenIntegrationAsync(id, new OpenIntegrationRequest { Name = integration.Name!, OutboundNotificationWebhookUrl = "https://messaging.other.example/webhooks/genesys/a/b/c/events" });
    }, found: "https://messaging.other.example/webhooks/genesys/a/b/c/events", fix: "Outbound Notification Webhook URL");

    [Fact]
    public Task Wrong_secret_in_Genesys_fails_the_webhook_secret_check() => ExpectOnlyFailure(TenantDoctor.WebhookSecret, async (run, _) =>
    {
        using var admin = sim.AdminClient();
        var id = await ProvisionAndDoctorTests.IntegrationIdAsync(run);
        var integration = await admin.Messaging.GetOpenIntegrationAsync(id);
        await admin.Messaging.UpdateOpenIntegrationAsync(id, new OpenIntegrationRequest { Name = integration.Name!, OutboundNotificationWebhookSignatureSecretToken = "someone-typed-another-secret-here" });
    }, found: "secret the secret store does not hold", fix: "rotate-secret");

    [Fact]
    public Task Typing_off_fails_the_typing_check() => ExpectOnlyFailure(TenantDoctor.Typing, async (run, _) =>
    {
        using var admin = sim.AdminClient();
        var integration = await admin.Messaging.GetOpenIntegrationAsync(await ProvisionAndDoctorTests.IntegrationIdAsync(run));
        var setting = await admin.Messaging.GetSettingAsync(integration.MessagingSetting!.Id!);
        await admin.Messaging.UpdateSettingAsync(setting.Id!, setting with
        {
            Event = new EventSetting { Typing = new TypingSetting { On = new SettingDirection { Inbound = SettingStates.Enabled, Outbound = SettingStates.Disabled } } },
        });
    }, found: "outbound Disabled", fix: "Typing");

    [Fact]
    public Task Unpublished_flow_fails_the_flow_check() => ExpectOnlyFailure(TenantDoctor.Flow, (run, _) =>
    {
        // The simulator has no unpublish; Genesys answers the flow reads without a published version instead.
        run.RewriteResponse = (request, body) =>
        {
            if (request.RequestUri!.AbsolutePath.StartsWith("/api/v2/flows", StringComparison.Ordinal) && !request.RequestUri.AbsolutePath.Contains("/jobs", StringComparison.Ordinal))
            {
                foreach (var flow in body["entities"] is JsonArray entities ? entities.OfType<JsonObject>() : [body.AsObject()])
                {
                    flow.Remove("publishedVersion");
                }
            }

            return body;
        };
        return Task.CompletedTask;
    }, found: "no published version", fix: "publish");

    [Fact]
    public Task Routing_not_attached_fails_the_routing_check() => ExpectOnlyFailure(TenantDoctor.Routing, async (run, _) =>
    {
        using var admin = sim.AdminClient();
        var setup = new TenantSetup(run.Tenant, new Uri(SetupRun.WebhookBase)) { FlowName = $"Someone else's flow {Guid.NewGuid():N}" };
        var job = await admin.Architect.DeployFlowAsync(setup.FlowYaml((await admin.Authorization.GetHomeDivisionAsync()).Name!), TimeSpan.FromSeconds(10), TimeSpan.FromMilliseconds(25));
        var integration = await admin.Messaging.GetOpenIntegrationAsync(await ProvisionAndDoctorTests.IntegrationIdAsync(run));
        await admin.Routing.SetRecipientFlowAsync(integration.Recipient!.Id!, job.Flow!.Id!);
    }, found: "Someone else's flow", fix: "Admin > Routing > Message Routing");

    [Fact]
    public Task Empty_queue_fails_the_queue_members_check() => ExpectOnlyFailure(TenantDoctor.QueueMembers, async (run, agent) =>
    {
        using var admin = sim.AdminClient();
        var state = JsonNode.Parse(await File.ReadAllTextAsync(run.StatePath))!;
        var queueId = state[run.Tenant.RecordStateKey]!["queueId"]!.GetValue<string>();
        await admin.Routing.AddQueueMembersAsync(queueId, [agent], delete: true);
    }, found: "no members", fix: "Members");

    [Fact]
    public Task No_agent_on_queue_fails_the_agents_on_queue_check() => ExpectOnlyFailure(TenantDoctor.AgentsOnQueue, (_, agent) =>
    {
        sim.Control.SetOnQueue(agent, false);
        return Task.CompletedTask;
    }, found: "no agent is on queue", fix: "On Queue");

    [Fact]
    public Task Revoked_client_secret_fails_the_token_check() => ExpectOnlyFailure(TenantDoctor.Token, async (run, _) =>
    {
        var secrets = (await run.Secrets.ReadAsync(run.Tenant, default))!;
        await run.Secrets.WriteAsync(run.Tenant, secrets with { OAuthClientSecret = "not-the-secret-any-more" }, default);
    }, found: "cannot get a token", fix: "Admin > Integrations > OAuth");

    private async Task ExpectOnlyFailure(string check, Func<SetupRun, string, Task> inject, string found, string fix)
    {
        using var run = new SetupRun(sim);
        var agent = await ProvisionAndDoctorTests.StaffAgentAsync(sim);
        (await run.ProvisionAsync("--member", agent)).Exits(0);
        await inject(run, agent);

        var doctorRun = await run.DoctorAsync("--json");
        Assert.True(doctorRun.Json.TrimStart().StartsWith('{'), doctorRun.Json);
        var doctor = doctorRun.Exits(1);
        var failed = ProvisionAndDoctorTests.Checks(doctor).Where(c => c.Status == CheckStatus.Fail).ToList();
        var only = Assert.Single(failed);
        Assert.Equal(check, only.Check);
        Assert.Contains(found, only.Found, StringComparison.Ordinal);
        Assert.Contains(fix, only.Fix, StringComparison.Ordinal);

        var human = (await run.DoctorAsync()).Exits(1);
        Assert.Contains($"✗ {check}", human.Console, StringComparison.Ordinal);
        Assert.Contains("fix:", human.Console, StringComparison.Ordinal);
    }
}

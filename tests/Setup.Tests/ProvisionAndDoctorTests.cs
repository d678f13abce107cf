using System.Text.Json.Nodes;
using PolyAi.Messaging.Genesys;
using PolyAi.Messaging.GenesysSimulator;
using PolyAi.Messaging.Setup.Doctor;

namespace PolyAi.Messaging.Setup.Tests;

/// <summary>An empty org, provisioned by the CLI, verified by doctor, re-provisioned without change.</summary>
public sealed class ProvisionAndDoctorTests(SimulatorFixture sim) : IClassFixture<SimulatorFixture>
{
    [Fact]
    public async Task Empty_org_is_provisioned_doctor_is_all_green_and_provisioning_again_changes_nothing()
    {
        using var run = new SetupRun(sim);
        var agent = await StaffAgentAsync(sim);

        var planned = await run.ProvisionAsync("--plan", "--member", agent, "--json");
        planned.Exits(0);
        Assert.All(Steps(planned), s => Assert.StartsWith("would", s["outcome"]!.GetValue<string>(), StringComparison.Ordinal));
        Assert.False(File.Exists(run.SecretsPath), "--plan must not write secrets");
        Assert.False(File.Exists(run.StatePath), "--plan must not write the tenant record");

        var first = await run.ProvisionAsync("--member", agent);
        first.Exits(0);
        foreach (var step in new[] { "role", "oauth-client", "messaging-setting", "integration", "queue", "flow", "routing", "tenant-record" })
        {
            Assert.Contains(step, first.Console, StringComparison.Ordinal);
        }

        var secrets = await run.Secrets.ReadAsync(run.Tenant, default);
        Assert.NotNull(secrets?.OAuthClientId);
        Assert.True(Convert.FromBase64String(Pad(secrets!.WebhookSecret!)).Length >= 32);

        var doctor = await run.DoctorAsync("--json");
        doctor.Exits(0);
        var checks = Checks(doctor);
        Assert.All(checks, c => Assert.Equal(CheckStatus.Pass, c.Status));
        Assert.Equal(
            [TenantDoctor.Token, TenantDoctor.Permissions, TenantDoctor.Integration, TenantDoctor.WebhookUrl, TenantDoctor.Typing, TenantDoctor.Routing,
             TenantDoctor.Flow, TenantDoctor.QueueMembers, TenantDoctor.AgentsOnQueue, TenantDoctor.TestMessage, TenantDoctor.WebhookSecret],
            checks.Select(c => c.Check));

        var again = await run.ProvisionAsync("--member", agent, "--json");
        again.Exits(0);
        Assert.False(again.JsonObject["changed"]!.GetValue<bool>(), again.Json);
        Assert.All(Steps(again), s => Assert.Equal("unchanged", s["outcome"]!.GetValue<string>()));
        Assert.Equal(secrets, await run.Secrets.ReadAsync(run.Tenant, default));

        var plannedAgain = await run.ProvisionAsync("--plan", "--member", agent);
        Assert.Contains("Nothing to change", plannedAgain.Console, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Provision_repairs_drift_and_plan_names_it_first()
    {
        using var run = new SetupRun(sim);
        var agent = await StaffAgentAsync(sim);
        (await run.ProvisionAsync("--member", agent)).Exits(0);
        var integrationId = await IntegrationIdAsync(run);
        using var admin = sim.AdminClient();
        var integration = await admin.Messaging.GetOpenIntegrationAsync(integrationId);
        await admin.Messaging.UpdateOpenIntegrationAsync(integrationId, new OpenIntegrationRequest { Name = integration.Name!, OutboundNotificationWebhookUrl = "https://elsewhere.example/hook" });

        var plan = await run.ProvisionAsync("--plan", "--member", agent, "--json");
        var integrationStep = Steps(plan).Single(s => s["step"]!.GetValue<string>() == "integration");
        Assert.Equal("would update", integrationStep["outcome"]!.GetValue<string>());
        Assert.Contains("https://elsewhere.example/hook", integrationStep["detail"]!.GetValue<string>(), StringComparison.Ordinal);

        var repaired = await run.ProvisionAsync("--member", agent, "--json");
        Assert.Equal("updated", Steps(repaired).Single(s => s["step"]!.GetValue<string>() == "integration")["outcome"]!.GetValue<string>());
        (await run.DoctorAsync()).Exits(0);
    }

    [Fact]
    public async Task The_admin_client_grants_itself_the_new_role_before_giving_it_to_the_runtime_client()
    {
        using var run = new SetupRun(sim);
        var agent = await StaffAgentAsync(sim);
        var admin = sim.Control.AddClient($"Admin {Guid.NewGuid():N}", [.. ProvisioningPermissions, "authorization:grant:add"]);
        run.Admin = admin;

        var provisioned = await run.ProvisionAsync("--member", agent, "--json");
        provisioned.Exits(0);
        var grant = Steps(provisioned).Single(s => s["step"]!.GetValue<string>() == "admin-role");
        Assert.Equal("updated", grant["outcome"]!.GetValue<string>());
        var roleId = grant["id"]!.GetValue<string>();
        Assert.Contains(roleId, sim.Control.Clients().Single(c => c.Id == admin.ClientId).RoleIds);
        (await run.DoctorAsync()).Exits(0);
    }

    [Fact]
    public async Task An_admin_that_cannot_grant_the_role_stops_before_the_OAuth_client_names_the_fix_and_continues_after_it()
    {
        using var run = new SetupRun(sim);
        var agent = await StaffAgentAsync(sim);
        var admin = sim.Control.AddClient($"Admin {Guid.NewGuid():N}", ProvisioningPermissions);
        run.Admin = admin;
        var clientsBefore = sim.Control.Clients().Count;

        var stopped = await run.ProvisionAsync("--member", agent, "--json");
        stopped.Exits(1);
        var failure = stopped.JsonObject["failure"]!;
        Assert.Equal("admin-role", failure["step"]!.GetValue<string>());
        var roleId = Steps(stopped).Single(s => s["step"]!.GetValue<string>() == "role")["id"]!.GetValue<string>();
        var fix = failure["fix"]!.GetValue<string>();
        Assert.Contains("Admin > Integrations > OAuth", fix, StringComparison.Ordinal);
        Assert.Contains(admin.ClientId, fix, StringComparison.Ordinal);
        Assert.Contains(roleId, fix, StringComparison.Ordinal);
        Assert.Contains("missing.permissions", failure["problem"]!.GetValue<string>(), StringComparison.Ordinal);
        Assert.Equal(clientsBefore, sim.Control.Clients().Count);
        Assert.DoesNotContain(Steps(stopped), s => s["step"]!.GetValue<string>() is "oauth-client" or "integration" or "queue");
        Assert.Null((await run.Secrets.ReadAsync(run.Tenant, default))?.OAuthClientId);

        sim.Control.AssignRole(admin.ClientId, roleId); // the person at the Admin UI
        var resumed = await run.ProvisionAsync("--member", agent, "--json");
        resumed.Exits(0);
        Assert.Equal("unchanged", Steps(resumed).Single(s => s["step"]!.GetValue<string>() == "role")["outcome"]!.GetValue<string>());
        Assert.Equal("created", Steps(resumed).Single(s => s["step"]!.GetValue<string>() == "oauth-client")["outcome"]!.GetValue<string>());
        (await run.DoctorAsync()).Exits(0);
    }

    [Fact]
    public async Task Simulator_refuses_an_OAuth_client_with_a_role_its_creator_does_not_hold()
    {
        var admin = sim.Control.AddClient($"Admin {Guid.NewGuid():N}", [.. ProvisioningPermissions, "authorization:grant:add"]);
        using var client = new GenesysClient(GenesysEnvironment.ForBaseUrl(sim.Host.BaseUrl), new GenesysCredentials(admin.ClientId, admin.ClientSecret), SetupRun.FastOptions());
        var role = await client.Authorization.CreateRoleAsync(new RoleRequest { Name = $"Role {Guid.NewGuid():N}", PermissionPolicies = [new PermissionPolicy { Domain = "conversation", EntityName = "message", ActionSet = ["*"] }] });
        var request = new OAuthClientRequest { Name = $"Runtime {Guid.NewGuid():N}", RoleDivisions = [new RoleDivision { RoleId = role.Id!, DivisionId = admin.HomeDivisionId }] };

        var refused = await Assert.ThrowsAsync<GenesysApiException>(() => client.OAuth.CreateClientAsync(request));
        Assert.Equal(System.Net.HttpStatusCode.BadRequest, refused.Status);
        Assert.Equal("bad.request", refused.Code);
        Assert.Contains(role.Id!, refused.GenesysMessage, StringComparison.Ordinal);

        await client.Authorization.GrantRoleAsync(admin.ClientId, admin.HomeDivisionId, role.Id!, SubjectTypes.OAuthClient);
        var created = await client.OAuth.CreateClientAsync(request);
        Assert.Equal(role.Id, Assert.Single(created.RoleDivisions!).RoleId);
    }

    [Fact]
    public async Task The_flow_names_the_home_division_as_the_org_calls_it()
    {
        var renamed = new SimulatorFixture { HomeDivisionName = "Headquarters" };
        await renamed.InitializeAsync();
        try
        {
            using var run = new SetupRun(renamed);
            var agent = await StaffAgentAsync(renamed);
            (await run.ProvisionAsync("--member", agent)).Exits(0);
            (await run.DoctorAsync()).Exits(0);
        }
        finally
        {
            await renamed.DisposeAsync();
        }
    }

    /// <summary>What provisioning needs of its admin, without <c>authorization:grant:add</c>.</summary>
    private static readonly string[] ProvisioningPermissions =
        ["conversation:*:*", "messaging:*:*", "routing:*:*", "architect:*:*", "analytics:*:*", "oauth:*:*", "authorization:role:*", "agentUI:*:*"];

    [Fact]
    public async Task A_failing_step_is_named_with_Genesys_error_and_the_admin_path()
    {
        using var run = new SetupRun(sim);
        var fault = sim.Control.AddFault(new FaultRule { Method = "POST", PathPattern = "^/api/v2/routing/queues$", Status = 400, Times = 1 });
        var failed = await run.ProvisionAsync();
        failed.Exits(1);
        Assert.Contains("queue failed", failed.Console, StringComparison.Ordinal);
        Assert.Contains("Genesys answered 400", failed.Console, StringComparison.Ordinal);
        Assert.Contains("Admin > Contact Center > Queues", failed.Console, StringComparison.Ordinal);
        _ = fault;

        // The rest is kept: running again continues and completes.
        var resumed = await run.ProvisionAsync("--json");
        resumed.Exits(0);
        Assert.Equal("unchanged", Steps(resumed).Single(s => s["step"]!.GetValue<string>() == "role")["outcome"]!.GetValue<string>());
    }

    [Fact]
    public async Task Without_admin_credentials_provision_refuses_and_doctor_skips_only_the_admin_checks()
    {
        using var run = new SetupRun(sim);
        var agent = await StaffAgentAsync(sim);
        (await run.ProvisionAsync("--member", agent)).Exits(0);

        var refused = await run.RunAsync(["provision", .. run.Common(), "--genesys-url", sim.Host.BaseUrl.ToString()], withAdmin: false);
        refused.Exits(2);
        Assert.Contains("GENESYS_ADMIN_CLIENT_ID", refused.Console, StringComparison.Ordinal);

        var doctor = await run.DoctorWithoutAdminAsync("--json");
        doctor.Exits(0);
        var checks = Checks(doctor);
        Assert.Equal([TenantDoctor.Permissions, TenantDoctor.Flow], checks.Where(c => c.Status == CheckStatus.Skip).Select(c => c.Check));
        Assert.DoesNotContain(checks, c => c.Status == CheckStatus.Fail);
    }

    internal static async Task<string> StaffAgentAsync(SimulatorFixture sim)
    {
        // An agent (a user of the org) who sits on a staff queue; provision --member puts them on the tenant's queue too.
        using var admin = sim.AdminClient();
        var home = await admin.Authorization.GetHomeDivisionAsync();
        var staff = await admin.Routing.CreateQueueAsync(new CreateQueueRequest { Name = $"Staff {Guid.NewGuid():N}", Division = EntityRef.To(home.Id!) });
        return sim.Control.AddAgent(staff.Id!, new AgentScript { Name = "Sam", Replies = ["Hi, I'm Sam"] });
    }

    internal static async Task<string> IntegrationIdAsync(SetupRun run)
    {
        var state = JsonNode.Parse(await File.ReadAllTextAsync(run.StatePath))!;
        return state[run.Tenant.RecordStateKey]!["integrationId"]!.GetValue<string>();
    }

    internal static IReadOnlyList<JsonObject> Steps(CliOutput output) => [.. output.JsonObject["steps"]!.AsArray().Select(s => s!.AsObject())];

    internal static IReadOnlyList<CheckResult> Checks(CliOutput output) =>
        [.. output.JsonObject["checks"]!.AsArray().Select(c => new CheckResult(c!["check"]!.GetValue<string>(), c["status"]!.GetValue<string>(), c["found"]!.GetValue<string>(), c["fix"]?.GetValue<string>()))];

    private static string Pad(string base64Url)
    {
        var s = base64Url.Replace('-', '+').Replace('_', '/');
        return s + new string('=', (4 - s.Length % 4) % 4);
    }
}

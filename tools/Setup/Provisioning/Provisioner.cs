using System.Net;
using System.Security.Cryptography;
using PolyAi.Messaging.Contracts;
using PolyAi.Messaging.Genesys;
using PolyAi.Messaging.Setup.Secrets;
using PolyAi.Messaging.Setup.State;

namespace PolyAi.Messaging.Setup.Provisioning;

/// <summary>How long to wait for Genesys' asynchronous parts, and how often to look.</summary>
public sealed record SetupTimings
{
    public TimeSpan IntegrationDeadline { get; init; } = TimeSpan.FromMinutes(2);
    public TimeSpan FlowDeadline { get; init; } = TimeSpan.FromMinutes(16);
    public TimeSpan PollInterval { get; init; } = TimeSpan.FromSeconds(2);

    /// <summary>Doctor: how long a test message may take to reach the queue, and a webhook to come back.</summary>
    public TimeSpan RoundTripDeadline { get; init; } = TimeSpan.FromSeconds(30);
}

/// <summary>
/// The setup guide's seven steps against one org, idempotently: each step finds what a previous run made (by the
/// tenant's names and the stored ids), compares it with what it should be, and creates or updates only what is
/// missing or drifted. With <c>plan</c> nothing is written anywhere.
/// </summary>
public sealed class Provisioner(
    GenesysClient admin,
    GenesysEnvironment environment,
    TenantSetup setup,
    ITenantSecretStore secrets,
    ITenantRecordStore records,
    IReadOnlyList<string> members,
    SetupTimings timings,
    Action<StepResult> progress)
{
    private readonly List<StepResult> _steps = [];
    private TenantSecrets _secrets = new(null, null, null, null);

    /// <summary>A new webhook secret: 32 random bytes, Base64url (Genesys wants more than 15 characters).</summary>
    public static string NewWebhookSecret() =>
        Convert.ToBase64String(RandomNumberGenerator.GetBytes(32)).TrimEnd('=').Replace('+', '-').Replace('/', '_');

    public async Task<IReadOnlyList<StepResult>> RunAsync(bool plan, CancellationToken ct)
    {
        _secrets = await secrets.ReadAsync(setup.Tenant, ct) ?? _secrets;
        var record = await records.ReadAsync(setup.Tenant, ct);

        var homeDivision = await SetupStepException.Guard("org", AdminPaths.Role, () => admin.Authorization.GetHomeDivisionAsync(ct));
        var (roleId, existingClient) = await SetupStepException.Guard("role", AdminPaths.Role, () => RoleAsync(plan, ct));
        await SetupStepException.Guard("oauth-client", AdminPaths.OAuthClient, () => OAuthClientAsync(plan, roleId, existingClient, homeDivision.Id!, ct));
        var settingId = await SetupStepException.Guard("messaging-setting", AdminPaths.MessagingSetting, () => SettingAsync(plan, ct));
        var integration = await SetupStepException.Guard("integration", AdminPaths.Integration, () => IntegrationAsync(plan, record, settingId, ct));
        var queueId = await SetupStepException.Guard("queue", AdminPaths.Queue, () => QueueAsync(plan, homeDivision.Id!, ct));
        var flowId = await SetupStepException.Guard("flow", AdminPaths.Flow, () => FlowAsync(plan, queueId, homeDivision.Name ?? "Home", ct));
        await SetupStepException.Guard("routing", AdminPaths.Routing, () => RoutingAsync(plan, integration, flowId, ct));
        await TenantRecordAsync(plan, record, integration?.Id, queueId, ct);
        return _steps;
    }

    private StepResult Report(string step, string outcome, string detail, string? id = null)
    {
        var result = new StepResult(step, outcome, detail, id);
        _steps.Add(result);
        progress(result);
        return result;
    }

    // (1) The role with exactly the table's permissions.
    private async Task<(string? RoleId, OAuthClient? Client)> RoleAsync(bool plan, CancellationToken ct)
    {
        var required = RequiredPermissions.All.ToList();
        if (await RequiredPermissions.LookupAgentUiAsync(admin, ct) is { } agentUi)
        {
            required.Add(agentUi);
        }

        // The stored OAuth client leads to the role a previous run bound it to.
        OAuthClient? client = null;
        Role? role = null;
        if (_secrets.OAuthClientId is { } clientId)
        {
            client = await OrNullAsync(() => admin.OAuth.GetClientAsync(clientId, ct));
            var boundRoleId = client?.RoleDivisions is { Count: > 0 } divisions ? divisions[0].RoleId : null;
            role = boundRoleId is null ? null : await OrNullAsync(() => admin.Authorization.GetRoleAsync(boundRoleId, ct));
        }

        role ??= await FindRoleByNameAsync(ct);
        var policies = RequiredPermissions.Policies(required);
        if (role is null)
        {
            if (plan)
            {
                Report("role", Outcomes.WouldCreate, $"'{setup.RoleName}' with {required.Count} permissions");
                return (null, client);
            }

            try
            {
                role = await admin.Authorization.CreateRoleAsync(new RoleRequest { Name = setup.RoleName, Description = "PolyAI Messaging: Open Messaging handoff (runtime client)", PermissionPolicies = policies }, ct);
            }
            catch (GenesysApiException e) when (e.Status == HttpStatusCode.Conflict)
            {
                throw new GenesysResponseException($"A role named '{setup.RoleName}' exists but this run cannot read it back (no stored OAuth client points at it). Delete the role or grant 'authorization:role:view' and list it: {e.Message}");
            }

            Report("role", Outcomes.Created, $"'{setup.RoleName}' with {required.Count} permissions", role.Id);
            return (role.Id, client);
        }

        var missing = RequiredPermissions.Missing(role, required);
        if (missing.Count == 0)
        {
            Report("role", Outcomes.Unchanged, $"'{role.Name}' holds every required permission", role.Id);
            return (role.Id, client);
        }

        var names = string.Join(", ", missing.SelectMany(m => m.ApiStrings));
        if (plan)
        {
            Report("role", Outcomes.WouldUpdate, $"add {names}", role.Id);
            return (role.Id, client);
        }

        var merged = RequiredPermissions.Policies(required).Concat(role.PermissionPolicies ?? []).ToList();
        await admin.Authorization.UpdateRoleAsync(role.Id!, new RoleRequest { Name = role.Name ?? setup.RoleName, Description = role.Description, PermissionPolicies = merged }, ct);
        Report("role", Outcomes.Updated, $"added {names}", role.Id);
        return (role.Id, client);
    }

    private async Task<Role?> FindRoleByNameAsync(CancellationToken ct)
    {
        var page = await OrNullAsync(() => admin.Authorization.ListRolesAsync(setup.RoleName, pageSize: 100, cancellationToken: ct));
        return page?.Entities.FirstOrDefault(r => string.Equals(r.Name, setup.RoleName, StringComparison.Ordinal));
    }

    // (2) The client-credentials OAuth client bound to the role; its secret goes to the secret store at once.
    private async Task<bool> OAuthClientAsync(bool plan, string? roleId, OAuthClient? existing, string homeDivisionId, CancellationToken ct)
    {
        if (existing is not null && roleId is not null && existing.RoleDivisions?.Any(r => r.RoleId == roleId) == true && _secrets.OAuthClientSecret is not null)
        {
            Report("oauth-client", Outcomes.Unchanged, $"'{existing.Name}' bound to the role, credentials in the {secrets.Description}", existing.Id);
            return false;
        }

        var why = existing is null ? "" : " (the stored client is not bound to the role)";
        if (plan || roleId is null)
        {
            Report("oauth-client", Outcomes.WouldCreate, $"'{setup.OAuthClientName}'{why}, client id and secret to the {secrets.Description}");
            return false;
        }

        var me = await AdminHoldsRoleAsync(roleId, homeDivisionId, ct);
        OAuthClient client;
        try
        {
            client = await admin.OAuth.CreateClientAsync(new OAuthClientRequest
            {
                Name = setup.OAuthClientName,
                Description = $"PolyAI Messaging runtime client for {setup.Tenant}",
                AccessTokenValiditySeconds = 86400,
                RoleDivisions = [new RoleDivision { RoleId = roleId, DivisionId = homeDivisionId }],
            }, ct);
        }
        catch (GenesysApiException e) when (e.Status is HttpStatusCode.BadRequest or HttpStatusCode.Forbidden)
        {
            // The grant said yes, but Genesys still refuses the role (a token's grants may be read when it was issued).
            throw HoldRoleByHand(me, roleId, homeDivisionId, SetupStepException.Describe(e));
        }

        if (client.Id is null || client.Secret is null)
        {
            throw new GenesysResponseException("Genesys created the OAuth client but did not answer with its id and secret.");
        }

        _secrets = _secrets with { OAuthClientId = client.Id, OAuthClientSecret = client.Secret };
        await secrets.WriteAsync(setup.Tenant, _secrets, ct);
        Report("oauth-client", Outcomes.Created, $"'{client.Name}'{why}, client id and secret stored in the {secrets.Description}", client.Id);
        return true;
    }

    // (2a) Genesys lets a client give only roles it holds itself (genesys-facts, Corrections 1), so the admin client
    // first holds the new role: it grants it to itself (authorization:grant:add, subject type PC_OAUTH_CLIENT); where
    // that is refused, a person assigns it in the Admin UI and the next run goes on from here. Nothing is created
    // after the role until then, so a stop here leaves no half-made client.
    private async Task<TokenInfo> AdminHoldsRoleAsync(string roleId, string homeDivisionId, CancellationToken ct)
    {
        var me = await admin.OAuth.GetTokenInfoAsync(ct);
        if (me.OAuthClient?.RoleDivisions?.Any(r => r.RoleId == roleId) == true)
        {
            Report("admin-role", Outcomes.Unchanged, $"the admin client '{me.OAuthClient.Name}' holds the role, so it can give it", roleId);
            return me;
        }

        if (me.OAuthClient?.Id is not { } adminClientId)
        {
            throw HoldRoleByHand(me, roleId, homeDivisionId, "the admin credentials are not an OAuth client's (tokens/me names none)");
        }

        try
        {
            await admin.Authorization.GrantRoleAsync(adminClientId, homeDivisionId, roleId, SubjectTypes.OAuthClient, ct);
        }
        catch (GenesysApiException e) when (e.Status is HttpStatusCode.Forbidden or HttpStatusCode.BadRequest or HttpStatusCode.NotFound)
        {
            throw HoldRoleByHand(me, roleId, homeDivisionId, SetupStepException.Describe(e));
        }

        Report("admin-role", Outcomes.Updated, $"granted the role to the admin client '{me.OAuthClient.Name}' so it can give it to the runtime client", roleId);
        return me;
    }

    private SetupStepException HoldRoleByHand(TokenInfo? me, string roleId, string homeDivisionId, string why)
    {
        var adminName = me?.OAuthClient?.Name ?? "the admin OAuth client";
        var adminId = me?.OAuthClient?.Id ?? "(its client id)";
        return new SetupStepException(
            "admin-role",
            $"{AdminPaths.OAuthClient} > '{adminName}' ({adminId}) > Roles: assign '{setup.RoleName}' ({roleId}) in the home division ({homeDivisionId}) and Save",
            $"the admin client must hold role '{setup.RoleName}' ({roleId}) before it can give it to the runtime OAuth client, and it could not grant it to itself: {why}. Nothing after the role was created.");
    }

    // (3) The messaging setting with typing enabled both ways.
    private async Task<string?> SettingAsync(bool plan, CancellationToken ct)
    {
        var settings = await admin.Messaging.ListSettingsAsync(pageSize: 100, cancellationToken: ct);
        var setting = settings.Entities.FirstOrDefault(s => string.Equals(s.Name, setup.SettingName, StringComparison.Ordinal));
        var wanted = MessagingSetting.TypingEnabled(setup.SettingName);
        if (setting is null)
        {
            if (plan)
            {
                Report("messaging-setting", Outcomes.WouldCreate, $"'{setup.SettingName}' with typing enabled both ways");
                return null;
            }

            setting = await admin.Messaging.CreateSettingAsync(wanted, ct);
            Report("messaging-setting", Outcomes.Created, $"'{setup.SettingName}' with typing enabled both ways", setting.Id);
            return setting.Id;
        }

        if (TypingEnabled(setting))
        {
            Report("messaging-setting", Outcomes.Unchanged, "typing enabled both ways", setting.Id);
            return setting.Id;
        }

        if (plan)
        {
            Report("messaging-setting", Outcomes.WouldUpdate, "enable typing both ways", setting.Id);
            return setting.Id;
        }

        await admin.Messaging.UpdateSettingAsync(setting.Id!, wanted, ct);
        Report("messaging-setting", Outcomes.Updated, "typing enabled both ways", setting.Id);
        return setting.Id;
    }

    internal static bool TypingEnabled(MessagingSetting? setting) =>
        setting?.Event?.Typing?.On is { Inbound: SettingStates.Enabled, Outbound: SettingStates.Enabled };

    // (4) The Open Messaging integration: this tenant's webhook URL, a fresh secret, the setting; waits for Completed.
    private async Task<OpenIntegration?> IntegrationAsync(bool plan, TenantRecord? record, string? settingId, CancellationToken ct)
    {
        OpenIntegration? integration = null;
        if (record?.IntegrationId is { } storedId)
        {
            integration = await OrNullAsync(() => admin.Messaging.GetOpenIntegrationAsync(storedId, cancellationToken: ct));
        }

        if (integration is null)
        {
            var page = await admin.Messaging.ListOpenIntegrationsAsync(pageSize: 100, cancellationToken: ct);
            integration = page.Entities.FirstOrDefault(i => string.Equals(i.Name, setup.IntegrationName, StringComparison.Ordinal));
        }

        var url = setup.WebhookUrl.ToString();
        if (integration is null)
        {
            if (plan || settingId is null)
            {
                Report("integration", Outcomes.WouldCreate, $"'{setup.IntegrationName}' → {url}, new webhook secret to the {secrets.Description}");
                return null;
            }

            // The secret is stored before Genesys has it: nothing signs with it yet, and it is never lost.
            var secret = _secrets.WebhookSecret ?? NewWebhookSecret();
            await StoreWebhookSecretAsync(secret, ct);
            var created = await admin.Messaging.CreateOpenIntegrationAsync(new OpenIntegrationRequest
            {
                Name = setup.IntegrationName,
                OutboundNotificationWebhookUrl = url,
                OutboundNotificationWebhookSignatureSecretToken = secret,
                MessagingSetting = EntityRef.To(settingId),
            }, ct);
            var completed = await WaitCompletedAsync(created.Id!, ct);
            Report("integration", Outcomes.Created, $"'{setup.IntegrationName}' → {url}, createStatus {completed.CreateStatus}, webhook secret stored in the {secrets.Description}", completed.Id);
            return completed;
        }

        var drift = new List<string>();
        if (!string.Equals(integration.OutboundNotificationWebhookUrl, url, StringComparison.Ordinal))
        {
            drift.Add($"webhook URL {integration.OutboundNotificationWebhookUrl ?? "(none)"} → {url}");
        }

        if (settingId is not null && integration.MessagingSetting?.Id != settingId)
        {
            drift.Add("messaging setting → the typing setting");
        }

        var newSecret = _secrets.WebhookSecret is null;
        if (newSecret)
        {
            drift.Add("no stored webhook secret → a new one");
        }

        if (drift.Count == 0)
        {
            if (integration.CreateStatus != CreateStatuses.Completed && !plan)
            {
                integration = await WaitCompletedAsync(integration.Id!, ct);
            }

            Report("integration", Outcomes.Unchanged, $"→ {url}, createStatus {integration.CreateStatus}", integration.Id);
            return integration;
        }

        if (plan)
        {
            Report("integration", Outcomes.WouldUpdate, string.Join("; ", drift), integration.Id);
            return integration;
        }

        string? secretToSend = null;
        if (newSecret)
        {
            secretToSend = NewWebhookSecret();
            await StoreWebhookSecretAsync(secretToSend, ct);
        }

        await admin.Messaging.UpdateOpenIntegrationAsync(integration.Id!, new OpenIntegrationRequest
        {
            Name = integration.Name ?? setup.IntegrationName,
            OutboundNotificationWebhookUrl = url,
            OutboundNotificationWebhookSignatureSecretToken = secretToSend,
            MessagingSetting = settingId is null ? null : EntityRef.To(settingId),
        }, ct);
        var updated = await WaitCompletedAsync(integration.Id!, ct);
        Report("integration", Outcomes.Updated, string.Join("; ", drift), updated.Id);
        return updated;
    }

    private async Task StoreWebhookSecretAsync(string secret, CancellationToken ct)
    {
        if (_secrets.WebhookSecret == secret)
        {
            return;
        }

        _secrets = _secrets with { WebhookSecret = secret, PreviousWebhookSecret = null };
        await secrets.WriteAsync(setup.Tenant, _secrets, ct);
    }

    private async Task<OpenIntegration> WaitCompletedAsync(string integrationId, CancellationToken ct)
    {
        var integration = await admin.Messaging.WaitForIntegrationCreatedAsync(integrationId, timings.IntegrationDeadline, timings.PollInterval, ct);
        if (integration.CreateStatus == CreateStatuses.Error)
        {
            throw new GenesysResponseException($"Genesys could not create integration {integrationId}: {integration.CreateError?.Message ?? "createStatus Error"}");
        }

        return integration;
    }

    // (5) The queue, with the given members added and joined.
    private async Task<string?> QueueAsync(bool plan, string homeDivisionId, CancellationToken ct)
    {
        var queue = await admin.Routing.FindQueueByNameAsync(setup.QueueName, ct);
        string outcome;
        if (queue is null)
        {
            if (plan)
            {
                Report("queue", Outcomes.WouldCreate, $"'{setup.QueueName}' with {members.Count} member(s)");
                return null;
            }

            queue = await admin.Routing.CreateQueueAsync(new CreateQueueRequest
            {
                Name = setup.QueueName,
                Description = $"PolyAI Messaging handoffs for {setup.Tenant}",
                Division = EntityRef.To(homeDivisionId),
                MediaSettings = new QueueMediaSettings { Message = new MediaSetting { AlertingTimeoutSeconds = 30, ServiceLevel = new ServiceLevel { Percentage = 0.8, DurationMs = 20000 } } },
            }, ct);
            outcome = Outcomes.Created;
        }
        else
        {
            outcome = Outcomes.Unchanged;
        }

        var current = await admin.Routing.ListQueueMembersAsync(queue.Id!, cancellationToken: ct);
        var toAdd = members.Where(m => current.Entities.All(c => (c.User?.Id ?? c.Id) != m)).ToList();
        var toJoin = members.Where(m => current.Entities.Any(c => (c.User?.Id ?? c.Id) == m && c.Joined != true)).ToList();
        var changes = new List<string>();
        if (toAdd.Count > 0)
        {
            changes.Add($"add {toAdd.Count} member(s)");
        }

        if (toAdd.Count + toJoin.Count > 0)
        {
            changes.Add($"join {toAdd.Count + toJoin.Count} member(s)");
        }

        if (changes.Count > 0 && outcome == Outcomes.Unchanged)
        {
            outcome = plan ? Outcomes.WouldUpdate : Outcomes.Updated;
        }

        if (!plan)
        {
            if (toAdd.Count > 0)
            {
                await admin.Routing.AddQueueMembersAsync(queue.Id!, toAdd, cancellationToken: ct);
            }

            if (toAdd.Count + toJoin.Count > 0)
            {
                await admin.Routing.JoinQueueMembersAsync(queue.Id!, [.. toAdd, .. toJoin], cancellationToken: ct);
            }
        }

        var detail = $"'{setup.QueueName}', {current.Entities.Count + toAdd.Count} member(s)" + (changes.Count > 0 ? $": {string.Join(", ", changes)}" : "");
        Report("queue", outcome, detail, queue.Id);
        return queue.Id;
    }

    // (6) The inbound message flow (Transfer to ACD → the queue), deployed through an Architect job, published.
    private async Task<string?> FlowAsync(bool plan, string? queueId, string homeDivisionName, CancellationToken ct)
    {
        var flow = await admin.Architect.FindFlowByNameAsync("inboundshortmessage", setup.FlowName, ct);
        if (flow is not null && flow.PublishedVersion is not null)
        {
            Report("flow", Outcomes.Unchanged, $"'{flow.Name}' published (version {flow.PublishedVersion.Id})", flow.Id);
            return flow.Id;
        }

        if (plan || queueId is null)
        {
            Report("flow", flow is null ? Outcomes.WouldCreate : Outcomes.WouldUpdate, flow is null ? $"'{setup.FlowName}' → queue '{setup.QueueName}', published" : "publish it", flow?.Id);
            return flow?.Id;
        }

        if (flow is not null)
        {
            var published = await admin.Architect.PublishFlowAndWaitAsync(flow.Id!, timings.FlowDeadline, timings.PollInterval, ct);
            Report("flow", Outcomes.Updated, $"'{flow.Name}' published (version {published.PublishedVersion!.Id})", flow.Id);
            return flow.Id;
        }

        var job = await admin.Architect.DeployFlowAsync(setup.FlowYaml(homeDivisionName), timings.FlowDeadline, timings.PollInterval, ct);
        if (job.Status != FlowJobStatuses.Success || job.Flow?.Id is null)
        {
            var messages = string.Join("; ", (job.Messages ?? []).Select(m => m.Text));
            throw new GenesysResponseException($"Architect job {job.Id} ended '{job.Status}': {messages}");
        }

        Report("flow", Outcomes.Created, $"'{setup.FlowName}' → queue '{setup.QueueName}', published", job.Flow.Id);
        return job.Flow.Id;
    }

    // (7) Message routing: the integration's recipient → the flow.
    private async Task<bool> RoutingAsync(bool plan, OpenIntegration? integration, string? flowId, CancellationToken ct)
    {
        var recipientId = integration?.Recipient?.Id ?? integration?.Id;
        if (recipientId is null || flowId is null)
        {
            Report("routing", Outcomes.WouldCreate, $"recipient of '{setup.IntegrationName}' → flow '{setup.FlowName}'");
            return false;
        }

        var recipient = await admin.Routing.GetRecipientAsync(recipientId, ct);
        if (recipient.Flow?.Id == flowId)
        {
            Report("routing", Outcomes.Unchanged, $"recipient → flow '{setup.FlowName}'", recipientId);
            return false;
        }

        if (plan)
        {
            Report("routing", Outcomes.WouldUpdate, $"recipient → flow '{setup.FlowName}' (now {recipient.Flow?.Name ?? "none"})", recipientId);
            return false;
        }

        await admin.Routing.SetRecipientFlowAsync(recipientId, flowId, ct);
        Report("routing", Outcomes.Updated, $"recipient → flow '{setup.FlowName}'", recipientId);
        return true;
    }

    private async Task TenantRecordAsync(bool plan, TenantRecord? existing, string? integrationId, string? queueId, CancellationToken ct)
    {
        var wanted = new TenantRecord(
            setup.Tenant.AccountId, setup.Tenant.ProjectId, setup.Tenant.ClientEnv,
            GenesysRegion: environment.Domain,
            GenesysBaseUrl: environment.Domain is null ? environment.ApiBaseUri : null,
            IntegrationId: integrationId ?? existing?.IntegrationId,
            QueueId: queueId ?? existing?.QueueId,
            FlowName: setup.FlowName,
            AgentDefinition: existing?.AgentDefinition,
            WebhookRateLimit: existing?.WebhookRateLimit); // set by hand per tenant (Edge README); provisioning keeps it
        if (existing == wanted)
        {
            Report("tenant-record", Outcomes.Unchanged, $"in the {records.Description}");
            return;
        }

        if (plan)
        {
            Report("tenant-record", existing is null ? Outcomes.WouldCreate : Outcomes.WouldUpdate, $"in the {records.Description}");
            return;
        }

        await records.WriteAsync(wanted, ct);
        Report("tenant-record", existing is null ? Outcomes.Created : Outcomes.Updated, $"saved in the {records.Description}");
    }

    private static async Task<T?> OrNullAsync<T>(Func<Task<T>> read)
        where T : class
    {
        try
        {
            return await read();
        }
        catch (GenesysApiException e) when (SetupStepException.IsNotFound(e))
        {
            return null;
        }
    }
}

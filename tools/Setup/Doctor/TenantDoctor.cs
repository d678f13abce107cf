using System.Net;
using System.Text;
using PolyAi.Messaging.Contracts;
using PolyAi.Messaging.Genesys;
using PolyAi.Messaging.Genesys.OpenMessaging;
using PolyAi.Messaging.Setup.Provisioning;

namespace PolyAi.Messaging.Setup.Doctor;

public static class CheckStatus
{
    public const string Pass = "pass";
    public const string Fail = "fail";

    /// <summary>Not run: an earlier check it depends on failed, or it needs what this run does not have.</summary>
    public const string Skip = "skip";
}

/// <param name="Found">What doctor saw (never a secret).</param>
/// <param name="Fix">How to fix it, with the Genesys Admin path; null when it passed.</param>
public sealed record CheckResult(string Check, string Status, string Found, string? Fix = null);

/// <summary>
/// Verifies one tenant's Genesys setup in the order the facts sheet gives (token → role → integration → typing →
/// routing → flow → queue → a test message through it all → the webhook signature). Runs with the tenant's own
/// credentials; the two reads its role does not allow (the role itself, the flow) use an admin client when given.
/// A check whose prerequisite failed is skipped, so each misconfiguration fails exactly one check.
/// </summary>
public sealed class TenantDoctor(
    GenesysClient tenantClient,
    GenesysClient? adminClient,
    TenantSetup setup,
    TenantRecord record,
    TenantSecrets secrets,
    IWebhookObserver? webhooks,
    SetupTimings timings,
    TimeProvider time,
    Action<CheckResult> progress)
{
    public const string Token = "token";
    public const string Permissions = "permissions";
    public const string Integration = "integration";
    public const string WebhookUrl = "webhook-url";
    public const string Typing = "typing";
    public const string Routing = "routing";
    public const string Flow = "flow";
    public const string QueueMembers = "queue-members";
    public const string AgentsOnQueue = "agents-on-queue";
    public const string TestMessage = "test-message";
    public const string WebhookSecret = "webhook-secret";

    private readonly List<CheckResult> _results = [];

    public async Task<IReadOnlyList<CheckResult>> RunAsync(CancellationToken ct)
    {
        var token = await CheckAsync(Token, [], () => TokenAsync(ct));
        var roleId = token?.OAuthClient?.RoleDivisions is { Count: > 0 } divisions ? divisions[0].RoleId : null;
        await CheckAsync(Permissions, [Token], () => PermissionsAsync(roleId, ct));
        var integration = await CheckAsync(Integration, [Token], () => IntegrationAsync(ct));
        await CheckAsync(WebhookUrl, [Integration], () => WebhookUrlAsync(integration!));
        await CheckAsync(Typing, [Integration], () => TypingAsync(integration!, ct));
        var flowId = adminClient is null ? null : (await SafeFindFlowAsync(ct))?.Id;
        await CheckAsync(Routing, [Integration], () => RoutingAsync(integration!, flowId, ct));
        await CheckAsync(Flow, [], () => FlowAsync(ct));
        await CheckAsync(QueueMembers, [Token], () => QueueMembersAsync(ct));
        await CheckAsync(AgentsOnQueue, [QueueMembers], () => AgentsOnQueueAsync(ct));

        string? conversationId = null;
        try
        {
            conversationId = await CheckAsync(TestMessage, [Integration, Routing, "~" + Flow], () => TestMessageAsync(integration!, ct));
            await CheckAsync(WebhookSecret, [TestMessage, AgentsOnQueue], () => WebhookSecretAsync(conversationId!, ct));
        }
        finally
        {
            if (conversationId is not null)
            {
                await DisconnectQuietlyAsync(conversationId);
            }
        }

        return _results;
    }

    private async Task<T?> CheckAsync<T>(string name, string[] prerequisites, Func<Task<(CheckResult Result, T? Value)>> check)
    {
        // A prerequisite that failed or was skipped blocks the check; a soft one ("~name") blocks only when it failed.
        var failed = prerequisites
            .Where(p => _results.Any(r => r.Check == p.TrimStart('~') && (r.Status == CheckStatus.Fail || (r.Status == CheckStatus.Skip && !p.StartsWith('~')))))
            .Select(p => p.TrimStart('~'))
            .ToList();
        (CheckResult Result, T? Value) outcome;
        if (failed.Count > 0)
        {
            outcome = (new CheckResult(name, CheckStatus.Skip, $"not checked: {string.Join(", ", failed)} did not pass"), default);
        }
        else
        {
            try
            {
                outcome = await check();
            }
            catch (GenesysApiException e) when (e.Status == HttpStatusCode.Forbidden)
            {
                outcome = (new CheckResult(name, CheckStatus.Skip, $"not checked: {SetupStepException.Describe(e)}; run doctor with an admin client (GENESYS_ADMIN_CLIENT_ID/SECRET) for this check"), default);
            }
            catch (Exception e) when (e is GenesysApiException or GenesysResponseException or TimeoutException or HttpRequestException)
            {
                var problem = e is GenesysApiException api ? SetupStepException.Describe(api) : e.Message;
                outcome = (new CheckResult(name, CheckStatus.Fail, problem, FixFor(name)), default);
            }
        }

        _results.Add(outcome.Result);
        progress(outcome.Result);
        return outcome.Value;
    }

    private static (CheckResult, T?) Pass<T>(string name, string found, T? value) => (new CheckResult(name, CheckStatus.Pass, found), value);

    private static (CheckResult, T?) Fail<T>(string name, string found, string? fix = null) => (new CheckResult(name, CheckStatus.Fail, found, fix ?? FixFor(name)), default);

    private static (CheckResult, T?) Skip<T>(string name, string found) => (new CheckResult(name, CheckStatus.Skip, found), default);

    /// <summary>The default fix per check: what to do, where in Genesys Admin.</summary>
    public static string FixFor(string check) => check switch
    {
        Token => $"{AdminPaths.OAuthClient}: the client must exist, be active and use Client Credentials; store its id and secret (re-run `provision`).",
        Permissions => $"{AdminPaths.Role}: add the missing permissions to the role (or re-run `provision`).",
        Integration => $"{AdminPaths.Integration}: the integration must exist with status Active (re-run `provision`).",
        WebhookUrl => $"{AdminPaths.Integration} > the integration > Outbound Notification Webhook URL: set it to this tenant's URL (`webhook-url`), or re-run `provision`.",
        Typing => $"{AdminPaths.MessagingSetting}: enable Typing Indicator inbound and outbound in the integration's configuration, or re-run `provision`.",
        Routing => $"{AdminPaths.Routing}: set the integration's inbound flow to the tenant's inbound message flow, or re-run `provision`.",
        Flow => $"{AdminPaths.Flow}: publish the tenant's inbound message flow (Transfer to ACD to its queue), or re-run `provision`.",
        QueueMembers => $"{AdminPaths.Queue} > the queue > Members: add the agents who take handoffs (or `provision --member <userId>`).",
        AgentsOnQueue => $"{AdminPaths.Agents}: at least one member must be On Queue to take handoffs.",
        TestMessage => $"{AdminPaths.Flow} and {AdminPaths.Routing}: the flow must transfer to the tenant's queue and the integration must route to the flow.",
        WebhookSecret => $"{AdminPaths.Integration} > the integration > Outbound Notification Webhook Signature Secret Token: Genesys signs with a secret the secret store does not hold; run `rotate-secret` to set a new one in both places.",
        _ => "re-run `provision`.",
    };

    private async Task<(CheckResult, TokenInfo?)> TokenAsync(CancellationToken ct)
    {
        try
        {
            var info = await tenantClient.OAuth.GetTokenInfoAsync(ct);
            return Pass(Token, $"OAuth client '{info.OAuthClient?.Name}' ({info.OAuthClient?.Id}) of org {info.Organization?.Name ?? info.Organization?.Id}", info);
        }
        catch (GenesysApiException e) when (e.Status is HttpStatusCode.Unauthorized or HttpStatusCode.BadRequest)
        {
            return Fail<TokenInfo>(Token, $"the stored OAuth client {secrets.OAuthClientId} cannot get a token: {SetupStepException.Describe(e)}");
        }
    }

    private async Task<(CheckResult, bool)> PermissionsAsync(string? roleId, CancellationToken ct)
    {
        if (roleId is null)
        {
            return Fail<bool>(Permissions, "the OAuth client has no role");
        }

        var role = await (adminClient ?? tenantClient).Authorization.GetRoleAsync(roleId, ct);
        var required = RequiredPermissions.All.ToList();
        if (adminClient is not null && await RequiredPermissions.LookupAgentUiAsync(adminClient, ct) is { } agentUi)
        {
            required.Add(agentUi);
        }

        var missing = RequiredPermissions.Missing(role, required);
        if (missing.Count == 0)
        {
            return Pass(Permissions, $"role '{role.Name}' holds all {required.Count} required permissions", true);
        }

        var list = string.Join("; ", missing.Select(m => $"{m.UiName} ({string.Join(", ", m.ApiStrings)})"));
        return Fail<bool>(Permissions, $"role '{role.Name}' lacks: {list}", $"{AdminPaths.Role} > '{role.Name}' > Permissions: add {list}; or re-run `provision`.");
    }

    private async Task<(CheckResult, OpenIntegration?)> IntegrationAsync(CancellationToken ct)
    {
        if (record.IntegrationId is null)
        {
            return Fail<OpenIntegration>(Integration, "the tenant record has no integration id");
        }

        var integration = await tenantClient.Messaging.GetOpenIntegrationAsync(record.IntegrationId, ["messagingSetting"], ct);
        return integration.CreateStatus == CreateStatuses.Completed
            ? Pass(Integration, $"'{integration.Name}' ({integration.Id}), createStatus Completed", integration)
            : Fail<OpenIntegration>(Integration, $"'{integration.Name}' createStatus {integration.CreateStatus ?? "unknown"}{(integration.CreateError?.Message is { } m ? $": {m}" : "")}");
    }

    private Task<(CheckResult, bool)> WebhookUrlAsync(OpenIntegration integration)
    {
        var expected = setup.WebhookUrl.ToString();
        return Task.FromResult(string.Equals(integration.OutboundNotificationWebhookUrl, expected, StringComparison.Ordinal)
            ? Pass(WebhookUrl, expected, true)
            : Fail<bool>(WebhookUrl, $"{integration.OutboundNotificationWebhookUrl ?? "(none)"}, expected {expected}"));
    }

    private async Task<(CheckResult, bool)> TypingAsync(OpenIntegration integration, CancellationToken ct)
    {
        var setting = integration.MessagingSetting;
        if (setting?.Id is null)
        {
            return Fail<bool>(Typing, "the integration has no messaging setting (typing is off by default)");
        }

        if (setting.Event is null)
        {
            setting = await tenantClient.Messaging.GetSettingAsync(setting.Id, ct);
        }

        var on = setting.Event?.Typing?.On;
        return Provisioner.TypingEnabled(setting)
            ? Pass(Typing, $"setting '{setting.Name}': typing inbound Enabled, outbound Enabled", true)
            : Fail<bool>(Typing, $"setting '{setting.Name}': typing inbound {on?.Inbound ?? "Disabled"}, outbound {on?.Outbound ?? "Disabled"}");
    }

    private async Task<(CheckResult, bool)> RoutingAsync(OpenIntegration integration, string? flowId, CancellationToken ct)
    {
        var recipient = await tenantClient.Routing.GetRecipientAsync(integration.Recipient?.Id ?? integration.Id!, ct);
        var bound = recipient.Flow;
        var matches = bound is not null && (flowId is not null ? bound.Id == flowId : string.Equals(bound.Name, record.FlowName, StringComparison.OrdinalIgnoreCase));
        return matches
            ? Pass(Routing, $"recipient → flow '{bound!.Name}'", true)
            : Fail<bool>(Routing, $"recipient → {(bound is null ? "no flow" : $"flow '{bound.Name}' ({bound.Id})")}, expected '{record.FlowName}'");
    }

    private async Task<Flow?> SafeFindFlowAsync(CancellationToken ct)
    {
        try
        {
            return record.FlowName is null ? null : await adminClient!.Architect.FindFlowByNameAsync("inboundshortmessage", record.FlowName, ct);
        }
        catch (GenesysApiException)
        {
            return null;
        }
    }

    private async Task<(CheckResult, bool)> FlowAsync(CancellationToken ct)
    {
        if (adminClient is null)
        {
            return Skip<bool>(Flow, "not checked: reading flows needs architect:flow:view, which the runtime role does not have; give an admin client. The test message still proves the routing.");
        }

        var flow = record.FlowName is null ? null : await adminClient.Architect.FindFlowByNameAsync("inboundshortmessage", record.FlowName, ct);
        if (flow is null)
        {
            return Fail<bool>(Flow, $"no inbound message flow named '{record.FlowName}'");
        }

        return flow.PublishedVersion is not null
            ? Pass(Flow, $"'{flow.Name}' published (version {flow.PublishedVersion.Id})", true)
            : Fail<bool>(Flow, $"'{flow.Name}' exists but has no published version");
    }

    private async Task<(CheckResult, bool)> QueueMembersAsync(CancellationToken ct)
    {
        if (record.QueueId is null)
        {
            return Fail<bool>(QueueMembers, "the tenant record has no queue id");
        }

        var members = await tenantClient.Routing.ListQueueMembersAsync(record.QueueId, cancellationToken: ct);
        var joined = members.Entities.Count(m => m.Joined == true);
        return joined > 0
            ? Pass(QueueMembers, $"{members.Entities.Count} member(s), {joined} joined", true)
            : Fail<bool>(QueueMembers, members.Entities.Count == 0 ? "the queue has no members" : $"{members.Entities.Count} member(s), none joined");
    }

    private async Task<(CheckResult, bool)> AgentsOnQueueAsync(CancellationToken ct)
    {
        var observations = await tenantClient.Analytics.QueryQueueObservationsAsync(QueueObservationQuery.ForQueue(record.QueueId!, ObservationMetrics.OnQueueUsers), ct);
        var onQueue = observations.AvailableAgents();
        return onQueue > 0
            ? Pass(AgentsOnQueue, $"{onQueue} agent(s) on queue now", true)
            : Fail<bool>(AgentsOnQueue, "no agent is on queue now: handoffs would wait (or be refused as unavailable)");
    }

    private async Task<(CheckResult, string?)> TestMessageAsync(OpenIntegration integration, CancellationToken ct)
    {
        var now = time.GetUtcNow();
        var customer = $"polyai-doctor-{Guid.NewGuid():N}";
        var message = new InboundOpenMessage
        {
            Channel = new InboundChannel
            {
                MessageId = $"doctor-{Guid.NewGuid():N}",
                Time = now,
                From = new InboundParty { Id = customer, Nickname = "PolyAI setup doctor" },
            },
            Text = "PolyAI setup doctor: test message, please ignore (it is disconnected automatically).",
        };
        var sent = await tenantClient.OpenMessaging.SendMessageAsync(integration.Id!, message, prefetchConversationId: true, ct);
        if (sent.ConversationId is null)
        {
            return Fail<string>(TestMessage, "Genesys accepted the message but did not say which conversation it started");
        }

        var giveUp = time.GetUtcNow() + timings.RoundTripDeadline;
        while (true)
        {
            // A conversation Genesys has just created may not be readable yet (Corrections 5): a 404 means "look again".
            MessageConversation? conversation = null;
            try
            {
                conversation = await tenantClient.Conversations.GetMessageConversationAsync(sent.ConversationId, ct);
            }
            catch (GenesysApiException e) when (e.Status == System.Net.HttpStatusCode.NotFound)
            {
            }

            if (conversation?.Participants.Any(p => p.Queue?.Id == record.QueueId) == true)
            {
                return Pass(TestMessage, $"conversation {sent.ConversationId} reached queue {record.QueueId}", sent.ConversationId);
            }

            if (time.GetUtcNow() > giveUp)
            {
                await DisconnectQuietlyAsync(sent.ConversationId);
                return Fail<string>(TestMessage, $"conversation {sent.ConversationId} did not reach queue {record.QueueId} within {timings.RoundTripDeadline.TotalSeconds:0} s");
            }

            await Task.Delay(timings.PollInterval, time, ct);
        }
    }

    private async Task<(CheckResult, bool)> WebhookSecretAsync(string conversationId, CancellationToken ct)
    {
        if (webhooks is null)
        {
            return Skip<bool>(WebhookSecret, "not checked: Genesys' secret cannot be read back; watch the verifier's signature failures for this tenant after the test message");
        }

        var giveUp = time.GetUtcNow() + timings.RoundTripDeadline;
        while (true)
        {
            var seen = await webhooks.ForConversationAsync(conversationId, ct);
            if (seen.Count > 0)
            {
                var webhook = seen[0];
                var body = Encoding.UTF8.GetBytes(webhook.Body);
                if (secrets.WebhookSecret is not null && WebhookSignature.IsValid(webhook.Signature, body, [secrets.WebhookSecret]))
                {
                    return Pass(WebhookSecret, "Genesys signed the test conversation's webhook with the stored current secret", true);
                }

                if (secrets.PreviousWebhookSecret is not null && WebhookSignature.IsValid(webhook.Signature, body, [secrets.PreviousWebhookSecret]))
                {
                    return Fail<bool>(WebhookSecret, "Genesys still signs with the previous secret: the rotation did not reach the integration", "re-run `rotate-secret` (it updates the integration), and only then `rotate-secret --finish`.");
                }

                return Fail<bool>(WebhookSecret, "Genesys signed the test conversation's webhook with a secret the secret store does not hold: the verifier rejects every webhook (401)");
            }

            if (time.GetUtcNow() > giveUp)
            {
                return Skip<bool>(WebhookSecret, $"not checked: no webhook for the test conversation within {timings.RoundTripDeadline.TotalSeconds:0} s (no agent took it)");
            }

            await Task.Delay(timings.PollInterval, time, ct);
        }
    }

    private async Task DisconnectQuietlyAsync(string conversationId)
    {
        try
        {
            using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(15));
            await tenantClient.Conversations.DisconnectConversationAsync(conversationId, timeout.Token);
        }
        catch (Exception e) when (e is GenesysApiException or GenesysResponseException or TimeoutException or HttpRequestException or OperationCanceledException)
        {
            // Best effort: a test conversation left open ends when the agent ends it.
        }
    }
}

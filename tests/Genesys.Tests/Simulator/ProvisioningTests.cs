
namespace PolyAi.Messaging.Genesys.Tests.Simulator;

/// <summary>The setup guide's steps (role, OAuth client, typing, integration, queue, flow, routing) through the client, against the simulator.</summary>
public sealed class ProvisioningTests(SimulatorFixture sim) : IClassFixture<SimulatorFixture>
{
    private const string FlowYaml = """
        inboundShortMessage:
          name: {FLOW}
          division: Home
          startUpRef: "/inboundShortMessage/states/state[Initial State_10]"
          defaultLanguage: en-us
          supportedLanguages:
            en-us:
              defaultLanguageSkill:
                noValue: true
          settingsErrorHandling:
            errorHandling:
              disconnect:
                none: true
          states:
            - state:
                name: Initial State
                refId: Initial State_10
                actions:
                  - transferToAcd:
                      name: Transfer to ACD
                      targetQueue:
                        lit:
                          name: {QUEUE}
                      priority:
                        lit: 0
                      preferredAgents:
                        noValue: true
                      languageSkill:
                        noValue: true
                  - disconnect:
                      name: Disconnect
        """;

    [Fact]
    public async Task A_role_and_an_oauth_client_are_created_and_the_new_client_sees_its_role_in_tokens_me()
    {
        using var admin = sim.AdminClient();
        var home = await admin.Authorization.GetHomeDivisionAsync();
        var permissions = await admin.Authorization.GetPermissionsAsync("conversation");
        Assert.Contains(permissions.Entities, d => d.PermissionMap?.ContainsKey("message") == true);

        var role = await admin.Authorization.CreateRoleAsync(new RoleRequest
        {
            Name = SimulatorFixture.Unique("AI Handoff Provider"),
            Description = "runtime permissions",
            PermissionPolicies =
            [
                new PermissionPolicy { Domain = "conversation", EntityName = "message", ActionSet = ["*"] },
                new PermissionPolicy { Domain = "conversation", EntityName = "communication", ActionSet = ["disconnect"] },
            ],
        });
        var readBack = await admin.Authorization.GetRoleAsync(role.Id!);
        Assert.Equal(role.Name, readBack.Name);
        Assert.Contains(readBack.PermissionPolicies ?? [], p => p is { Domain: "conversation", EntityName: "message" });

        await admin.Authorization.GrantRoleAsync(sim.Admin.ClientId, home.Id!, role.Id!, SubjectTypes.OAuthClient);

        var created = await admin.OAuth.CreateClientAsync(new OAuthClientRequest
        {
            Name = SimulatorFixture.Unique("ai-handoff"),
            AccessTokenValiditySeconds = 3600,
            RoleDivisions = [new RoleDivision { RoleId = role.Id!, DivisionId = home.Id! }],
        });
        Assert.False(string.IsNullOrEmpty(created.Secret));
        Assert.Equal(OAuthClientRequest.ClientCredentials, (await admin.OAuth.GetClientAsync(created.Id!)).AuthorizedGrantType);

        using var provider = sim.Client(created.Id!, created.Secret!);
        var me = await provider.OAuth.GetTokenInfoAsync();
        Assert.Equal(created.Id, me.OAuthClient?.Id);
        Assert.Contains(me.OAuthClient?.RoleDivisions ?? [], rd => rd.RoleId == role.Id && rd.DivisionId == home.Id);
    }

    [Fact]
    public async Task A_typing_setting_and_an_integration_are_created_polled_to_completion_read_listed_updated_and_deleted()
    {
        using var admin = sim.AdminClient();
        var setting = await admin.Messaging.CreateSettingAsync(MessagingSetting.TypingEnabled(SimulatorFixture.Unique("typing")));
        Assert.Equal(SettingStates.Enabled, (await admin.Messaging.GetSettingAsync(setting.Id!)).Event?.Typing?.On?.Outbound);
        Assert.Contains((await admin.Messaging.ListSettingsAsync(pageSize: 100)).Entities, s => s.Id == setting.Id);
        var renamed = await admin.Messaging.UpdateSettingAsync(setting.Id!, setting with { Name = setting.Name + " v2", Id = null, DateCreated = null, SelfUri = null });
        Assert.EndsWith(" v2", renamed.Name, StringComparison.Ordinal);

        var integration = await admin.Messaging.CreateOpenIntegrationAsync(new OpenIntegrationRequest
        {
            Name = SimulatorFixture.Unique("AI Handoff"),
            OutboundNotificationWebhookUrl = "https://prov.example/genesys/webhook",
            OutboundNotificationWebhookSignatureSecretToken = "a-secret-of-more-than-15-chars",
            MessagingSetting = EntityRef.To(setting.Id!),
            WebhookHeaders = new Dictionary<string, string> { ["X-Tenant"] = "t1" },
        });
        var completed = await admin.Messaging.WaitForIntegrationCreatedAsync(integration.Id!, TimeSpan.FromSeconds(10), TimeSpan.FromMilliseconds(25));
        Assert.Equal(CreateStatuses.Completed, completed.CreateStatus);
        Assert.False(string.IsNullOrEmpty(completed.Recipient?.Id));

        var expanded = await admin.Messaging.GetOpenIntegrationAsync(integration.Id!, ["messagingSetting"]);
        Assert.Equal(SettingStates.Enabled, expanded.MessagingSetting?.Event?.Typing?.On?.Inbound);
        Assert.Contains((await admin.Messaging.ListOpenIntegrationsAsync(pageSize: 100)).Entities, i => i.Id == integration.Id);

        var updated = await admin.Messaging.UpdateOpenIntegrationAsync(integration.Id!, new OpenIntegrationRequest
        {
            Name = integration.Name!,
            OutboundNotificationWebhookUrl = "https://prov.example/genesys/webhook2",
        });
        Assert.Equal("https://prov.example/genesys/webhook2", updated.OutboundNotificationWebhookUrl);

        await admin.Messaging.DeleteOpenIntegrationAsync(integration.Id!);
        var gone = await Assert.ThrowsAsync<GenesysApiException>(() => admin.Messaging.GetOpenIntegrationAsync(integration.Id!));
        Assert.Equal(System.Net.HttpStatusCode.NotFound, gone.Status);
    }

    [Fact]
    public async Task A_queue_and_a_flow_are_created_and_the_flow_is_bound_to_the_integration_recipient()
    {
        using var admin = sim.AdminClient();
        var home = await admin.Authorization.GetHomeDivisionAsync();
        var queueName = SimulatorFixture.Unique("AI Handoff");
        var queue = await admin.Routing.CreateQueueAsync(new CreateQueueRequest
        {
            Name = queueName,
            Division = EntityRef.To(home.Id!),
            MediaSettings = new QueueMediaSettings { Message = new MediaSetting { AlertingTimeoutSeconds = 30, ServiceLevel = new ServiceLevel { Percentage = 0.8, DurationMs = 20000 } } },
        });
        Assert.Equal(queueName, (await admin.Routing.GetQueueAsync(queue.Id!)).Name);
        Assert.Equal(queue.Id, (await admin.Routing.FindQueueByNameAsync(queueName))?.Id);
        Assert.Null(await admin.Routing.FindQueueByNameAsync(queueName + " nope"));

        var flowName = SimulatorFixture.Unique("AI Handoff Inbound");
        var job = await admin.Architect.DeployFlowAsync(
            FlowYaml.Replace("{FLOW}", flowName, StringComparison.Ordinal).Replace("{QUEUE}", queueName, StringComparison.Ordinal),
            TimeSpan.FromSeconds(10),
            TimeSpan.FromMilliseconds(25));
        Assert.Equal(FlowJobStatuses.Success, job.Status);
        var flow = await admin.Architect.GetFlowAsync(job.Flow!.Id!);
        Assert.Equal(flowName, flow.Name);
        Assert.NotNull(flow.PublishedVersion);
        Assert.Equal(flow.Id, (await admin.Architect.FindFlowByNameAsync("inboundshortmessage", flowName))?.Id);
        var publish = await admin.Architect.PublishFlowAsync(flow.Id!);
        Assert.NotNull(publish.Id);

        var integration = await admin.Messaging.CreateOpenIntegrationAsync(new OpenIntegrationRequest
        {
            Name = SimulatorFixture.Unique("AI Handoff"),
            OutboundNotificationWebhookUrl = "https://prov.example/genesys/webhook",
            OutboundNotificationWebhookSignatureSecretToken = "a-secret-of-more-than-15-chars",
        });
        var ready = await admin.Messaging.WaitForIntegrationCreatedAsync(integration.Id!, TimeSpan.FromSeconds(10), TimeSpan.FromMilliseconds(25));
        var recipientId = ready.Recipient!.Id!;
        var bound = await admin.Routing.SetRecipientFlowAsync(recipientId, flow.Id!);
        Assert.Equal(flow.Id, bound.Flow?.Id);
        Assert.Equal(flow.Id, (await admin.Routing.GetRecipientAsync(recipientId)).Flow?.Id);
        Assert.Contains((await admin.Routing.ListRecipientsAsync()).Entities, r => r.Id == recipientId && r.Flow?.Id == flow.Id);
    }

    [Fact]
    public async Task A_flow_job_for_a_queue_that_does_not_exist_fails_with_its_messages()
    {
        using var admin = sim.AdminClient();

        var job = await admin.Architect.DeployFlowAsync(
            FlowYaml.Replace("{FLOW}", SimulatorFixture.Unique("Orphan"), StringComparison.Ordinal).Replace("{QUEUE}", "No Such Queue", StringComparison.Ordinal),
            TimeSpan.FromSeconds(10),
            TimeSpan.FromMilliseconds(25));

        Assert.Equal(FlowJobStatuses.Failure, job.Status);
        Assert.Contains(job.Messages ?? [], m => m.Text?.Contains("No Such Queue", StringComparison.Ordinal) == true);
    }
}

using System.Net;
using System.Text;
using System.Text.Json.Nodes;
using PolyAi.Messaging.GenesysSimulator.Tests.Support;
using static PolyAi.Messaging.GenesysSimulator.Tests.AuthenticationTests;

namespace PolyAi.Messaging.GenesysSimulator.Tests;

/// <summary>The admin guide's steps 1-7 over HTTP, then a message routed through what they built.</summary>
public sealed class ProvisioningTests
{
    private const string FlowYaml = """
        inboundShortMessage:
          name: AI Handoff Inbound
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
                          name: AI Handoff
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
    public async Task Provisioned_role_client_setting_integration_queue_flow_and_routing_carry_a_message_to_an_agent()
    {
        await using var sim = await Sim.StartAsync();
        await using var receiver = await WebhookReceiver.StartAsync();
        var org = sim.Control.SeedOrg();
        using var admin = await GenesysClient.LoginAsync(sim.BaseUrl, org.ClientId, org.ClientSecret);

        // 1-2. role and OAuth client for the provider
        var permissions = await admin.OkAsync(HttpMethod.Get, "api/v2/authorization/permissions?queryType=domain&query=conversation");
        Assert.Contains("receive", permissions["entities"]![0]!["permissionMap"]!["message"]!.AsArray().Select(p => (string?)p!["action"]));
        var role = await admin.OkAsync(HttpMethod.Post, "api/v2/authorization/roles", Role("AI Handoff Provider", "conversation", "message"));
        Assert.Contains("conversation:message:receive", role["permissions"]!.AsArray().Select(p => (string?)p));
        var division = await admin.OkAsync(HttpMethod.Get, "api/v2/authorization/divisions/home");
        using (var refused = await admin.PostAsync("api/v2/oauth/clients", Client("ai-handoff", 86400, (string)role["id"]!, (string)division["id"]!)))
        {
            await AssertError(refused, 400, "bad.request"); // a client gives only roles it holds itself (Corrections 1)
        }

        await admin.OkAsync(HttpMethod.Post, $"api/v2/authorization/subjects/{org.ClientId}/divisions/{division["id"]}/roles/{role["id"]}?subjectType=PC_OAUTH_CLIENT");
        var client = await admin.OkAsync(HttpMethod.Post, "api/v2/oauth/clients", Client("ai-handoff", 86400, (string)role["id"]!, (string)division["id"]!));
        Assert.False(string.IsNullOrEmpty((string?)client["secret"]));
        Assert.Null((await admin.OkAsync(HttpMethod.Get, $"api/v2/oauth/clients/{client["id"]}"))["secret"]);

        // 3. messaging setting with typing
        var setting = await admin.OkAsync(HttpMethod.Post, "api/v2/conversations/messaging/settings", JsonNode.Parse("""
            {"name":"ai-handoff-typing","event":{"typing":{"on":{"inbound":"Enabled","outbound":"Enabled"}}}}
            """));

        // 4. integration, created asynchronously
        var integration = await admin.OkAsync(HttpMethod.Post, "api/v2/conversations/messaging/integrations/open", new JsonObject
        {
            ["name"] = "AI Handoff",
            ["outboundNotificationWebhookUrl"] = receiver.Url.ToString(),
            ["outboundNotificationWebhookSignatureSecretToken"] = "a-secret-longer-than-15",
            ["messagingSetting"] = new JsonObject { ["id"] = setting["id"]!.DeepClone() },
            ["webhookHeaders"] = new JsonObject { ["X-Tenant"] = "t1" },
        });
        var integrationId = (string)integration["id"]!;
        Assert.Equal("Initiated", (string?)integration["createStatus"]);
        var completed = await Eventually.GetAsync(async () =>
        {
            var current = await admin.OkAsync(HttpMethod.Get, $"api/v2/conversations/messaging/integrations/open/{integrationId}?expand=messagingSetting,supportedContent");
            return (string?)current["createStatus"] == "Completed" ? current : null;
        }, "integration createStatus Completed");
        Assert.Equal("Enabled", (string?)completed["messagingSetting"]!["event"]!["typing"]!["on"]!["outbound"]);
        var recipientId = (string)completed["recipient"]!["id"]!;

        // 5. queue
        var queueRequest = JsonNode.Parse("""
            {"name":"AI Handoff","division":{"id":""},"mediaSettings":{"message":{"alertingTimeoutSeconds":30,"serviceLevel":{"percentage":0.8,"durationMs":20000}}}}
            """)!;
        queueRequest["division"]!["id"] = (string)division["id"]!;
        var queue = await admin.OkAsync(HttpMethod.Post, "api/v2/routing/queues", queueRequest);
        var queueId = (string)queue["id"]!;
        Assert.Equal(1, (int)(await admin.OkAsync(HttpMethod.Get, "api/v2/routing/queues?name=AI%20Handoff"))["total"]!);

        // 6. flow through an Architect job and its presigned upload
        var job = await admin.OkAsync(HttpMethod.Post, "api/v2/flows/jobs", new JsonObject());
        using (var upload = new HttpClient())
        {
            using var put = new HttpRequestMessage(HttpMethod.Put, (string)job["presignedUrl"]!) { Content = new ByteArrayContent(Encoding.UTF8.GetBytes(FlowYaml)) };
            foreach (var (name, value) in job["headers"]!.AsObject())
            {
                put.Content.Headers.TryAddWithoutValidation(name, (string?)value);
            }

            Assert.Equal(HttpStatusCode.OK, (await upload.SendAsync(put)).StatusCode);
        }

        var finished = await Eventually.GetAsync(async () =>
        {
            var current = await admin.OkAsync(HttpMethod.Get, $"api/v2/flows/jobs/{job["id"]}?expand=messages");
            return (string?)current["status"] is "Success" or "Failure" ? current : null;
        }, "the flow job to finish");
        Assert.Equal("Success", (string?)finished["status"]);
        var flowId = (string)finished["flow"]!["id"]!;
        var flow = await admin.OkAsync(HttpMethod.Get, $"api/v2/flows/{flowId}");
        Assert.Equal("INBOUNDSHORTMESSAGE", (string?)flow["type"]);
        Assert.NotNull(flow["publishedVersion"]);
        var byName = await admin.OkAsync(HttpMethod.Get, "api/v2/flows?type=inboundshortmessage&name=AI%20Handoff%20Inbound");
        Assert.Equal(flowId, (string?)byName["entities"]![0]!["id"]);

        // 7. message routing
        var recipient = await admin.OkAsync(HttpMethod.Put, $"api/v2/routing/message/recipients/{recipientId}", new JsonObject { ["flow"] = new JsonObject { ["id"] = flowId } });
        Assert.Equal(flowId, (string?)recipient["flow"]!["id"]);
        var listed = await admin.OkAsync(HttpMethod.Get, "api/v2/routing/message/recipients?messengerType=open");
        Assert.Equal("open", (string?)listed["entities"]![0]!["messengerType"]);

        // An agent joins the queue; observations see them on queue and idle.
        var agentId = sim.Control.AddAgent(queueId, new AgentScript { Replies = ["Hello from the provisioned queue"] });
        await admin.OkAsync(HttpMethod.Patch, $"api/v2/routing/queues/{queueId}/members", JsonNode.Parse($$"""[{"id":"{{agentId}}","joined":true}]"""));
        var members = await admin.OkAsync(HttpMethod.Get, $"api/v2/routing/queues/{queueId}/members?joined=true&pageSize=100&expand=routingStatus");
        Assert.Equal("IDLE", (string?)members["entities"]![0]!["routingStatus"]!["status"]);
        var observations = await admin.OkAsync(HttpMethod.Post, "api/v2/analytics/queues/observations/query", JsonNode.Parse($$"""
            {"filter":{"type":"or","predicates":[{"dimension":"queueId","value":"{{queueId}}"}]},"metrics":["oOnQueueUsers","oActiveUsers","oMemberUsers"]}
            """));
        var onQueue = observations["results"]!.AsArray().Single(r => r!["group"]!["mediaType"] is null)!["data"]!.AsArray().Single(d => (string?)d!["metric"] == "oOnQueueUsers")!;
        Assert.Equal("IDLE", (string?)onQueue["qualifier"]);
        Assert.Equal(1, (int)onQueue["stats"]!["count"]!);

        // The provider's client sends a message: flow → queue → agent → signed webhook with the integration's headers.
        using var provider = await GenesysClient.LoginAsync(sim.BaseUrl, (string)client["id"]!, (string)client["secret"]!);
        await provider.OkAsync(HttpMethod.Post, Sim.InboundPath(integrationId), Sim.InboundText("user-p", "hello"));
        var reply = await Eventually.Get(() => receiver.Received.FirstOrDefault(w => w.Type == "Text"), "the agent's reply");
        Assert.Equal("Hello from the provisioned queue", (string?)reply.Json["text"]);
        Assert.Contains(receiver.Received, w => w.Type == "Event"); // typing is enabled by the setting
    }

    [Fact]
    public async Task Flow_job_targeting_a_missing_queue_fails_with_a_message()
    {
        await using var sim = await Sim.StartAsync();
        var org = sim.Control.SeedOrg();
        using var admin = await GenesysClient.LoginAsync(sim.BaseUrl, org.ClientId, org.ClientSecret);
        var job = await admin.OkAsync(HttpMethod.Post, "api/v2/flows/jobs", new JsonObject());
        using (var upload = new HttpClient())
        {
            (await upload.PutAsync((string)job["presignedUrl"]!, new StringContent(FlowYaml))).EnsureSuccessStatusCode();
        }

        var finished = await Eventually.GetAsync(async () =>
        {
            var current = await admin.OkAsync(HttpMethod.Get, $"api/v2/flows/jobs/{job["id"]}?expand=messages");
            return (string?)current["status"] is "Success" or "Failure" ? current : null;
        }, "the flow job to finish");

        Assert.Equal("Failure", (string?)finished["status"]);
        Assert.Contains("AI Handoff", (string?)finished["messages"]![0]!["text"], StringComparison.Ordinal);
    }

    [Fact]
    public async Task Integration_secret_of_15_characters_or_fewer_is_rejected()
    {
        await using var sim = await Sim.StartAsync();
        var org = sim.Control.SeedOrg();
        using var admin = await GenesysClient.LoginAsync(sim.BaseUrl, org.ClientId, org.ClientSecret);

        using var response = await admin.PostAsync("api/v2/conversations/messaging/integrations/open", new JsonObject
        {
            ["name"] = "x",
            ["outboundNotificationWebhookUrl"] = "https://example.invalid/hook",
            ["outboundNotificationWebhookSignatureSecretToken"] = "fifteen-chars!!",
        });

        await AssertError(response, 400, "bad.request");
    }

    [Fact]
    public async Task Oauth_client_with_a_grant_other_than_CLIENT_CREDENTIALS_spelling_is_rejected()
    {
        await using var sim = await Sim.StartAsync();
        var org = sim.Control.SeedOrg();
        using var admin = await GenesysClient.LoginAsync(sim.BaseUrl, org.ClientId, org.ClientSecret);
        var body = Client("x", 86400, "r", org.HomeDivisionId);
        body["authorizedGrantType"] = "client_credentials";

        using var response = await admin.PostAsync("api/v2/oauth/clients", body);

        await AssertError(response, 400, "bad.request");
    }

    [Fact]
    public async Task Deleted_integration_is_gone_with_its_recipient()
    {
        await using var sim = await Sim.StartAsync();
        var world = sim.Control.SeedWorld(new WorldSeed(new Uri("http://127.0.0.1:9/x"), "0123456789abcdefghij"));
        using var admin = await GenesysClient.LoginAsync(sim.BaseUrl, world.ClientId, world.ClientSecret);

        using var deleted = await admin.SendAsync(HttpMethod.Delete, $"api/v2/conversations/messaging/integrations/open/{world.IntegrationId}");
        using var integration = await admin.GetAsync($"api/v2/conversations/messaging/integrations/open/{world.IntegrationId}");
        using var recipient = await admin.GetAsync($"api/v2/routing/message/recipients/{world.RecipientId}");

        Assert.Equal(HttpStatusCode.NoContent, deleted.StatusCode);
        await AssertError(integration, 404, "not.found");
        await AssertError(recipient, 404, "not.found");
    }
}

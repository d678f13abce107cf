using PolyAi.Messaging.Contracts;

namespace PolyAi.Messaging.Setup;

/// <summary>
/// What one tenant's Genesys setup is called and where its webhooks go. Every Genesys object carries the tenant in
/// its name, so one org can serve several tenants and a re-run finds exactly what it made before.
/// </summary>
public sealed record TenantSetup(TenantKey Tenant, Uri WebhookBase)
{
    public const string Prefix = "PolyAI Messaging";

    public string RoleName => $"{Prefix} {Tenant}";
    public string OAuthClientName => $"{Prefix} {Tenant}";
    public string SettingName => $"{Prefix} typing {Tenant}";
    public string IntegrationName => $"{Prefix} {Tenant}";

    /// <summary>Overridable per run (<c>--queue</c>); the flow transfers to it by name.</summary>
    public string QueueName { get; init; } = $"{Prefix} {Tenant}";
    public string FlowName { get; init; } = $"{Prefix} Inbound {Tenant}";

    /// <summary><c>https://messaging.&lt;cluster&gt;/webhooks/genesys/&lt;ACCOUNT&gt;/&lt;PROJECT&gt;/&lt;ENV&gt;/events</c>.</summary>
    public Uri WebhookUrl => new(WebhookBase, $"webhooks/genesys/{Tenant}/events");

    /// <summary>The public base of a cluster: <c>https://messaging.&lt;cluster&gt;/</c>.</summary>
    public static Uri ClusterBase(string cluster) => new($"https://messaging.{cluster.Trim().TrimEnd('/')}/");

    /// <summary>
    /// The inbound message flow (genesys-facts §6): Transfer to ACD to the queue, then disconnect. Archy finds the
    /// division by name, and orgs can rename their home division: pass the name <c>divisions/home</c> gives
    /// (Corrections 10), never the literal <c>Home</c>.
    /// </summary>
    public string FlowYaml(string homeDivisionName) => $$"""
        inboundShortMessage:
          name: {{Quote(FlowName)}}
          division: {{Quote(homeDivisionName)}}
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
                          name: {{Quote(QueueName)}}
                      priority:
                        lit: 0
                      preferredAgents:
                        noValue: true
                      languageSkill:
                        noValue: true
                  - disconnect:
                      name: Disconnect
        """;

    private static string Quote(string value) => "\"" + value.Replace("\\", "\\\\", StringComparison.Ordinal).Replace("\"", "\\\"", StringComparison.Ordinal) + "\"";
}

using Microsoft.AspNetCore.Http.HttpResults;
using System.Text.Json.Nodes;
using PolyAi.Messaging.GenesysSimulator.Http;
using PolyAi.Messaging.GenesysSimulator.World;
using static PolyAi.Messaging.GenesysSimulator.Http.RequestBody;

namespace PolyAi.Messaging.GenesysSimulator.Apis;

/// <summary>Messaging settings (typing) and Open Messaging integrations with async creation (genesys-facts §6).</summary>
internal static class MessagingApi
{
    private static readonly string[] SettingValues = ["Enabled", "Disabled"];

    public static void MapMessagingApi(this IEndpointRouteBuilder app)
    {
        var messaging = app.MapGroup("/api/v2/conversations/messaging");
        messaging.MapPost("/settings", CreateSetting).Requires(Permissions.SettingAdd);
        messaging.MapGet("/settings", ListSettings).Requires(Permissions.SettingView);
        messaging.MapGet("/settings/{messageSettingId}", GetSetting).Requires(Permissions.SettingView);
        messaging.MapPatch("/settings/{messageSettingId}", PatchSetting).Requires(Permissions.SettingEdit);

        messaging.MapPost("/integrations/open", CreateIntegration).Requires(Permissions.IntegrationAdd);
        messaging.MapGet("/integrations/open", ListIntegrations).Requires(Permissions.IntegrationView);
        messaging.MapGet("/integrations/open/{integrationId}", GetIntegration).Requires(Permissions.IntegrationView);
        messaging.MapPatch("/integrations/open/{integrationId}", PatchIntegration).Requires(Permissions.IntegrationEdit);
        messaging.MapDelete("/integrations/open/{integrationId}", DeleteIntegration).Requires(Permissions.IntegrationDelete);
    }

    private static async Task<JsonHttpResult<JsonObject>> CreateSetting(HttpRequest request, Org org)
    {
        var (body, error) = await ReadObjectAsync(request);
        if (error is not null)
        {
            return error;
        }

        if (string.IsNullOrWhiteSpace(String(body!["name"])))
        {
            return GenesysErrors.BadRequest("name: may not be null");
        }

        if (ValidateEvent(body["event"]) is { } bad)
        {
            return bad;
        }

        lock (org.Gate)
        {
            var setting = new MessagingSetting
            {
                Id = Ids.Entity(),
                Name = String(body["name"])!,
                Event = body["event"]?.DeepClone() as JsonObject,
                Content = body["content"]?.DeepClone() as JsonObject,
                DateModified = org.Now,
            };
            org.Settings[setting.Id] = setting;
            return Pages.Json(SettingJson(setting));
        }
    }

    private static JsonHttpResult<JsonObject> ListSettings(HttpRequest request, int? pageSize, int? pageNumber, Org org)
    {
        lock (org.Gate)
        {
            return Pages.Of(org.Settings.Values.Select(s => (JsonNode)SettingJson(s)), pageSize ?? 25, pageNumber ?? 1, request);
        }
    }

    private static JsonHttpResult<JsonObject> GetSetting(string messageSettingId, Org org)
    {
        lock (org.Gate)
        {
            return org.Settings.TryGetValue(messageSettingId, out var setting) ? Pages.Json(SettingJson(setting)) : GenesysErrors.NotFound($"Messaging setting {messageSettingId} not found.");
        }
    }

    private static async Task<JsonHttpResult<JsonObject>> PatchSetting(string messageSettingId, HttpRequest request, Org org)
    {
        var (body, error) = await ReadObjectAsync(request);
        if (error is not null)
        {
            return error;
        }

        if (ValidateEvent(body!["event"]) is { } bad)
        {
            return bad;
        }

        lock (org.Gate)
        {
            if (!org.Settings.TryGetValue(messageSettingId, out var setting))
            {
                return GenesysErrors.NotFound($"Messaging setting {messageSettingId} not found.");
            }

            setting.Name = String(body["name"]) ?? setting.Name;
            setting.Event = body["event"]?.DeepClone() as JsonObject ?? setting.Event;
            setting.Content = body["content"]?.DeepClone() as JsonObject ?? setting.Content;
            setting.DateModified = org.Now;
            return Pages.Json(SettingJson(setting));
        }
    }

    private static JsonHttpResult<JsonObject>? ValidateEvent(JsonNode? node)
    {
        if (node?["typing"]?["on"] is JsonObject on)
        {
            foreach (var direction in new[] { "inbound", "outbound" })
            {
                if (String(on[direction]) is { } value && !SettingValues.Contains(value))
                {
                    return GenesysErrors.BadRequest($"event.typing.on.{direction} should be equal to one of the allowed values: Enabled, Disabled");
                }
            }
        }

        return null;
    }

    private static async Task<JsonHttpResult<JsonObject>> CreateIntegration(HttpRequest request, Org org)
    {
        var (body, error) = await ReadObjectAsync(request);
        if (error is not null)
        {
            return error;
        }

        var name = String(body!["name"]);
        if (string.IsNullOrWhiteSpace(name))
        {
            return GenesysErrors.BadRequest("name: may not be null");
        }

        if (ValidateWebhook(body, required: true, out var url, out var secret) is { } bad)
        {
            return bad;
        }

        lock (org.Gate)
        {
            var settingId = String(body["messagingSetting"]?["id"]);
            if (settingId is not null && !org.Settings.ContainsKey(settingId))
            {
                return GenesysErrors.BadRequest($"Messaging setting {settingId} not found.");
            }

            var headers = (body["webhookHeaders"] as JsonObject)?.ToDictionary(p => p.Key, p => String(p.Value) ?? "", StringComparer.Ordinal) ?? [];
            var integration = org.AddIntegration(name, url!, secret!, settingId, String(body["supportedContent"]?["id"]), headers, completed: false);
            return Pages.Json(IntegrationJson(org, integration, expand: null));
        }
    }

    private static JsonHttpResult<JsonObject> ListIntegrations(HttpRequest request, int? pageSize, int? pageNumber, string? expand, Org org)
    {
        lock (org.Gate)
        {
            return Pages.Of(org.Integrations.Values.Select(i => (JsonNode)IntegrationJson(org, i, expand)), pageSize ?? 25, pageNumber ?? 1, request);
        }
    }

    private static JsonHttpResult<JsonObject> GetIntegration(string integrationId, string? expand, Org org)
    {
        lock (org.Gate)
        {
            return org.Integrations.TryGetValue(integrationId, out var integration)
                ? Pages.Json(IntegrationJson(org, integration, expand))
                : GenesysErrors.NotFound($"Open integration {integrationId} not found.");
        }
    }

    private static async Task<JsonHttpResult<JsonObject>> PatchIntegration(string integrationId, HttpRequest request, Org org)
    {
        var (body, error) = await ReadObjectAsync(request);
        if (error is not null)
        {
            return error;
        }

        if (string.IsNullOrWhiteSpace(String(body!["name"])))
        {
            return GenesysErrors.BadRequest("name: may not be null");
        }

        if (ValidateWebhook(body, required: false, out var url, out var secret) is { } bad)
        {
            return bad;
        }

        lock (org.Gate)
        {
            if (!org.Integrations.TryGetValue(integrationId, out var integration))
            {
                return GenesysErrors.NotFound($"Open integration {integrationId} not found.");
            }

            if (body["messagingSetting"] is JsonObject settingRef)
            {
                var settingId = String(settingRef["id"]);
                if (settingId is not null && !org.Settings.ContainsKey(settingId))
                {
                    return GenesysErrors.BadRequest($"Messaging setting {settingId} not found.");
                }

                integration.MessagingSettingId = settingId;
            }

            integration.Name = String(body["name"])!;
            integration.WebhookUrl = url ?? integration.WebhookUrl;
            integration.Secret = secret ?? integration.Secret;
            if (body["webhookHeaders"] is JsonObject headers)
            {
                integration.WebhookHeaders = headers.ToDictionary(p => p.Key, p => String(p.Value) ?? "", StringComparer.Ordinal);
            }

            integration.DateModified = org.Now;
            return Pages.Json(IntegrationJson(org, integration, expand: null));
        }
    }

    private static Results<NoContent, JsonHttpResult<JsonObject>> DeleteIntegration(string integrationId, Org org)
    {
        lock (org.Gate)
        {
            if (!org.Integrations.Remove(integrationId))
            {
                return GenesysErrors.NotFound($"Open integration {integrationId} not found.");
            }

            org.Recipients.Remove(integrationId);
            return TypedResults.NoContent();
        }
    }

    private static JsonHttpResult<JsonObject>? ValidateWebhook(JsonObject body, bool required, out Uri? url, out string? secret)
    {
        url = null;
        secret = String(body["outboundNotificationWebhookSignatureSecretToken"]);
        var text = String(body["outboundNotificationWebhookUrl"]);
        if (text is null)
        {
            if (required)
            {
                return GenesysErrors.BadRequest("outboundNotificationWebhookUrl: may not be null");
            }
        }
        else if (!Uri.TryCreate(text, UriKind.Absolute, out url) || url.Scheme is not ("https" or "http"))
        {
            // Deviation: Genesys demands public HTTPS on 443; the simulator also takes http:// so local receivers work.
            return GenesysErrors.BadRequest("outboundNotificationWebhookUrl must be an absolute https URL");
        }

        if (secret is null)
        {
            return required ? GenesysErrors.BadRequest("outboundNotificationWebhookSignatureSecretToken: may not be null") : null;
        }

        return secret.Length <= 15 ? GenesysErrors.BadRequest("outboundNotificationWebhookSignatureSecretToken must be more than 15 characters") : null;
    }

    public static JsonObject SettingJson(MessagingSetting setting) => new()
    {
        ["id"] = setting.Id,
        ["name"] = setting.Name,
        ["dateModified"] = Iso.Format(setting.DateModified),
        ["event"] = setting.Event?.DeepClone() ?? new JsonObject(),
        ["content"] = setting.Content?.DeepClone(),
        ["selfUri"] = $"/api/v2/conversations/messaging/settings/{setting.Id}",
    };

    private static JsonObject IntegrationJson(Org org, Integration integration, string? expand)
    {
        var expands = (expand ?? "").Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        var status = integration.CreateStatus(org.Now);
        JsonNode? setting = null;
        if (integration.MessagingSettingId is { } settingId && org.Settings.TryGetValue(settingId, out var s))
        {
            setting = expands.Contains("messagingSetting")
                ? SettingJson(s)
                : Pages.Ref(s.Id, $"/api/v2/conversations/messaging/settings/{s.Id}", s.Name);
        }

        var supportedContent = integration.SupportedContentId is { } contentId
            ? expands.Contains("supportedContent")
                ? new JsonObject
                {
                    ["id"] = contentId,
                    ["name"] = "Default",
                    ["media"] = new JsonObject { ["allowedMedia"] = new JsonObject { ["inbound"] = new JsonArray(), ["outbound"] = new JsonArray() } },
                    ["selfUri"] = $"/api/v2/conversations/messaging/supportedcontent/{contentId}",
                }
                : Pages.Ref(contentId, $"/api/v2/conversations/messaging/supportedcontent/{contentId}")
            : null;

        return new JsonObject
        {
            ["id"] = integration.Id,
            ["name"] = integration.Name,
            ["supportedContent"] = supportedContent,
            ["messagingSetting"] = setting,
            ["outboundNotificationWebhookUrl"] = integration.WebhookUrl.ToString(),
            ["webhookHeaders"] = new JsonObject(integration.WebhookHeaders.Select(h => KeyValuePair.Create(h.Key, (JsonNode?)h.Value))),
            ["status"] = status == "Completed" ? "active" : "inactive",
            ["recipient"] = status == "Completed" ? Pages.Ref(integration.Id, $"/api/v2/routing/message/recipients/{integration.Id}") : null,
            ["dateCreated"] = Iso.Format(integration.DateCreated),
            ["dateModified"] = Iso.Format(integration.DateModified),
            ["createStatus"] = status,
            ["messengerType"] = "open",
            ["selfUri"] = $"/api/v2/conversations/messaging/integrations/open/{integration.Id}",
        };
    }
}

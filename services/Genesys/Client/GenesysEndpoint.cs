using System.Text;

namespace PolyAi.Messaging.Genesys;

/// <summary>
/// One Genesys API operation: method, route template and whether sending it twice is harmless.
/// <see cref="Name"/> (<c>POST /api/v2/routing/queues</c>) is the low-cardinality metric label; ids never enter it.
/// </summary>
/// <param name="RetrySafe">
/// True when a repeat after an unclear outcome (502/503/504, timeout, network error) cannot do harm: reads, PUT/PATCH/
/// DELETE that set a state, and the inbound Open Messaging calls, which carry our own <c>channel.messageId</c> so a
/// repeat is recognisable. A 429 is retried for every endpoint, since Genesys refused the request without doing it.
/// </param>
public sealed record GenesysEndpoint(HttpMethod Method, string Template, bool RetrySafe)
{
    public string Name { get; } = $"{Method.Method} {Template}";

    public override string ToString() => Name;

    /// <summary>The template with each <c>{name}</c> replaced, in order, by the escaped value.</summary>
    internal string Path(params ReadOnlySpan<string> values)
    {
        var path = new StringBuilder(Template.Length + 64);
        var next = 0;
        var i = 0;
        while (i < Template.Length)
        {
            var open = Template.IndexOf('{', i);
            if (open < 0)
            {
                path.Append(Template, i, Template.Length - i);
                break;
            }

            var close = Template.IndexOf('}', open);
            path.Append(Template, i, open - i);
            if (next >= values.Length)
            {
                throw new ArgumentException($"{Name} needs a value for {Template[open..(close + 1)]}.");
            }

            var value = values[next++];
            if (string.IsNullOrWhiteSpace(value))
            {
                throw new ArgumentException($"{Name}: {Template[open..(close + 1)]} must not be empty.");
            }

            path.Append(Uri.EscapeDataString(value));
            i = close + 1;
        }

        return next == values.Length ? path.ToString() : throw new ArgumentException($"{Name} takes {next} path values.");
    }
}

/// <summary>Every Genesys operation the client calls: the coverage list of the README, and the metric labels.</summary>
public static class GenesysEndpoints
{
    private const string Inbound = "/api/v2/conversations/messages/{integrationId}/inbound/open";
    private const string Integrations = "/api/v2/conversations/messaging/integrations/open";
    private const string Settings = "/api/v2/conversations/messaging/settings";

    public static readonly GenesysEndpoint Token = Post("/oauth/token", retrySafe: true);
    public static readonly GenesysEndpoint TokenMe = Get("/api/v2/tokens/me");

    // A message whose send timed out or got a 5xx may have arrived, and Genesys does not document deduplicating a
    // resend (Corrections 6): never resent blindly; the caller reconciles (a 429 is still retried: nothing was done).
    public static readonly GenesysEndpoint InboundMessage = Post(Inbound + "/message", retrySafe: false);
    public static readonly GenesysEndpoint InboundEvent = Post(Inbound + "/event", retrySafe: true);
    public static readonly GenesysEndpoint InboundReceipt = Post(Inbound + "/receipt", retrySafe: true);
    public static readonly GenesysEndpoint InboundStructuredResponse = Post(Inbound + "/structured/response", retrySafe: false);

    public static readonly GenesysEndpoint GetMessageConversation = Get("/api/v2/conversations/messages/{conversationId}");
    public static readonly GenesysEndpoint GetMessageDetails = Get("/api/v2/conversations/messages/{messageId}/details");
    public static readonly GenesysEndpoint PatchMessageConversation = Patch("/api/v2/conversations/messages/{conversationId}");
    public static readonly GenesysEndpoint PatchMessageParticipant = Patch("/api/v2/conversations/messages/{conversationId}/participants/{participantId}");

    public static readonly GenesysEndpoint CreateNotificationChannel = Post("/api/v2/notifications/channels", retrySafe: false);
    public static readonly GenesysEndpoint ListNotificationChannels = Get("/api/v2/notifications/channels");
    public static readonly GenesysEndpoint HeadNotificationChannel = new(HttpMethod.Head, "/api/v2/notifications/channels/{channelId}", RetrySafe: true);
    public static readonly GenesysEndpoint AddSubscriptions = Post("/api/v2/notifications/channels/{channelId}/subscriptions", retrySafe: true);
    public static readonly GenesysEndpoint GetSubscriptions = Get("/api/v2/notifications/channels/{channelId}/subscriptions");
    public static readonly GenesysEndpoint ReplaceSubscriptions = Put("/api/v2/notifications/channels/{channelId}/subscriptions");
    public static readonly GenesysEndpoint DeleteSubscriptions = Delete("/api/v2/notifications/channels/{channelId}/subscriptions");

    public static readonly GenesysEndpoint QueryQueueObservations = Post("/api/v2/analytics/queues/observations/query", retrySafe: true);

    public static readonly GenesysEndpoint CreateQueue = Post("/api/v2/routing/queues", retrySafe: false);
    public static readonly GenesysEndpoint ListQueues = Get("/api/v2/routing/queues");
    public static readonly GenesysEndpoint GetQueue = Get("/api/v2/routing/queues/{queueId}");
    public static readonly GenesysEndpoint ListQueueMembers = Get("/api/v2/routing/queues/{queueId}/members");
    public static readonly GenesysEndpoint AddQueueMembers = Post("/api/v2/routing/queues/{queueId}/members", retrySafe: true);
    public static readonly GenesysEndpoint PatchQueueMembers = Patch("/api/v2/routing/queues/{queueId}/members");
    public static readonly GenesysEndpoint GetRecipient = Get("/api/v2/routing/message/recipients/{recipientId}");
    public static readonly GenesysEndpoint PutRecipient = Put("/api/v2/routing/message/recipients/{recipientId}");
    public static readonly GenesysEndpoint ListRecipients = Get("/api/v2/routing/message/recipients");

    public static readonly GenesysEndpoint CreateRole = Post("/api/v2/authorization/roles", retrySafe: false);
    public static readonly GenesysEndpoint ListRoles = Get("/api/v2/authorization/roles");
    public static readonly GenesysEndpoint GetRole = Get("/api/v2/authorization/roles/{roleId}");
    public static readonly GenesysEndpoint UpdateRole = Put("/api/v2/authorization/roles/{roleId}");
    public static readonly GenesysEndpoint ListPermissions = Get("/api/v2/authorization/permissions");
    public static readonly GenesysEndpoint GetHomeDivision = Get("/api/v2/authorization/divisions/home");
    public static readonly GenesysEndpoint GrantRole = Post("/api/v2/authorization/subjects/{subjectId}/divisions/{divisionId}/roles/{roleId}", retrySafe: true);

    public static readonly GenesysEndpoint CreateOAuthClient = Post("/api/v2/oauth/clients", retrySafe: false);
    public static readonly GenesysEndpoint GetOAuthClient = Get("/api/v2/oauth/clients/{clientId}");

    public static readonly GenesysEndpoint CreateMessagingSetting = Post(Settings, retrySafe: false);
    public static readonly GenesysEndpoint ListMessagingSettings = Get(Settings);
    public static readonly GenesysEndpoint GetMessagingSetting = Get(Settings + "/{messageSettingId}");
    public static readonly GenesysEndpoint PatchMessagingSetting = Patch(Settings + "/{messageSettingId}");

    public static readonly GenesysEndpoint CreateOpenIntegration = Post(Integrations, retrySafe: false);
    public static readonly GenesysEndpoint ListOpenIntegrations = Get(Integrations);
    public static readonly GenesysEndpoint GetOpenIntegration = Get(Integrations + "/{integrationId}");
    public static readonly GenesysEndpoint PatchOpenIntegration = Patch(Integrations + "/{integrationId}");
    public static readonly GenesysEndpoint DeleteOpenIntegration = Delete(Integrations + "/{integrationId}");

    public static readonly GenesysEndpoint CreateFlowJob = Post("/api/v2/flows/jobs", retrySafe: false);
    /// <summary>The presigned upload of a flow job (not a Genesys host, no bearer); the URL never enters the label.</summary>
    public static readonly GenesysEndpoint UploadFlowJob = new(HttpMethod.Put, "{presignedUrl}", RetrySafe: true);
    public static readonly GenesysEndpoint GetFlowJob = Get("/api/v2/flows/jobs/{jobId}");
    public static readonly GenesysEndpoint PublishFlow = Post("/api/v2/flows/actions/publish", retrySafe: false);
    public static readonly GenesysEndpoint GetFlow = Get("/api/v2/flows/{flowId}");
    public static readonly GenesysEndpoint ListFlows = Get("/api/v2/flows");

    /// <summary>All of the above, for docs and tests.</summary>
    public static IReadOnlyList<GenesysEndpoint> All { get; } =
    [
        Token, TokenMe, InboundMessage, InboundEvent, InboundReceipt, InboundStructuredResponse,
        GetMessageConversation, GetMessageDetails, PatchMessageConversation, PatchMessageParticipant,
        CreateNotificationChannel, ListNotificationChannels, HeadNotificationChannel,
        AddSubscriptions, GetSubscriptions, ReplaceSubscriptions, DeleteSubscriptions, QueryQueueObservations,
        CreateQueue, ListQueues, GetQueue, ListQueueMembers, AddQueueMembers, PatchQueueMembers,
        GetRecipient, PutRecipient, ListRecipients,
        CreateRole, ListRoles, GetRole, UpdateRole, ListPermissions, GetHomeDivision, GrantRole,
        CreateOAuthClient, GetOAuthClient,
        CreateMessagingSetting, ListMessagingSettings, GetMessagingSetting, PatchMessagingSetting,
        CreateOpenIntegration, ListOpenIntegrations, GetOpenIntegration, PatchOpenIntegration, DeleteOpenIntegration,
        CreateFlowJob, UploadFlowJob, GetFlowJob, PublishFlow, GetFlow, ListFlows,
    ];

    private static GenesysEndpoint Get(string template) => new(HttpMethod.Get, template, RetrySafe: true);

    private static GenesysEndpoint Put(string template) => new(HttpMethod.Put, template, RetrySafe: true);

    private static GenesysEndpoint Patch(string template) => new(HttpMethod.Patch, template, RetrySafe: true);

    private static GenesysEndpoint Delete(string template) => new(HttpMethod.Delete, template, RetrySafe: true);

    private static GenesysEndpoint Post(string template, bool retrySafe) => new(HttpMethod.Post, template, retrySafe);
}

/// <summary>Builds <c>?a=1&amp;b=2</c>, skipping absent values.</summary>
internal readonly struct Query
{
    private readonly StringBuilder? _query;

    private Query(StringBuilder query) => _query = query;

    public static Query Empty => default;

    public Query With(string name, string? value)
    {
        if (value is null)
        {
            return this;
        }

        var query = _query is null ? new StringBuilder("?") : new StringBuilder(_query.ToString()).Append('&');
        query.Append(Uri.EscapeDataString(name)).Append('=').Append(Uri.EscapeDataString(value));
        return new Query(query);
    }

    public Query With(string name, int? value) => With(name, value?.ToString(System.Globalization.CultureInfo.InvariantCulture));

    public Query With(string name, bool? value) => With(name, value is null ? null : value.Value ? "true" : "false");

    public override string ToString() => _query?.ToString() ?? string.Empty;
}

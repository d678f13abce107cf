using System.Text.Json.Nodes;
using PolyAi.Messaging.GenesysSimulator.Notifications;
using PolyAi.Messaging.GenesysSimulator.Webhooks;

namespace PolyAi.Messaging.GenesysSimulator.World;

/// <summary>
/// The simulated Genesys org: every entity, token and conversation. One lock (<see cref="Gate"/>) guards it all;
/// side effects (webhooks, notifications) are queued under the lock so their order is the order of events.
/// </summary>
internal sealed partial class Org
{
    public const string AdminRoleName = "Simulator Admin";

    private readonly List<ReceivedItem> _received = [];
    private readonly Dictionary<string, (DateTimeOffset WindowStart, int Count)> _rates = new(StringComparer.Ordinal);

    public Org(GenesysSimulatorOptions options, WebhookDispatcher webhooks, NotificationHub notifications, ILogger<Org> logger)
    {
        Options = options;
        Webhooks = webhooks;
        Notifications = notifications;
        Logger = logger;
        ObservationUserMetricsPerMediaType = options.ObservationUserMetricsPerMediaType;
        HomeDivisionId = Ids.Entity();
        OrganizationId = Ids.Entity();
        SupportedContentId = Ids.Entity();
    }

    public Lock Gate { get; } = new();
    public GenesysSimulatorOptions Options { get; }
    public WebhookDispatcher Webhooks { get; }
    public NotificationHub Notifications { get; }
    public ILogger Logger { get; }
    public TimeProvider Time => Options.TimeProvider;
    public DateTimeOffset Now => Time.GetUtcNow();
    public Uri BaseUrl { get; set; } = new("http://127.0.0.1/");
    public CancellationToken Stopping { get; set; }

    public string OrganizationId { get; }
    public string HomeDivisionId { get; }
    public string SupportedContentId { get; }
    public const string OrganizationName = "Genesys Simulator Org";

    public Dictionary<string, Role> Roles { get; } = new(StringComparer.Ordinal);
    public Dictionary<string, OAuthClient> Clients { get; } = new(StringComparer.Ordinal);
    public Dictionary<string, AccessToken> Tokens { get; } = new(StringComparer.Ordinal);
    public Dictionary<string, MessagingSetting> Settings { get; } = new(StringComparer.Ordinal);
    public Dictionary<string, Integration> Integrations { get; } = new(StringComparer.Ordinal);
    public Dictionary<string, Recipient> Recipients { get; } = new(StringComparer.Ordinal);
    public Dictionary<string, Queue> Queues { get; } = new(StringComparer.Ordinal);
    public Dictionary<string, User> Users { get; } = new(StringComparer.Ordinal);
    public Dictionary<string, Flow> Flows { get; } = new(StringComparer.Ordinal);
    public Dictionary<string, FlowJob> Jobs { get; } = new(StringComparer.Ordinal);
    public Dictionary<string, Conversation> Conversations { get; } = new(StringComparer.Ordinal);

    // ---- OAuth ------------------------------------------------------------------------------------------

    public OAuthClient AddClient(string name, string? description, int validitySeconds, List<RoleDivision> roleDivisions)
    {
        var client = new OAuthClient
        {
            Id = Ids.Entity(),
            Secret = Ids.Secret(),
            Name = name,
            Description = description,
            AuthorizedGrantType = "CLIENT-CREDENTIALS",
            AccessTokenValiditySeconds = validitySeconds,
            RoleDivisions = roleDivisions,
            DateCreated = Now,
        };
        Clients[client.Id] = client;
        return client;
    }

    public AccessToken Issue(OAuthClient client)
    {
        var token = new AccessToken { Value = Ids.Token(), ClientId = client.Id, ExpiresAt = Now.AddSeconds(client.AccessTokenValiditySeconds) };
        Tokens[token.Value] = token;
        return token;
    }

    public bool HasPermission(OAuthClient client, string permission) =>
        client.RoleDivisions
            .Select(rd => Roles.GetValueOrDefault(rd.RoleId))
            .OfType<Role>()
            .SelectMany(r => r.Policies)
            .Any(p => p.Grants(permission));

    public void ExpireAllTokens()
    {
        lock (Gate)
        {
            foreach (var token in Tokens.Values)
            {
                token.ExpiresAt = Now.AddSeconds(-1);
            }
        }
    }

    private const int MaxApiCallLog = 100_000;
    private readonly Queue<ApiCall> _apiCalls = new();

    /// <summary>Remembers an authenticated API call (the newest 100,000) for the control API.</summary>
    public void LogApiCall(string clientId, string method, string path, int status)
    {
        lock (Gate)
        {
            if (_apiCalls.Count >= MaxApiCallLog)
            {
                _apiCalls.Dequeue();
            }

            _apiCalls.Enqueue(new ApiCall(clientId, method, path, status, Now));
        }
    }

    public IReadOnlyList<ApiCall> ApiCalls(string clientId)
    {
        lock (Gate)
        {
            return _apiCalls.Where(c => c.ClientId == clientId).ToList();
        }
    }

    /// <summary>Counts a request against its key's one-minute window.</summary>
    public (bool Allowed, int Count, int ResetSeconds) CountRequest(string key)
    {
        lock (Gate)
        {
            var now = Now;
            var (start, count) = _rates.GetValueOrDefault(key, (now, 0));
            if (now - start >= TimeSpan.FromMinutes(1))
            {
                (start, count) = (now, 0);
            }

            count++;
            _rates[key] = (start, count);
            var reset = (int)Math.Ceiling((start.AddMinutes(1) - now).TotalSeconds);
            return (count <= Options.RateLimitPerMinute, count, Math.Max(1, reset));
        }
    }

    // ---- Seeding ----------------------------------------------------------------------------------------

    public SeededOrg SeedOrg()
    {
        lock (Gate)
        {
            var role = Roles.Values.FirstOrDefault(r => r.Name == AdminRoleName);
            if (role is null)
            {
                role = new Role { Id = Ids.Entity(), Name = AdminRoleName, Description = "Every permission (simulator seed).", Policies = [new PermissionPolicy("*", "*", ["*"])] };
                Roles[role.Id] = role;
            }

            var client = AddClient("Simulator Admin", "Admin client seeded by the simulator", 86400, [new RoleDivision(role.Id, HomeDivisionId)]);
            return new SeededOrg(OrganizationId, HomeDivisionId, client.Id, client.Secret);
        }
    }

    public SeededWorld SeedWorld(WorldSeed seed)
    {
        var org = SeedOrg();
        lock (Gate)
        {
            var setting = new MessagingSetting
            {
                Id = Ids.Entity(),
                Name = seed.IntegrationName + " settings",
                DateModified = Now,
                Event = TypingEvent(seed.TypingEnabled),
            };
            Settings[setting.Id] = setting;
            var integration = AddIntegration(seed.IntegrationName, seed.WebhookUrl, seed.WebhookSecret, setting.Id, null, [], completed: true);
            // Each world is one tenant's setup: its own queue and flow, so one tenant's agents never take another's
            // customers. Names are Genesys-unique, so a taken name gets a " (2)", " (3)", ... suffix.
            var queue = AddQueue(UniqueName(seed.QueueName, n => Queues.Values.Any(q => q.Name == n)), null);
            var flow = new Flow
            {
                Id = Ids.Entity(),
                Name = UniqueName(seed.FlowName, n => Flows.Values.Any(f => f.Name == n)),
                TargetQueueName = queue.Name,
                DivisionId = HomeDivisionId,
                Version = 1,
                DatePublished = Now,
            };
            Flows[flow.Id] = flow;
            Recipients[integration.Id].FlowId = flow.Id;
            var agents = seed.Agents.Select(script => AddAgent(queue.Id, script)).ToList();
            return new SeededWorld(org.OrganizationId, org.ClientId, org.ClientSecret, integration.Id, integration.Id, queue.Id, flow.Id, setting.Id, agents);
        }
    }

    private static string UniqueName(string name, Func<string, bool> taken)
    {
        var candidate = name;
        for (var i = 2; taken(candidate); i++)
        {
            candidate = $"{name} ({i})";
        }

        return candidate;
    }

    public static JsonObject TypingEvent(bool enabled) => new()
    {
        ["typing"] = new JsonObject
        {
            ["on"] = new JsonObject { ["inbound"] = enabled ? "Enabled" : "Disabled", ["outbound"] = enabled ? "Enabled" : "Disabled" },
        },
    };

    public Integration AddIntegration(string name, Uri webhookUrl, string secret, string? settingId, string? supportedContentId, Dictionary<string, string> headers, bool completed)
    {
        var now = Now;
        var integration = new Integration
        {
            Id = Ids.Entity(),
            Name = name,
            WebhookUrl = webhookUrl,
            Secret = secret,
            MessagingSettingId = settingId,
            SupportedContentId = supportedContentId ?? SupportedContentId,
            WebhookHeaders = headers,
            DateCreated = now,
            DateModified = now,
            CompletesAt = completed ? now : now + Options.AsyncCompletionDelay,
        };
        Integrations[integration.Id] = integration;

        // The recipient is what a flow is bound to; Genesys gives it the integration's id.
        Recipients[integration.Id] = new Recipient { Id = integration.Id, Name = name, DateCreated = now };
        return integration;
    }

    public Queue AddQueue(string name, JsonObject? mediaSettings)
    {
        var queue = new Queue { Id = Ids.Entity(), Name = name, DivisionId = HomeDivisionId, MediaSettings = mediaSettings, DateCreated = Now };
        Queues[queue.Id] = queue;
        return queue;
    }

    // ---- Agents -----------------------------------------------------------------------------------------

    public string AddAgent(string queueId, AgentScript script)
    {
        lock (Gate)
        {
            if (!Queues.TryGetValue(queueId, out var queue))
            {
                throw new KeyNotFoundException($"no queue {queueId}");
            }

            var user = new User { Id = Ids.Entity(), Name = script.Name ?? $"Agent {Users.Count + 1}", Script = script, OnQueue = script.OnQueue };
            Users[user.Id] = user;
            queue.Members[user.Id] = new QueueMember { Joined = true };
            RouteWaiting();
            return user.Id;
        }
    }

    public void SetOnQueue(string userId, bool onQueue)
    {
        lock (Gate)
        {
            if (!Users.TryGetValue(userId, out var user))
            {
                throw new KeyNotFoundException($"no user {userId}");
            }

            user.OnQueue = onQueue;
            RouteWaiting();
        }
    }

    public void SetNotResponding(string userId, bool notResponding)
    {
        lock (Gate)
        {
            Users[userId].NotResponding = notResponding;
            RouteWaiting();
        }
    }

    /// <summary>Which reading of Corrections 2 the observations query serves (see AnalyticsApi); switchable in tests.</summary>
    public bool ObservationUserMetricsPerMediaType { get; set; }

    /// <summary>IDLE, INTERACTING, NOT_RESPONDING or OFF_QUEUE, as the queue members API and observations report it.</summary>
    public string RoutingStatus(User user) =>
        !user.OnQueue ? "OFF_QUEUE"
        : user.NotResponding ? "NOT_RESPONDING"
        : Conversations.Values.Any(c => !c.Ended && c.AgentUserId == user.Id) ? "INTERACTING"
        : "IDLE";

    // ---- What providers sent ----------------------------------------------------------------------------

    public void Receive(string kind, string integrationId, JsonObject body, string? conversationId)
    {
        _received.Add(new ReceivedItem(kind, integrationId, Now, (JsonObject)body.DeepClone(), conversationId));
    }

    public IReadOnlyList<ReceivedItem> Received(string? kind)
    {
        lock (Gate)
        {
            return _received.Where(r => kind is null || r.Kind == kind).ToList();
        }
    }
}

using System.Text.Json.Nodes;
using PolyAi.Messaging.GenesysSimulator.Http;
using PolyAi.Messaging.GenesysSimulator.World;

namespace PolyAi.Messaging.GenesysSimulator;

/// <summary>The test-only control surface: the same operations as the <c>/_sim/</c> HTTP API, in-process.</summary>
public sealed class SimulatorControl
{
    private const string DesktopAgentName = "Desktop Agent";
    private readonly Org _org;
    private readonly FaultBook _faults;

    internal SimulatorControl(Org org, FaultBook faults)
    {
        _org = org;
        _faults = faults;
    }

    /// <summary>An admin OAuth client whose role grants every permission.</summary>
    public SeededOrg SeedOrg() => _org.SeedOrg();

    /// <summary>
    /// An OAuth client whose one role grants exactly <paramref name="permissions"/> (<c>domain:entity:action</c>,
    /// <c>*</c> allowed in each part): an admin with less than everything.
    /// </summary>
    public SeededOrg AddClient(string name, IReadOnlyList<string> permissions)
    {
        lock (_org.Gate)
        {
            var policies = permissions.Select(p => p.Split(':')).Select(p => new PermissionPolicy(p[0], p[1], [p[2]])).ToList();
            var role = new Role { Id = Ids.Entity(), Name = $"{name} role", Policies = policies };
            _org.Roles[role.Id] = role;
            var client = _org.AddClient(name, null, 86400, [new RoleDivision(role.Id, _org.HomeDivisionId)]);
            return new SeededOrg(_org.OrganizationId, _org.HomeDivisionId, client.Id, client.Secret);
        }
    }

    /// <summary>What an admin does in Admin &gt; Integrations &gt; OAuth &gt; client &gt; Roles: the client now holds the role.</summary>
    public void AssignRole(string clientId, string roleId)
    {
        lock (_org.Gate)
        {
            var client = _org.Clients[clientId];
            if (!client.RoleDivisions.Any(rd => rd.RoleId == roleId))
            {
                client.RoleDivisions.Add(new RoleDivision(roleId, _org.HomeDivisionId));
            }
        }
    }

    /// <summary>The OAuth clients of the org: (id, name, role ids).</summary>
    public IReadOnlyList<(string Id, string Name, IReadOnlyList<string> RoleIds)> Clients()
    {
        lock (_org.Gate)
        {
            return _org.Clients.Values.Select(c => (c.Id, c.Name, (IReadOnlyList<string>)c.RoleDivisions.Select(rd => rd.RoleId).ToList())).ToList();
        }
    }

    /// <summary>Role, admin client, typing setting, completed integration, queue, published flow bound to the recipient, agents.</summary>
    public SeededWorld SeedWorld(WorldSeed seed) => _org.SeedWorld(seed);

    /// <summary>A simulated agent, member of the queue and joined; on queue unless the script says otherwise. Returns the user id.</summary>
    public string AddAgent(string queueId, AgentScript script) => _org.AddAgent(queueId, script);

    public void SetOnQueue(string userId, bool onQueue) => _org.SetOnQueue(userId, onQueue);

    /// <summary>The agent stays on queue but stops answering alerts (routing status NOT_RESPONDING).</summary>
    public void SetNotResponding(string userId, bool notResponding) => _org.SetNotResponding(userId, notResponding);

    /// <summary>Switches the reading of Corrections 2 the observations query serves (see the options).</summary>
    public bool ObservationUserMetricsPerMediaType
    {
        get => _org.ObservationUserMetricsPerMediaType;
        set => _org.ObservationUserMetricsPerMediaType = value;
    }

    public string AddFault(FaultRule rule) => _faults.Add(rule);

    public void ClearFaults() => _faults.Clear();

    public string AddWebhookFault(WebhookFault fault) => _org.Webhooks.AddFault(fault);

    public void ClearWebhookFaults() => _org.Webhooks.ClearFaults();

    /// <summary>The API calls made as one OAuth client (the newest 100,000 of all clients are kept), oldest first.</summary>
    public IReadOnlyList<ApiCall> ApiCalls(string clientId) => _org.ApiCalls(clientId);

    /// <summary>The live notification channels: topics, open (and silenced) sockets, connections so far.</summary>
    public IReadOnlyList<NotificationChannelInfo> NotificationChannels() => _org.Notifications.Describe();

    /// <summary>
    /// What Genesys does before maintenance: <c>v2.system.socket_closing</c> on every open notification socket, then
    /// the socket closes. The channels and their topics live on, so a client reconnects to the same <c>connectUri</c>.
    /// </summary>
    /// <returns>How many sockets were closed.</returns>
    public int CloseNotificationSockets() => _org.Notifications.CloseSockets();

    /// <summary>
    /// The open notification sockets stay open but nothing more reaches them (no events, heartbeats or pongs): a
    /// connection that died without a close. Connections made afterwards are not affected.
    /// </summary>
    /// <returns>How many sockets went silent.</returns>
    public int SilenceNotificationSockets() => _org.Notifications.SilenceSockets();

    /// <summary>Every notification channel ends now as at the end of its 24 h: socket_closing, close, gone (404).</summary>
    /// <returns>How many channels ended.</returns>
    public int ExpireNotificationChannels() => _org.Notifications.ExpireAll();

    /// <summary>Every token issued so far answers 401 from now on.</summary>
    public void ExpireAllTokens() => _org.ExpireAllTokens();

    /// <summary>What providers sent to the inbound APIs (kind: message, event, receipt, structured), in order.</summary>
    public IReadOnlyList<ReceivedItem> Received(string? kind = null) => _org.Received(kind);

    /// <summary>Every outbound webhook with its delivery attempts, in the order they were queued.</summary>
    public IReadOnlyList<WebhookDelivery> Webhooks() => _org.Webhooks.Deliveries();

    public IReadOnlyList<JsonObject> Conversations()
    {
        lock (_org.Gate)
        {
            return _org.Conversations.Values.OrderBy(c => c.StartTime).Select(Describe).ToList();
        }
    }

    public JsonObject? Conversation(string conversationId)
    {
        lock (_org.Gate)
        {
            return _org.Conversations.TryGetValue(conversationId, out var c) ? Describe(c) : null;
        }
    }

    /// <summary>The assigned agent accepts; a conversation waiting with nobody assigned is taken by the desktop agent.</summary>
    public bool Accept(string conversationId)
    {
        lock (_org.Gate)
        {
            if (!_org.Conversations.TryGetValue(conversationId, out var conversation) || conversation.Ended)
            {
                return false;
            }

            if (conversation.Agent is null && conversation.QueueId is { } queueId)
            {
                var desktop = _org.Users.Values.FirstOrDefault(u => u.Name == DesktopAgentName)
                    ?? new User { Id = Ids.Entity(), Name = DesktopAgentName, Script = new AgentScript { Manual = true, OnQueue = false } };
                _org.Users[desktop.Id] = desktop;
                _org.Queues[queueId].Members.TryAdd(desktop.Id, new QueueMember { Joined = true });
                conversation.AgentUserId = desktop.Id;
                conversation.Participants.Add(new Participant
                {
                    Id = Ids.Entity(),
                    Purpose = "agent",
                    Name = desktop.Name,
                    State = "alerting",
                    StartTime = _org.Now,
                    UserId = desktop.Id,
                    QueueId = queueId,
                });
            }

            return _org.Accept(conversation);
        }
    }

    public bool Reply(string conversationId, string text)
    {
        lock (_org.Gate)
        {
            return _org.Conversations.TryGetValue(conversationId, out var c) && _org.AgentText(c, text) is not null;
        }
    }

    public bool Typing(string conversationId)
    {
        lock (_org.Gate)
        {
            return _org.Conversations.TryGetValue(conversationId, out var c) && _org.AgentTyping(c);
        }
    }

    /// <summary>The agent ends the conversation (or, with no agent yet, the queue gives up on it).</summary>
    public bool End(string conversationId)
    {
        lock (_org.Gate)
        {
            if (!_org.Conversations.TryGetValue(conversationId, out var c) || c.Ended)
            {
                return false;
            }

            _org.Disconnect(c, c.Agent ?? c.Acd, "client");
            return true;
        }
    }

    private JsonObject Describe(Conversation c)
    {
        var json = Org.ConversationJson(c);
        json["integrationId"] = c.IntegrationId;
        json["customerId"] = c.CustomerId;
        json["customerName"] = c.CustomerNickname ?? c.Customer.Name;
        json["queueId"] = c.QueueId;
        json["agentUserId"] = c.AgentUserId;
        json["readable"] = _org.Now - c.StartTime >= _org.Options.ConversationReadableDelay; // GET conversation serves it (Corrections 5)
        json["state"] = c.Ended ? "ended" : c.Agent is { State: "connected" } ? "active" : c.Agent is { State: "alerting" } ? "alerting" : c.QueueId is null ? "unrouted" : "waiting";
        json["transcript"] = new JsonArray(c.Messages.Select(m => (JsonNode)new JsonObject
        {
            ["id"] = m.Id,
            ["direction"] = m.Direction,
            ["type"] = m.Type,
            ["text"] = m.Text,
            ["time"] = Iso.Format(m.Time),
            ["status"] = m.Status,
        }).ToArray());
        return json;
    }
}

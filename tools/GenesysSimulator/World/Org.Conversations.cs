using System.Text.Json.Nodes;
using System.Threading.Channels;

namespace PolyAi.Messaging.GenesysSimulator.World;

/// <summary>The conversation world: inbound message → recipient → flow → queue → agent → outbound webhooks.</summary>
internal sealed partial class Org
{
    /// <summary>A validated inbound message (or structured response) from a provider.</summary>
    public sealed record Inbound(string FromId, string FromIdType, JsonObject From, string? Text, JsonArray? Content, string Time, string? ProviderMessageId, JsonObject? CustomAttributes, string Type);

    /// <summary>Adds a customer message, joining the customer's active conversation or starting a new one.</summary>
    public (Conversation Conversation, ConversationMessage Message) AcceptInbound(Integration integration, Inbound inbound)
    {
        lock (Gate)
        {
            // Only with DedupeInboundMessages: (channel.messageId, channel.time) identifies a provider message and a
            // retried send is answered with the message already received. Genesys does not document this
            // (Corrections 6), so by default a resend is a second message, as the product must assume.
            if (Options.DedupeInboundMessages
                && inbound.ProviderMessageId is { } providerId
                && Conversations.Values
                    .Where(c => c.IntegrationId == integration.Id && c.CustomerId == inbound.FromId)
                    .SelectMany(c => c.Messages.Select(m => (Conversation: c, Message: m)))
                    .FirstOrDefault(x => x.Message.Direction == "Inbound"
                        && (string?)x.Message.Normalized["channel"]?["messageId"] == providerId
                        && (string?)x.Message.Normalized["channel"]?["time"] == inbound.Time) is { Message: not null } duplicate)
            {
                return duplicate;
            }

            var conversation = Conversations.Values.FirstOrDefault(c => !c.Ended && c.IntegrationId == integration.Id && c.CustomerId == inbound.FromId);
            var isNew = conversation is null;
            conversation ??= StartConversation(integration, inbound);

            var id = Ids.Message();
            var channel = new JsonObject
            {
                ["id"] = integration.Id,
                ["platform"] = "Open",
                ["type"] = "Private",
                ["to"] = new JsonObject { ["id"] = integration.Id },
                ["from"] = inbound.From.DeepClone(),
                ["time"] = inbound.Time,
            };
            if (inbound.ProviderMessageId is not null)
            {
                channel["messageId"] = inbound.ProviderMessageId;
            }

            var normalized = new JsonObject { ["id"] = id, ["channel"] = channel, ["type"] = inbound.Type };
            if (inbound.Text is not null)
            {
                normalized["text"] = inbound.Text;
            }

            if (inbound.Content is not null)
            {
                normalized["content"] = inbound.Content.DeepClone();
            }

            normalized["direction"] = "Inbound";
            var message = new ConversationMessage { Id = id, Direction = "Inbound", Type = inbound.Type, Text = inbound.Text, Time = Now, Normalized = normalized, Status = "received" };
            conversation.Messages.Add(message);

            if (isNew)
            {
                RouteThroughFlow(conversation, integration);
            }
            else if (conversation.Agent is { State: "connected" })
            {
                DeliverToAgent(conversation, message);
                conversation.AgentSignals?.Writer.TryWrite(true);
            }

            PublishQueueTopic(conversation);
            return (conversation, message);
        }
    }

    private Conversation StartConversation(Integration integration, Inbound inbound)
    {
        var now = Now;
        var conversation = new Conversation
        {
            Id = Ids.Entity(),
            IntegrationId = integration.Id,
            CustomerId = inbound.FromId,
            CustomerIdType = inbound.FromIdType,
            CustomerNickname = (string?)inbound.From["nickname"],
            StartTime = now,
            CustomAttributes = inbound.CustomAttributes,
        };
        var name = string.Join(' ', new[] { (string?)inbound.From["firstName"], (string?)inbound.From["lastName"] }.Where(s => !string.IsNullOrEmpty(s)));
        conversation.Participants.Add(new Participant
        {
            Id = Ids.Entity(),
            Purpose = "customer",
            Name = name.Length > 0 ? name : inbound.FromId,
            StartTime = now,
            ConnectedTime = now,
            Address = inbound.FromId,
        });
        Conversations[conversation.Id] = conversation;
        return conversation;
    }

    /// <summary>The recipient's published inbound message flow transfers to its ACD queue; without one the conversation goes nowhere.</summary>
    private void RouteThroughFlow(Conversation conversation, Integration integration)
    {
        var flow = Recipients.GetValueOrDefault(integration.Id)?.FlowId is { } flowId ? Flows.GetValueOrDefault(flowId) : null;
        var queue = flow?.PublishedAsOf(Now) is not null ? Queues.Values.FirstOrDefault(q => q.Name == flow.TargetQueueName) : null;
        if (queue is null)
        {
            LogNoFlow(Logger, conversation.Id, integration.Id);
            return;
        }

        var now = Now;
        conversation.QueueId = queue.Id;
        conversation.Participants.Add(new Participant { Id = Ids.Entity(), Purpose = "acd", Name = queue.Name, StartTime = now, ConnectedTime = now, QueueId = queue.Id });
        RouteWaiting();
    }

    /// <summary>Offers conversations waiting in queue to on-queue, joined members, least busy first.</summary>
    public void RouteWaiting()
    {
        var waiting = Conversations.Values.Where(c => c.WaitingInQueue).OrderBy(c => c.StartTime).ToList();
        if (waiting.Count == 0)
        {
            return;
        }

        // Each agent's open conversations, counted once per call (not once per candidate: at 100,000 conversations
        // that was the simulator's whole CPU), and kept up to date as this call offers.
        var load = new Dictionary<string, int>(StringComparer.Ordinal);
        foreach (var open in Conversations.Values)
        {
            if (!open.Ended && open.AgentUserId is { } userId)
            {
                load[userId] = load.GetValueOrDefault(userId) + 1;
            }
        }

        foreach (var conversation in waiting)
        {
            var queue = Queues[conversation.QueueId!];
            var agent = queue.Members
                .Where(m => m.Value.Joined)
                .Select(m => Users.GetValueOrDefault(m.Key))
                .OfType<User>()
                .Where(u => u.OnQueue && !u.NotResponding)
                .OrderBy(u => load.GetValueOrDefault(u.Id))
                .FirstOrDefault();
            if (agent is not null)
            {
                Offer(conversation, agent);
                load[agent.Id] = load.GetValueOrDefault(agent.Id) + 1;
            }
        }
    }

    private void Offer(Conversation conversation, User user)
    {
        conversation.AgentUserId = user.Id;
        conversation.Participants.Add(new Participant
        {
            Id = Ids.Entity(),
            Purpose = "agent",
            Name = user.Name,
            State = "alerting",
            StartTime = Now,
            UserId = user.Id,
            QueueId = conversation.QueueId,
        });
        PublishQueueTopic(conversation);
        if (!user.Script.Manual)
        {
            var signals = Channel.CreateUnbounded<bool>(new UnboundedChannelOptions { SingleReader = true });
            conversation.AgentSignals = signals;
            _ = Task.Run(() => RunAgentAsync(conversation, user, signals.Reader));
        }
    }

    /// <summary>The agent accepts: agent connected, ACD leg ends by transfer, messages so far are delivered to the agent.</summary>
    public bool Accept(Conversation conversation)
    {
        if (conversation.Ended || conversation.Agent is not { State: "alerting" } agent)
        {
            return false;
        }

        var now = Now;
        agent.State = "connected";
        agent.ConnectedTime = now;
        if (conversation.Acd is { IsEnded: false } acd)
        {
            EndParticipant(conversation, acd, "transfer");
        }

        foreach (var message in conversation.Messages.Where(m => m.Direction == "Inbound" && !m.DeliveredToAgent))
        {
            DeliverToAgent(conversation, message);
        }

        conversation.AgentSignals?.Writer.TryWrite(true);
        PublishQueueTopic(conversation);
        return true;
    }

    private void DeliverToAgent(Conversation conversation, ConversationMessage message)
    {
        message.DeliveredToAgent = true;
        if (!Options.InboundReceiptWebhooks || !Integrations.TryGetValue(conversation.IntegrationId, out var integration))
        {
            return;
        }

        var channel = OutboundChannel(conversation, integration, (string?)message.Normalized["channel"]?["messageId"]);
        SendWebhook(conversation, integration, new JsonObject
        {
            ["id"] = message.Id,
            ["channel"] = channel,
            ["conversationId"] = conversation.Id,
            ["type"] = "Receipt",
            ["status"] = "Delivered",
            ["isFinalReceipt"] = true,
            ["direction"] = "Inbound",
        });
    }

    public bool AgentTyping(Conversation conversation)
    {
        if (conversation.Ended || conversation.Agent is not { State: "connected" } || !Integrations.TryGetValue(conversation.IntegrationId, out var integration))
        {
            return false;
        }

        var setting = integration.MessagingSettingId is { } settingId ? Settings.GetValueOrDefault(settingId) : null;
        if (setting?.Typing("outbound") != true)
        {
            return true; // Typing is off by default: Genesys sends nothing.
        }

        var id = Ids.Message();
        var channel = OutboundChannel(conversation, integration, id);
        channel["to"] = new JsonObject { ["id"] = conversation.CustomerId };
        SendWebhook(conversation, integration, new JsonObject
        {
            ["id"] = id,
            ["channel"] = channel,
            ["type"] = "Event",
            ["events"] = new JsonArray(new JsonObject
            {
                ["eventType"] = "Typing",
                ["typing"] = new JsonObject { ["type"] = "On", ["duration"] = 5000 },
            }),
            ["direction"] = "Outbound",
        });
        return true;
    }

    public ConversationMessage? AgentText(Conversation conversation, string text)
    {
        if (conversation.Ended || conversation.Agent is not { State: "connected" } || !Integrations.TryGetValue(conversation.IntegrationId, out var integration))
        {
            return null;
        }

        var id = Ids.Message();
        var body = new JsonObject
        {
            ["id"] = id,
            ["channel"] = OutboundChannel(conversation, integration, id),
            ["conversationId"] = conversation.Id,
            ["direction"] = "Outbound",
            ["originatingEntity"] = "Human",
            ["type"] = "Text",
            ["text"] = text,
        };
        var message = new ConversationMessage { Id = id, Direction = "Outbound", Type = "Text", Text = text, Time = Now, Normalized = body, Status = "sent" };
        conversation.Messages.Add(message);
        conversation.AgentRepliesSent++;
        SendWebhook(conversation, integration, body);
        PublishQueueTopic(conversation);
        return message;
    }

    private JsonObject OutboundChannel(Conversation conversation, Integration integration, string? messageId)
    {
        var channel = new JsonObject
        {
            ["id"] = integration.Id,
            ["platform"] = "Open",
            ["type"] = "Private",
            ["to"] = new JsonObject { ["id"] = conversation.CustomerId, ["idType"] = conversation.CustomerIdType },
            ["from"] = new JsonObject { ["nickname"] = integration.Name, ["id"] = integration.Id, ["idType"] = "Opaque" },
            ["time"] = Iso.Format(Now),
        };
        if (messageId is not null)
        {
            channel["messageId"] = messageId;
        }

        return channel;
    }

    private void SendWebhook(Conversation conversation, Integration integration, JsonObject body) =>
        Webhooks.Enqueue(integration.WebhookUrl, integration.Secret, integration.WebhookHeaders, conversation.Id, body);

    /// <summary>
    /// Ends the conversation: the initiating participant disconnects with <paramref name="disconnectType"/>, everyone
    /// else with <c>peer</c>. Each participant's end is published on its detail-events topic.
    /// </summary>
    public void Disconnect(Conversation conversation, Participant? initiator, string disconnectType)
    {
        if (conversation.Ended)
        {
            return;
        }

        if (initiator is { IsEnded: false })
        {
            EndParticipant(conversation, initiator, disconnectType);
        }

        foreach (var participant in conversation.Participants.Where(p => !p.IsEnded).ToList())
        {
            EndParticipant(conversation, participant, initiator is null ? disconnectType : "peer");
        }

        conversation.Ended = true;
        conversation.AgentSignals?.Writer.TryComplete();
        PublishQueueTopic(conversation);
        RouteWaiting();
    }

    private void EndParticipant(Conversation conversation, Participant participant, string disconnectType)
    {
        participant.State = "disconnected";
        participant.EndTime = Now;
        participant.DisconnectType = disconnectType;
        var kind = participant.Purpose switch { "agent" => "user", "acd" => "acd", _ => "customer" };
        Notifications.Publish($"v2.detail.events.conversation.{conversation.Id}.{kind}.end", new JsonObject
        {
            ["eventTime"] = Now.ToUnixTimeMilliseconds(),
            ["conversationId"] = conversation.Id,
            ["participantId"] = participant.Id,
            ["sessionId"] = participant.Id,
            ["mediaType"] = "MESSAGE",
            ["messageType"] = "OPEN",
            ["direction"] = "INBOUND",
            ["disconnectType"] = disconnectType.ToUpperInvariant(),
            ["queueId"] = participant.QueueId ?? conversation.QueueId,
            ["userId"] = participant.UserId,
            ["divisionId"] = HomeDivisionId,
        });
    }

    private void PublishQueueTopic(Conversation conversation)
    {
        if (conversation.QueueId is { } queueId)
        {
            Notifications.Publish($"v2.routing.queues.{queueId}.conversations.messages", ConversationJson(conversation));
        }
    }

    private async Task RunAgentAsync(Conversation conversation, User user, ChannelReader<bool> signals)
    {
        var script = user.Script;
        try
        {
            await Task.Delay(TimeSpan.FromMilliseconds(script.AcceptDelayMs), Time, Stopping);
            lock (Gate)
            {
                if (conversation.AgentUserId != user.Id || !Accept(conversation))
                {
                    return;
                }
            }

            await foreach (var _ in signals.ReadAllAsync(Stopping))
            {
                if (script.TypingBeforeReply)
                {
                    lock (Gate)
                    {
                        if (!AgentTyping(conversation))
                        {
                            return;
                        }
                    }
                }

                await Task.Delay(TimeSpan.FromMilliseconds(script.ReplyDelayMs), Time, Stopping);
                lock (Gate)
                {
                    IReadOnlyList<string> replies = script.Replies is { Count: > 0 } scripted ? scripted : ["Hello, this is a human agent."];
                    if (AgentText(conversation, replies[conversation.AgentRepliesSent % replies.Count]) is null)
                    {
                        return;
                    }

                    if (script.EndAfterMessages is { } limit && conversation.AgentRepliesSent >= limit)
                    {
                        Disconnect(conversation, conversation.Agent, "client");
                        return;
                    }
                }
            }
        }
        catch (OperationCanceledException) when (Stopping.IsCancellationRequested)
        {
        }
    }

    // ---- Wire shape shared by GET conversation and the queue topic ----------------------------------------

    public static JsonObject ConversationJson(Conversation conversation)
    {
        var participants = new JsonArray();
        foreach (var p in conversation.Participants)
        {
            var json = new JsonObject
            {
                ["id"] = p.Id,
                ["name"] = p.Name,
                ["startTime"] = Iso.Format(p.StartTime),
                ["purpose"] = p.Purpose,
                ["state"] = p.State,
                ["direction"] = "inbound",
                ["held"] = false,
                ["type"] = "open",
            };
            if (p.ConnectedTime is { } connected)
            {
                json["connectedTime"] = Iso.Format(connected);
            }

            if (p.EndTime is { } end)
            {
                json["endTime"] = Iso.Format(end);
            }

            if (p.DisconnectType is { } disconnectType)
            {
                json["disconnectType"] = disconnectType;
            }

            if (p.QueueId is { } queueId)
            {
                json["queue"] = new JsonObject { ["id"] = queueId, ["selfUri"] = $"/api/v2/routing/queues/{queueId}" };
            }

            if (p.UserId is { } userId)
            {
                json["user"] = new JsonObject { ["id"] = userId, ["selfUri"] = $"/api/v2/users/{userId}" };
            }

            if (p.Purpose == "customer")
            {
                json["fromAddress"] = new JsonObject { ["addressNormalized"] = conversation.CustomerId };
                json["toAddress"] = new JsonObject { ["addressNormalized"] = conversation.IntegrationId };
                if (conversation.CustomAttributes is not null)
                {
                    // Participant attributes are string → string (Corrections 9): what is not a string is shown as text.
                    var attributes = new JsonObject();
                    foreach (var (name, value) in conversation.CustomAttributes)
                    {
                        attributes[name] = value is JsonValue v && v.TryGetValue<string>(out var text) ? text : value?.ToJsonString();
                    }

                    json["attributes"] = attributes;
                }
            }

            var direction = p.Purpose == "customer" ? "Inbound" : p.Purpose == "agent" ? "Outbound" : null;
            json["messages"] = new JsonArray(conversation.Messages
                .Where(m => m.Direction == direction)
                .Select(m => (JsonNode)new JsonObject
                {
                    ["messageId"] = m.Id,
                    ["messageURI"] = $"/api/v2/conversations/messages/{m.Id}/details",
                    ["messageStatus"] = MessageDetailsStatus(m.Status),
                    ["messageSegmentCount"] = 1,
                    ["messageTime"] = Iso.Format(m.Time),
                })
                .ToArray());
            if (p.Purpose == "agent" && conversation.ErrorInfo is { } error)
            {
                json["errorInfo"] = new JsonObject { ["code"] = "GeneralError", ["message"] = error };
            }

            participants.Add(json);
        }

        return new JsonObject
        {
            ["id"] = conversation.Id,
            ["participants"] = participants,
            ["otherMediaUris"] = new JsonArray(),
            ["selfUri"] = $"/api/v2/conversations/messages/{conversation.Id}",
        };
    }

    /// <summary>A participant's <c>messages[].messageStatus</c> (MessageDetails) knows only queued, sent, failed and received.</summary>
    private static string MessageDetailsStatus(string status) => status switch
    {
        "delivery-success" or "read" or "published" => "sent",
        "delivery-failed" or "removed" => "failed",
        _ => status,
    };

    [LoggerMessage(Level = LogLevel.Warning, Message = "Conversation {ConversationId}: integration {IntegrationId} has no published flow with an existing queue")]
    private static partial void LogNoFlow(ILogger logger, string conversationId, string integrationId);
}

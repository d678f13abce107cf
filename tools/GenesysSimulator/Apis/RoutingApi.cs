using Microsoft.AspNetCore.Http.HttpResults;
using System.Text.Json.Nodes;
using PolyAi.Messaging.GenesysSimulator.Http;
using PolyAi.Messaging.GenesysSimulator.World;
using static PolyAi.Messaging.GenesysSimulator.Http.RequestBody;

namespace PolyAi.Messaging.GenesysSimulator.Apis;

/// <summary>Queues, queue members and message routing recipients (genesys-facts §6).</summary>
internal static class RoutingApi
{
    public static void MapRoutingApi(this IEndpointRouteBuilder app)
    {
        var routing = app.MapGroup("/api/v2/routing");
        routing.MapPost("/queues", CreateQueue).Requires(Permissions.QueueAdd);
        routing.MapGet("/queues", ListQueues).Requires(Permissions.QueueView);
        routing.MapGet("/queues/{queueId}", GetQueue).Requires(Permissions.QueueView);
        routing.MapPost("/queues/{queueId}/members", AddMembers).Requires(Permissions.QueueEdit, Permissions.QueueMemberManage);
        routing.MapPatch("/queues/{queueId}/members", JoinMembers).Requires(Permissions.QueueEdit, Permissions.QueueMemberManage);
        routing.MapGet("/queues/{queueId}/members", ListMembers).Requires(Permissions.QueueView);

        routing.MapGet("/message/recipients", ListRecipients).Requires(Permissions.MessageRoutingManage);
        routing.MapGet("/message/recipients/{recipientId}", GetRecipient).Requires(Permissions.MessageRoutingManage);
        routing.MapPut("/message/recipients/{recipientId}", PutRecipient).Requires(Permissions.MessageRoutingManage);
    }

    private static async Task<JsonHttpResult<JsonObject>> CreateQueue(HttpRequest request, Org org)
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

        lock (org.Gate)
        {
            if (String(body["division"]?["id"]) is { } divisionId && divisionId != org.HomeDivisionId)
            {
                return GenesysErrors.BadRequest($"Division {divisionId} not found.");
            }

            if (org.Queues.Values.Any(q => string.Equals(q.Name, name, StringComparison.OrdinalIgnoreCase)))
            {
                return GenesysErrors.Result(409, "general.conflict", $"A queue with the name {name} already exists.");
            }

            return Pages.Json(QueueJson(org, org.AddQueue(name, body["mediaSettings"]?.DeepClone() as JsonObject)));
        }
    }

    private static JsonHttpResult<JsonObject> ListQueues(HttpRequest request, string? name, int? pageSize, int? pageNumber, Org org)
    {
        lock (org.Gate)
        {
            var queues = org.Queues.Values.Where(q => name is null || Pages.NameMatches(name, q.Name));
            return Pages.Of(queues.Select(q => (JsonNode)QueueJson(org, q)), pageSize ?? 25, pageNumber ?? 1, request);
        }
    }

    private static JsonHttpResult<JsonObject> GetQueue(string queueId, Org org)
    {
        lock (org.Gate)
        {
            return org.Queues.TryGetValue(queueId, out var queue) ? Pages.Json(QueueJson(org, queue)) : GenesysErrors.NotFound($"Queue {queueId} not found.");
        }
    }

    private static async Task<Results<Ok, JsonHttpResult<JsonObject>>> AddMembers(string queueId, bool? delete, HttpRequest request, Org org)
    {
        var (body, error) = await ReadAsync(request);
        if (error is not null)
        {
            return error;
        }

        if (body is not JsonArray { Count: <= 100 } members)
        {
            return GenesysErrors.BadRequest("The body must be an array of at most 100 members.");
        }

        lock (org.Gate)
        {
            if (!org.Queues.TryGetValue(queueId, out var queue))
            {
                return GenesysErrors.NotFound($"Queue {queueId} not found.");
            }

            var ids = members.Select(m => String(m?["id"])).ToList();
            if (ids.Any(id => id is null || !org.Users.ContainsKey(id)))
            {
                return GenesysErrors.BadRequest($"User {ids.First(id => id is null || !org.Users.ContainsKey(id))} not found.");
            }

            foreach (var id in ids.OfType<string>())
            {
                if (delete == true)
                {
                    queue.Members.Remove(id);
                }
                else
                {
                    queue.Members.TryAdd(id, new QueueMember { Joined = true });
                }
            }

            org.RouteWaiting();
            return TypedResults.Ok();
        }
    }

    private static async Task<Results<Accepted, JsonHttpResult<JsonObject>>> JoinMembers(string queueId, HttpRequest request, Org org)
    {
        var (body, error) = await ReadAsync(request);
        if (error is not null)
        {
            return error;
        }

        if (body is not JsonArray members)
        {
            return GenesysErrors.BadRequest("The body must be an array of members.");
        }

        lock (org.Gate)
        {
            if (!org.Queues.TryGetValue(queueId, out var queue))
            {
                return GenesysErrors.NotFound($"Queue {queueId} not found.");
            }

            foreach (var member in members)
            {
                var id = String(member?["id"]);
                if (id is null || !queue.Members.TryGetValue(id, out var entry))
                {
                    return GenesysErrors.BadRequest($"User {id} is not a member of queue {queueId}.");
                }

                entry.Joined = member!["joined"] is JsonValue joined && joined.TryGetValue<bool>(out var value) ? value : entry.Joined;
            }

            org.RouteWaiting();
            return TypedResults.Accepted((string?)null);
        }
    }

    private static JsonHttpResult<JsonObject> ListMembers(HttpRequest request, string queueId, bool? joined, string? expand, int? pageSize, int? pageNumber, Org org)
    {
        lock (org.Gate)
        {
            if (!org.Queues.TryGetValue(queueId, out var queue))
            {
                return GenesysErrors.NotFound($"Queue {queueId} not found.");
            }

            var withStatus = expand?.Contains("routingStatus", StringComparison.Ordinal) == true;
            var members = queue.Members
                .Where(m => joined is null || m.Value.Joined == joined)
                .Select(m => (User: org.Users[m.Key], m.Value.Joined))
                .Select(m =>
                {
                    var json = new JsonObject
                    {
                        ["id"] = m.User.Id,
                        ["name"] = m.User.Name,
                        ["user"] = Pages.Ref(m.User.Id, $"/api/v2/users/{m.User.Id}", m.User.Name),
                        ["ringNumber"] = 1,
                        ["joined"] = m.Joined,
                        ["memberBy"] = "user",
                    };
                    if (withStatus)
                    {
                        json["routingStatus"] = new JsonObject { ["userId"] = m.User.Id, ["status"] = org.RoutingStatus(m.User), ["startTime"] = Iso.Format(org.Now) };
                    }

                    json["selfUri"] = $"/api/v2/users/{m.User.Id}";
                    return (JsonNode)json;
                });
            return Pages.Of(members, pageSize ?? 25, pageNumber ?? 1, request);
        }
    }

    private static JsonHttpResult<JsonObject> ListRecipients(HttpRequest request, string? messengerType, int? pageSize, int? pageNumber, Org org)
    {
        lock (org.Gate)
        {
            var recipients = messengerType is null or "open" ? VisibleRecipients(org) : [];
            return Pages.Of(recipients.Select(r => (JsonNode)RecipientJson(org, r)), pageSize ?? 25, pageNumber ?? 1, request);
        }
    }

    private static JsonHttpResult<JsonObject> GetRecipient(string recipientId, Org org)
    {
        lock (org.Gate)
        {
            return VisibleRecipients(org).FirstOrDefault(r => r.Id == recipientId) is { } recipient
                ? Pages.Json(RecipientJson(org, recipient))
                : GenesysErrors.NotFound($"Recipient {recipientId} not found.");
        }
    }

    private static async Task<JsonHttpResult<JsonObject>> PutRecipient(string recipientId, HttpRequest request, Org org)
    {
        var (body, error) = await ReadObjectAsync(request);
        if (error is not null)
        {
            return error;
        }

        lock (org.Gate)
        {
            if (VisibleRecipients(org).FirstOrDefault(r => r.Id == recipientId) is not { } recipient)
            {
                return GenesysErrors.NotFound($"Recipient {recipientId} not found.");
            }

            if (body!["flow"] is JsonObject flowRef)
            {
                var flowId = String(flowRef["id"]);
                if (flowId is null || !org.Flows.TryGetValue(flowId, out var flow))
                {
                    return GenesysErrors.BadRequest($"Flow {flowId} not found.");
                }

                if (flow.PublishedAsOf(org.Now) is null)
                {
                    return GenesysErrors.BadRequest($"Flow {flowId} has no published version.");
                }

                recipient.FlowId = flow.Id;
            }
            else if (body.ContainsKey("flow"))
            {
                recipient.FlowId = null;
            }

            return Pages.Json(RecipientJson(org, recipient));
        }
    }

    private static List<Recipient> VisibleRecipients(Org org) =>
        org.Recipients.Values.Where(r => org.Integrations.TryGetValue(r.Id, out var i) && i.CreateStatus(org.Now) == "Completed").ToList();

    private static JsonObject RecipientJson(Org org, Recipient recipient) => new()
    {
        ["id"] = recipient.Id,
        ["name"] = recipient.Name,
        ["flow"] = recipient.FlowId is { } flowId && org.Flows.TryGetValue(flowId, out var flow) ? Pages.Ref(flow.Id, $"/api/v2/flows/{flow.Id}", flow.Name) : null,
        ["messengerType"] = "open",
        ["dateCreated"] = Iso.Format(recipient.DateCreated),
        ["selfUri"] = $"/api/v2/routing/message/recipients/{recipient.Id}",
    };

    private static JsonObject QueueJson(Org org, Queue queue) => new()
    {
        ["id"] = queue.Id,
        ["name"] = queue.Name,
        ["division"] = Pages.Ref(queue.DivisionId, $"/api/v2/authorization/divisions/{queue.DivisionId}", org.Options.HomeDivisionName),
        ["dateCreated"] = Iso.Format(queue.DateCreated),
        ["mediaSettings"] = queue.MediaSettings?.DeepClone() ?? new JsonObject(),
        ["memberCount"] = queue.Members.Count,
        ["userMemberCount"] = queue.Members.Count,
        ["joinedMemberCount"] = queue.Members.Count(m => m.Value.Joined),
        ["selfUri"] = $"/api/v2/routing/queues/{queue.Id}",
    };
}

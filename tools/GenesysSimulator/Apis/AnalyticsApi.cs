using Microsoft.AspNetCore.Http.HttpResults;
using System.Text.Json.Nodes;
using PolyAi.Messaging.GenesysSimulator.Http;
using PolyAi.Messaging.GenesysSimulator.World;
using static PolyAi.Messaging.GenesysSimulator.Http.RequestBody;

namespace PolyAi.Messaging.GenesysSimulator.Apis;

/// <summary>Queue observations: who is on queue, who waits (genesys-facts §6).</summary>
internal static class AnalyticsApi
{
    private static readonly string[] Metrics =
        ["oActiveUsers", "oAlerting", "oInteracting", "oLongestInteracting", "oLongestWaiting", "oMemberUsers", "oOffQueueUsers", "oOnQueueUsers", "oUserPresences", "oUserRoutingStatuses", "oWaiting"];

    public static void MapAnalyticsApi(this IEndpointRouteBuilder app) =>
        app.MapPost("/api/v2/analytics/queues/observations/query", Query).Requires(Permissions.QueueObservationView);

    private static async Task<JsonHttpResult<JsonObject>> Query(HttpRequest request, Org org)
    {
        var (body, error) = await ReadObjectAsync(request);
        if (error is not null)
        {
            return error;
        }

        if (body!["filter"] is not JsonObject filter)
        {
            return GenesysErrors.BadRequest("filter: may not be null");
        }

        var metrics = (body["metrics"] as JsonArray)?.Select(String).OfType<string>().ToList() ?? [];
        if (metrics.FirstOrDefault(m => !Metrics.Contains(m)) is { } unknown)
        {
            return GenesysErrors.BadRequest($"Invalid metric {unknown}");
        }

        if (metrics.Count == 0)
        {
            metrics = [.. Metrics];
        }

        // detailMetrics (oWaiting, oInteracting, oAlerting): the point also lists the conversations behind the count.
        var details = (body["detailMetrics"] as JsonArray)?.Select(String).OfType<string>().ToList() ?? [];
        if (details.FirstOrDefault(m => m is not ("oWaiting" or "oInteracting" or "oAlerting")) is { } badDetail)
        {
            return GenesysErrors.BadRequest($"Invalid detail metric {badDetail}");
        }

        metrics = [.. metrics.Union(details)];

        var predicates = Predicates(filter).ToList();
        var queueIds = predicates.Where(p => p.Dimension == "queueId").Select(p => p.Value).Distinct().ToList();
        if (queueIds.Count == 0)
        {
            return GenesysErrors.BadRequest("The filter must contain at least one queueId predicate.");
        }

        var mediaType = predicates.FirstOrDefault(p => p.Dimension == "mediaType").Value;
        lock (org.Gate)
        {
            // Genesys groups user metrics (about agents) by queue alone and interaction metrics by queue and media type
            // (Corrections 2, probable): a query filtered on a media type gets no user metrics. With
            // ObservationUserMetricsPerMediaType the other reading holds: user metrics in the media type's group.
            var perMediaType = org.ObservationUserMetricsPerMediaType;
            var results = new JsonArray();
            foreach (var queueId in queueIds)
            {
                if (!org.Queues.TryGetValue(queueId, out var queue))
                {
                    continue;
                }

                var userMetrics = metrics.Where(UserMetrics.Contains).ToList();
                var mediaMetrics = metrics.Where(m => !UserMetrics.Contains(m)).ToList();
                if (!perMediaType && mediaType is null && userMetrics.Count > 0)
                {
                    results.Add(Group(org, queue, null, userMetrics, details));
                }

                var inMediaGroup = perMediaType ? metrics : mediaMetrics;
                if (inMediaGroup.Count > 0 && (mediaType is null or "message"))
                {
                    results.Add(Group(org, queue, "message", inMediaGroup, details));
                }
            }

            return Pages.Json(new JsonObject { ["results"] = results });
        }
    }

    private static readonly HashSet<string> UserMetrics =
        ["oActiveUsers", "oMemberUsers", "oOffQueueUsers", "oOnQueueUsers", "oUserPresences", "oUserRoutingStatuses"];

    private static JsonObject Group(Org org, Queue queue, string? mediaType, IReadOnlyList<string> metrics, IReadOnlyList<string> details)
    {
        var group = new JsonObject { ["queueId"] = queue.Id };
        if (mediaType is not null)
        {
            group["mediaType"] = mediaType;
        }

        var data = new JsonArray();
        foreach (var metric in metrics)
        {
            foreach (var (qualifier, count) in Observe(org, queue, metric))
            {
                var point = new JsonObject { ["metric"] = metric };
                if (qualifier is not null)
                {
                    point["qualifier"] = qualifier;
                }

                point["stats"] = new JsonObject { ["count"] = count };
                if (details.Contains(metric))
                {
                    point["observations"] = Observations(org, queue, metric);
                }

                data.Add(point);
            }
        }

        return new JsonObject { ["group"] = group, ["data"] = data };
    }

    private static IEnumerable<(string Dimension, string Value)> Predicates(JsonObject filter)
    {
        foreach (var predicate in filter["predicates"] as JsonArray ?? [])
        {
            if (String(predicate?["dimension"]) is { } dimension && String(predicate?["value"]) is { } value)
            {
                yield return (dimension, value);
            }
        }

        foreach (var clause in filter["clauses"] as JsonArray ?? [])
        {
            if (clause is JsonObject nested)
            {
                foreach (var p in Predicates(nested))
                {
                    yield return p;
                }
            }
        }
    }

    /// <summary>The conversations behind a detail metric (ObservationValue: observationDate, conversationId, addressFrom…).</summary>
    private static JsonArray Observations(Org org, Queue queue, string metric) =>
        new(org.Conversations.Values
            .Where(c => c.QueueId == queue.Id && !c.Ended)
            .Where(c => metric switch
            {
                "oWaiting" => c.Agent is null,
                "oAlerting" => c.Agent is { State: "alerting" },
                _ => c.Agent is { State: "connected" },
            })
            .OrderBy(c => c.StartTime)
            .Select(c => (JsonNode)new JsonObject
            {
                ["observationDate"] = Iso.Format(c.StartTime),
                ["conversationId"] = c.Id,
                ["sessionId"] = c.Id,
                ["direction"] = "inbound",
                ["participantName"] = c.CustomerNickname ?? c.Customer.Name,
                ["addressFrom"] = c.CustomerId,
                ["addressTo"] = c.IntegrationId,
                ["userId"] = c.AgentUserId,
                ["routingPriority"] = 0,
            })
            .ToArray());

    /// <summary>Counts for one metric; routing-status metrics have one point per status that has users.</summary>
    private static IEnumerable<(string? Qualifier, int Count)> Observe(Org org, Queue queue, string metric)
    {
        var joined = queue.Members.Where(m => m.Value.Joined).Select(m => org.Users[m.Key]).ToList();
        var conversations = org.Conversations.Values.Where(c => c.QueueId == queue.Id && !c.Ended).ToList();
        switch (metric)
        {
            case "oOnQueueUsers":
            case "oUserRoutingStatuses":
                var statuses = joined.Where(u => metric == "oUserRoutingStatuses" || u.OnQueue).GroupBy(org.RoutingStatus);
                foreach (var status in statuses)
                {
                    yield return (status.Key, status.Count());
                }

                break;
            case "oOffQueueUsers":
                yield return (null, joined.Count(u => !u.OnQueue));
                break;
            case "oActiveUsers":
                yield return (null, joined.Count);
                break;
            case "oMemberUsers":
                yield return (null, queue.Members.Count);
                break;
            case "oWaiting":
                yield return (null, conversations.Count(c => c.Agent is null));
                break;
            case "oAlerting":
                yield return (null, conversations.Count(c => c.Agent is { State: "alerting" }));
                break;
            case "oInteracting":
                yield return (null, conversations.Count(c => c.Agent is { State: "connected" }));
                break;
            default:
                yield return (null, 0);
                break;
        }
    }
}

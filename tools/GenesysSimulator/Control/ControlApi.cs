using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Http.HttpResults;

namespace PolyAi.Messaging.GenesysSimulator.Control;

internal sealed record IdAnswer(string Id);

internal sealed record OnQueueRequest(bool OnQueue);

internal sealed record ReplyRequest(string Text);

/// <summary>The <c>/_sim/</c> control API for tests and the desktop page. Unauthenticated: loopback only.</summary>
internal static class ControlApi
{
    public static void MapControlApi(this IEndpointRouteBuilder app)
    {
        var sim = app.MapGroup("/_sim");
        sim.MapPost("/org", (SimulatorControl control) => TypedResults.Ok(control.SeedOrg()));
        sim.MapPost("/world", SeedWorld);
        sim.MapPost("/queues/{queueId}/agents", AddAgent);
        sim.MapPut("/agents/{userId}/routing", SetRouting);
        sim.MapPost("/faults", (FaultRule rule, SimulatorControl control) => TypedResults.Ok(new IdAnswer(control.AddFault(rule))));
        sim.MapDelete("/faults", (SimulatorControl control) =>
        {
            control.ClearFaults();
            return TypedResults.NoContent();
        });
        sim.MapPost("/webhook-faults", AddWebhookFault);
        sim.MapDelete("/webhook-faults", (SimulatorControl control) =>
        {
            control.ClearWebhookFaults();
            return TypedResults.NoContent();
        });
        sim.MapPost("/tokens/expire", (SimulatorControl control) =>
        {
            control.ExpireAllTokens();
            return TypedResults.NoContent();
        });
        sim.MapGet("/notifications/channels", (SimulatorControl control) => TypedResults.Ok(control.NotificationChannels()));
        sim.MapPost("/notifications/sockets/close", (SimulatorControl control) => TypedResults.Ok(new CountAnswer(control.CloseNotificationSockets())));
        sim.MapPost("/notifications/sockets/silence", (SimulatorControl control) => TypedResults.Ok(new CountAnswer(control.SilenceNotificationSockets())));
        sim.MapPost("/notifications/channels/expire", (SimulatorControl control) => TypedResults.Ok(new CountAnswer(control.ExpireNotificationChannels())));
        sim.MapGet("/received", (string? kind, SimulatorControl control) => TypedResults.Ok(control.Received(kind)));
        sim.MapGet("/webhooks", (SimulatorControl control) => TypedResults.Ok(control.Webhooks()));
        sim.MapGet("/api-calls", ApiCalls);
        sim.MapGet("/conversations", (SimulatorControl control) => TypedResults.Ok(new JsonArray(control.Conversations().Select(c => (JsonNode)c).ToArray())));
        sim.MapPost("/conversations/{conversationId}/accept", (string conversationId, SimulatorControl control) => Act(control.Accept(conversationId)));
        sim.MapPost("/conversations/{conversationId}/typing", (string conversationId, SimulatorControl control) => Act(control.Typing(conversationId)));
        sim.MapPost("/conversations/{conversationId}/end", (string conversationId, SimulatorControl control) => Act(control.End(conversationId)));
        sim.MapPost("/conversations/{conversationId}/reply", (string conversationId, ReplyRequest reply, SimulatorControl control) =>
            string.IsNullOrWhiteSpace(reply.Text) ? Results.BadRequest() : Act(control.Reply(conversationId, reply.Text)));
    }

    /// <summary>The authenticated API calls of one OAuth client (the newest 100,000), oldest first: for a harness in another process.</summary>
    private static Results<Ok<IReadOnlyList<ApiCall>>, BadRequest<string>> ApiCalls(string? clientId, SimulatorControl control) =>
        string.IsNullOrWhiteSpace(clientId)
            ? TypedResults.BadRequest("clientId is required")
            : TypedResults.Ok(control.ApiCalls(clientId));

    private static Results<Ok<SeededWorld>, BadRequest<string>> SeedWorld(WorldSeed seed, SimulatorControl control)
    {
        if (seed.WebhookUrl is not { IsAbsoluteUri: true } || string.IsNullOrEmpty(seed.WebhookSecret) || string.IsNullOrWhiteSpace(seed.QueueName)
            || string.IsNullOrWhiteSpace(seed.FlowName) || string.IsNullOrWhiteSpace(seed.IntegrationName) || seed.Agents is null)
        {
            return TypedResults.BadRequest("webhookUrl (absolute) and webhookSecret are required; queueName, flowName, integrationName and agents may be omitted but not empty");
        }

        return TypedResults.Ok(control.SeedWorld(seed));
    }

    private static Results<Ok<JsonObject>, NotFound<string>> AddAgent(string queueId, AgentScript? script, SimulatorControl control)
    {
        try
        {
            return TypedResults.Ok(new JsonObject { ["userId"] = control.AddAgent(queueId, script ?? new AgentScript()) });
        }
        catch (KeyNotFoundException e)
        {
            return TypedResults.NotFound(e.Message);
        }
    }

    private static Results<NoContent, NotFound<string>> SetRouting(string userId, OnQueueRequest request, SimulatorControl control)
    {
        try
        {
            control.SetOnQueue(userId, request.OnQueue);
            return TypedResults.NoContent();
        }
        catch (KeyNotFoundException e)
        {
            return TypedResults.NotFound(e.Message);
        }
    }

    private static Results<Ok<IdAnswer>, BadRequest<string>> AddWebhookFault(WebhookFault fault, SimulatorControl control)
    {
        try
        {
            return TypedResults.Ok(new IdAnswer(control.AddWebhookFault(fault)));
        }
        catch (ArgumentException e)
        {
            return TypedResults.BadRequest(e.Message);
        }
    }

    // 409: the conversation is not in a state where that agent action makes sense (ended, not accepted, ...).
    private static Results<NoContent, Conflict> Act(bool done) => done ? TypedResults.NoContent() : TypedResults.Conflict();
}

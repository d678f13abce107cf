using Microsoft.AspNetCore.Http.HttpResults;
using System.Text.Json.Nodes;
using PolyAi.Messaging.GenesysSimulator.Http;
using PolyAi.Messaging.GenesysSimulator.World;
using YamlDotNet.RepresentationModel;

namespace PolyAi.Messaging.GenesysSimulator.Apis;

/// <summary>
/// Architect flows the way Terraform deploys them: POST a job, PUT the YAML to the job's presigned URL (served here
/// at <c>/_uploads/{jobId}</c>), poll the job; <c>Success</c> means created and published (genesys-facts §6).
/// </summary>
internal static class FlowsApi
{
    public static void MapFlowsApi(this IEndpointRouteBuilder app)
    {
        var flows = app.MapGroup("/api/v2/flows");
        flows.MapPost("/jobs", CreateJob).Requires(Permissions.JobCreate);
        flows.MapGet("/jobs/{jobId}", GetJob).Requires(Permissions.JobView);
        flows.MapGet("/", ListFlows).Requires(Permissions.FlowView);
        flows.MapGet("/{flowId}", GetFlow).Requires(Permissions.FlowView);
        flows.MapPost("/actions/publish", Publish).Requires(Permissions.FlowPublish);
        app.MapPut("/_uploads/{jobId}", Upload);
    }

    private static JsonHttpResult<JsonObject> CreateJob(Org org)
    {
        lock (org.Gate)
        {
            var job = new FlowJob { Id = Ids.Entity(), UploadKey = Ids.Secret(), DateCreated = org.Now, Status = "Registered" };
            org.Jobs[job.Id] = job;
            return Pages.Json(new JsonObject
            {
                ["id"] = job.Id,
                ["presignedUrl"] = new Uri(org.BaseUrl, $"_uploads/{job.Id}?signature={job.UploadKey}").ToString(),
                ["headers"] = new JsonObject { ["Content-Type"] = "application/octet-stream" },
                ["selfUri"] = $"/api/v2/flows/jobs/{job.Id}",
            });
        }
    }

    private static async Task<Results<Ok, StatusCodeHttpResult, JsonHttpResult<JsonObject>>> Upload(string jobId, string? signature, HttpRequest request, Org org)
    {
        using var reader = new StreamReader(request.Body);
        var yaml = await reader.ReadToEndAsync(request.HttpContext.RequestAborted);
        lock (org.Gate)
        {
            if (!org.Jobs.TryGetValue(jobId, out var job) || job.UploadKey != signature)
            {
                return TypedResults.StatusCode(403); // what S3 answers for a bad signature
            }

            job.Yaml = yaml;
            job.UploadedAt = org.Now;
            job.Status = "Started";
            return TypedResults.Ok();
        }
    }

    private static JsonHttpResult<JsonObject> GetJob(string jobId, string? expand, Org org)
    {
        lock (org.Gate)
        {
            if (!org.Jobs.TryGetValue(jobId, out var job))
            {
                return GenesysErrors.NotFound($"Job {jobId} not found.");
            }

            if (job.Status == "Started" && org.Now - job.UploadedAt >= org.Options.AsyncCompletionDelay)
            {
                Complete(org, job);
            }

            var json = new JsonObject
            {
                ["id"] = job.Id,
                ["status"] = job.Status,
                ["command"] = "Publish",
                ["dateCreated"] = Iso.Format(job.DateCreated),
                ["flow"] = job.FlowId is { } flowId ? Pages.Ref(flowId, $"/api/v2/flows/{flowId}", org.Flows[flowId].Name) : null,
            };
            if (expand?.Contains("messages", StringComparison.Ordinal) == true)
            {
                json["messages"] = new JsonArray(job.Messages.Select(m => (JsonNode)new JsonObject { ["text"] = m, ["type"] = "Error" }).ToArray());
            }

            json["selfUri"] = $"/api/v2/flows/jobs/{job.Id}";
            return Pages.Json(json);
        }
    }

    private static void Complete(Org org, FlowJob job)
    {
        if (!TryParse(job.Yaml ?? "", out var name, out var queueName, out var division, out var problem))
        {
            job.Status = "Failure";
            job.Messages.Add(problem);
            return;
        }

        // Archy resolves `division` by name; the home division can be renamed (genesys-facts, Corrections 10).
        if (division is not null && !string.Equals(division, org.Options.HomeDivisionName, StringComparison.Ordinal))
        {
            job.Status = "Failure";
            job.Messages.Add($"Unable to find a division with name '{division}'.");
            return;
        }

        if (!org.Queues.Values.Any(q => q.Name == queueName))
        {
            job.Status = "Failure";
            job.Messages.Add($"Unable to find a queue with name '{queueName}'.");
            return;
        }

        var flow = org.Flows.Values.FirstOrDefault(f => string.Equals(f.Name, name, StringComparison.OrdinalIgnoreCase));
        if (flow is null)
        {
            flow = new Flow { Id = Ids.Entity(), Name = name, TargetQueueName = queueName, DivisionId = org.HomeDivisionId };
            org.Flows[flow.Id] = flow;
        }

        flow.TargetQueueName = queueName;
        flow.Version++;
        flow.DatePublished = org.Now;
        job.FlowId = flow.Id;
        job.Status = "Success";
    }

    /// <summary>Reads an Archy inbound message flow: its name and the <c>transferToAcd</c> target queue.</summary>
    internal static bool TryParse(string yaml, out string name, out string queueName, out string? division, out string problem)
    {
        name = queueName = problem = "";
        division = null;
        var stream = new YamlStream();
        try
        {
            stream.Load(new StringReader(yaml));
        }
        catch (YamlDotNet.Core.YamlException e)
        {
            problem = $"The flow configuration is not valid YAML: {e.Message}";
            return false;
        }

        if (stream.Documents.FirstOrDefault()?.RootNode is not YamlMappingNode root
            || !root.Children.TryGetValue(new YamlScalarNode("inboundShortMessage"), out var flowNode)
            || flowNode is not YamlMappingNode flow)
        {
            problem = "The flow configuration must be an inboundShortMessage flow.";
            return false;
        }

        if (!flow.Children.TryGetValue(new YamlScalarNode("name"), out var nameNode) || nameNode is not YamlScalarNode { Value: { Length: > 0 } flowName })
        {
            problem = "inboundShortMessage.name is required.";
            return false;
        }

        name = flowName;
        division = flow.Children.TryGetValue(new YamlScalarNode("division"), out var divisionNode) ? (divisionNode as YamlScalarNode)?.Value : null;
        var target = flow.AllNodes.OfType<YamlMappingNode>()
            .Where(n => n.Children.ContainsKey(new YamlScalarNode("transferToAcd")))
            .Select(n => n.Children[new YamlScalarNode("transferToAcd")])
            .OfType<YamlMappingNode>()
            .Select(t => t.Children.TryGetValue(new YamlScalarNode("targetQueue"), out var q) ? q : null)
            .OfType<YamlMappingNode>()
            .Select(q => q.Children.TryGetValue(new YamlScalarNode("lit"), out var lit) ? lit : null)
            .OfType<YamlMappingNode>()
            .Select(lit => lit.Children.TryGetValue(new YamlScalarNode("name"), out var n) ? (n as YamlScalarNode)?.Value : null)
            .FirstOrDefault(n => !string.IsNullOrEmpty(n));
        if (target is null)
        {
            problem = "The flow has no transferToAcd action with a literal targetQueue name.";
            return false;
        }

        queueName = target;
        return true;
    }

    private static JsonHttpResult<JsonObject> ListFlows(HttpRequest request, string? type, string? name, int? pageSize, int? pageNumber, Org org)
    {
        lock (org.Gate)
        {
            var flows = org.Flows.Values
                .Where(_ => type is null || string.Equals(type, "inboundshortmessage", StringComparison.OrdinalIgnoreCase))
                .Where(f => name is null || Pages.NameMatches(name, f.Name));
            return Pages.Of(flows.Select(f => (JsonNode)FlowJson(org, f)), pageSize ?? 25, pageNumber ?? 1, request);
        }
    }

    private static JsonHttpResult<JsonObject> GetFlow(string flowId, Org org)
    {
        lock (org.Gate)
        {
            return org.Flows.TryGetValue(flowId, out var flow) ? Pages.Json(FlowJson(org, flow)) : GenesysErrors.NotFound($"Flow {flowId} not found.");
        }
    }

    private static JsonHttpResult<JsonObject> Publish(string? flow, string? version, Org org)
    {
        lock (org.Gate)
        {
            if (flow is null || !org.Flows.TryGetValue(flow, out var found))
            {
                return GenesysErrors.BadRequest($"Flow {flow} not found.");
            }

            // Publishing is asynchronous (Corrections 7): the Operation starts PENDING_GENERATION and the flow shows its
            // published version once AsyncCompletionDelay has passed.
            found.PublishPendingUntil = org.Now + org.Options.AsyncCompletionDelay;
            return Pages.Json(new JsonObject
            {
                ["id"] = Ids.Entity(),
                ["complete"] = false,
                ["actionName"] = "PUBLISH",
                ["actionStatus"] = "PENDING_GENERATION",
                ["user"] = null,
                ["client"] = null,
            });
        }
    }

    private static JsonObject FlowJson(Org org, Flow flow)
    {
        flow.PublishedAsOf(org.Now);
        var version = new JsonObject
        {
            ["id"] = $"{flow.Version}.0",
            ["name"] = $"{flow.Version}.0",
            ["type"] = "PUBLISH",
            ["datePublished"] = flow.DatePublished is { } published ? Iso.Format(published) : null,
        };
        return new JsonObject
        {
            ["id"] = flow.Id,
            ["name"] = flow.Name,
            ["division"] = Pages.Ref(org.HomeDivisionId, $"/api/v2/authorization/divisions/{org.HomeDivisionId}", "Home"),
            ["type"] = "INBOUNDSHORTMESSAGE",
            ["active"] = true,
            ["system"] = false,
            ["deleted"] = false,
            ["publishedVersion"] = flow.DatePublished is null ? null : version,
            ["checkedInVersion"] = version.DeepClone(),
            ["selfUri"] = $"/api/v2/flows/{flow.Id}",
        };
    }
}

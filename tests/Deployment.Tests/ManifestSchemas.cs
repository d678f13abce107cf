using System.Text.Json;
using System.Text.Json.Nodes;

namespace PolyAi.Messaging.Deployment.Tests;

/// <summary>
/// Kubernetes objects checked against their schemas by Schemas/validate.mjs: Kubernetes' own kinds (kubernetes-models),
/// the Prometheus operator's (@kubernetes-models/prometheus-operator), the Gateway API's
/// (@kubernetes-models/gateway-api) and Dapr's (our JSON schemas in Schemas/dapr), every field declared, plus the
/// API server's name and label rules.
/// </summary>
internal static class ManifestSchemas
{
    private static readonly string Script = Path.Combine(Repo.Root, "tests", "Deployment.Tests", "Schemas", "validate.mjs");

    /// <summary>Each object's schema errors (none = valid), in the order given.</summary>
    public static async Task<IReadOnlyList<SchemaResult>> ValidateAsync(IEnumerable<(string Source, JsonObject Object)> objects)
    {
        var input = new JsonArray(objects.Select(o => (JsonNode)new JsonObject { ["source"] = o.Source, ["object"] = o.Object.DeepClone() }).ToArray());
        var file = Path.Combine(Path.GetTempPath(), $"polyai-manifests-{Guid.NewGuid():N}.json");
        await File.WriteAllTextAsync(file, input.ToJsonString());
        try
        {
            var run = await Tools.RunAsync(Tools.Node, [Script, Tools.SchemaModules, file]);
            if (run.ExitCode is not (0 or 1))
            {
                throw new InvalidOperationException($"node validate.mjs failed ({run.ExitCode}):{Environment.NewLine}{run.Printed}");
            }

            var results = run.Output.Split('\n', StringSplitOptions.RemoveEmptyEntries)
                .Select(line => JsonSerializer.Deserialize<SchemaResult>(line, JsonOptions)!)
                .ToList();
            if (results.Count != input.Count)
            {
                throw new InvalidOperationException($"validate.mjs answered for {results.Count} of {input.Count} objects:{Environment.NewLine}{run.Printed}");
            }

            return results;
        }
        finally
        {
            File.Delete(file);
        }
    }

    /// <summary>Fails with every error of every invalid object.</summary>
    public static async Task AssertValidAsync(string what, IEnumerable<(string Source, JsonObject Object)> objects)
    {
        var results = await ValidateAsync(objects);
        Assert.NotEmpty(results);
        var invalid = results.Where(r => r.Errors.Count > 0)
            .Select(r => $"{r.Kind}/{r.Name} ({r.Source}):{Environment.NewLine}  {string.Join(Environment.NewLine + "  ", r.Errors)}")
            .ToList();
        Assert.True(invalid.Count == 0, $"{what}: {invalid.Count} of {results.Count} objects do not satisfy their schema:{Environment.NewLine}{string.Join(Environment.NewLine, invalid)}");
    }

    private static readonly JsonSerializerOptions JsonOptions = new() { PropertyNameCaseInsensitive = true };
}

internal sealed record SchemaResult(string Source, string Kind, string? Name, IReadOnlyList<string> Errors);

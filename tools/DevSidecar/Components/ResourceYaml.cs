namespace PolyAi.Messaging.DevSidecar.Components;

// Shapes of the Dapr resource YAML the loader understands; everything else in a document is ignored.
// YamlDotNet needs settable properties, hence classes rather than records.

internal sealed class ResourceYaml
{
    public string? Kind { get; set; }
    public ResourceMetadataYaml? Metadata { get; set; }
    public List<string>? Scopes { get; set; }
}

internal sealed class ResourceMetadataYaml
{
    public string? Name { get; set; }
}

internal sealed class ComponentYaml
{
    public ResourceMetadataYaml? Metadata { get; set; }
    public ComponentSpecYaml? Spec { get; set; }
    public List<string>? Scopes { get; set; }
}

internal sealed class ComponentSpecYaml
{
    public string? Type { get; set; }
    public string? Version { get; set; }
    public List<NameValueYaml>? Metadata { get; set; }
}

internal sealed class NameValueYaml
{
    public string? Name { get; set; }
    public string? Value { get; set; }
}

internal sealed class ResiliencyYaml
{
    public ResiliencySpecYaml? Spec { get; set; }
    public List<string>? Scopes { get; set; }
}

internal sealed class ResiliencySpecYaml
{
    public ResiliencyPoliciesYaml? Policies { get; set; }
    public ResiliencyTargetsYaml? Targets { get; set; }
}

internal sealed class ResiliencyPoliciesYaml
{
    public Dictionary<string, RetryYaml>? Retries { get; set; }
}

internal sealed class RetryYaml
{
    public string? Policy { get; set; }
    public string? Duration { get; set; }
    public string? MaxInterval { get; set; }
    public int? MaxRetries { get; set; }
}

internal sealed class ResiliencyTargetsYaml
{
    public Dictionary<string, ComponentTargetYaml>? Components { get; set; }
}

internal sealed class ComponentTargetYaml
{
    public DirectionPolicyYaml? Inbound { get; set; }
}

internal sealed class DirectionPolicyYaml
{
    public string? Retry { get; set; }
}

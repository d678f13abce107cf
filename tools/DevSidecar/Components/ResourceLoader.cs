using Microsoft.Extensions.Logging;
using YamlDotNet.Core;
using YamlDotNet.Core.Events;
using YamlDotNet.Serialization;
using YamlDotNet.Serialization.NamingConventions;

namespace PolyAi.Messaging.DevSidecar.Components;

/// <summary>The Dapr resources found in a components directory.</summary>
internal sealed record LoadedResources(IReadOnlyList<ComponentDefinition> Components, IReadOnlyList<InboundRetryTarget> InboundRetries);

/// <summary>A Resiliency <c>targets.components.&lt;pubsub&gt;.inbound.retry</c> entry, resolved to its policy.</summary>
internal sealed record InboundRetryTarget(string PubSub, RetryPolicy Policy, IReadOnlyList<string> Scopes)
{
    public bool AppliesTo(string appId) => Scopes.Count == 0 || Scopes.Contains(appId, StringComparer.Ordinal);
}

/// <summary>Reads every *.yaml / *.yml file of a directory (multi-document files included), as daprd's resources path does.</summary>
internal static partial class ResourceLoader
{
    private static readonly IDeserializer Deserializer = new DeserializerBuilder()
        .WithNamingConvention(CamelCaseNamingConvention.Instance)
        .IgnoreUnmatchedProperties()
        .Build();

    private static readonly ISerializer Serializer = new SerializerBuilder().Build();

    public static LoadedResources Load(string directory, ILogger logger)
    {
        if (!Directory.Exists(directory))
        {
            throw new DirectoryNotFoundException($"components directory '{directory}' does not exist");
        }

        var components = new List<ComponentDefinition>();
        var retries = new List<InboundRetryTarget>();
        var files = Directory.EnumerateFiles(directory)
            .Where(f => f.EndsWith(".yaml", StringComparison.OrdinalIgnoreCase) || f.EndsWith(".yml", StringComparison.OrdinalIgnoreCase))
            .Order(StringComparer.Ordinal);
        foreach (var file in files)
        {
            foreach (var document in Documents(File.ReadAllText(file)))
            {
                var header = Deserializer.Deserialize<ResourceYaml>(document);
                switch (header?.Kind)
                {
                    case "Component":
                        components.Add(ToComponent(Deserializer.Deserialize<ComponentYaml>(document), file));
                        break;
                    case "Resiliency":
                        retries.AddRange(ToInboundRetries(Deserializer.Deserialize<ResiliencyYaml>(document), file));
                        break;
                    default:
                        LogIgnoring(logger, header?.Kind, header?.Metadata?.Name, file);
                        break;
                }
            }
        }

        return new LoadedResources(components, retries);
    }

    // Each document is re-serialised on its own so it can be read twice: once for its kind, once as that kind.
    private static IEnumerable<string> Documents(string text)
    {
        var parser = new Parser(new StringReader(text));
        parser.Consume<StreamStart>();
        while (parser.Accept<DocumentStart>(out _))
        {
            var document = Deserializer.Deserialize<object?>(parser);
            if (document is not null)
            {
                yield return Serializer.Serialize(document);
            }
        }
    }

    private static ComponentDefinition ToComponent(ComponentYaml yaml, string file)
    {
        var name = yaml.Metadata?.Name ?? throw new InvalidDataException($"{file}: component without metadata.name");
        var type = yaml.Spec?.Type ?? throw new InvalidDataException($"{file}: component '{name}' without spec.type");
        var metadata = (yaml.Spec.Metadata ?? [])
            .Where(item => item.Name is not null)
            .ToDictionary(item => item.Name!, item => item.Value ?? "", StringComparer.OrdinalIgnoreCase);
        return new ComponentDefinition(name, type, yaml.Spec.Version ?? "v1", metadata, yaml.Scopes ?? []);
    }

    private static IEnumerable<InboundRetryTarget> ToInboundRetries(ResiliencyYaml yaml, string file)
    {
        var policies = yaml.Spec?.Policies?.Retries ?? [];
        foreach (var (component, target) in yaml.Spec?.Targets?.Components ?? [])
        {
            if (target.Inbound?.Retry is not { } policyName)
            {
                continue;
            }

            if (!policies.TryGetValue(policyName, out var policy))
            {
                throw new InvalidDataException($"{file}: component '{component}' names unknown retry policy '{policyName}'");
            }

            yield return new InboundRetryTarget(component, RetryPolicy.FromYaml(policyName, policy), yaml.Scopes ?? []);
        }
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Ignoring {Kind} resource {Name} in {File}")]
    private static partial void LogIgnoring(ILogger logger, string? kind, string? name, string file);
}

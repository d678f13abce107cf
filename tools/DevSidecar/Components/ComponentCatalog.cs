using Microsoft.Extensions.Logging;
using PolyAi.Messaging.DevSidecar.Secrets;
using PolyAi.Messaging.DevSidecar.State;

namespace PolyAi.Messaging.DevSidecar.Components;

/// <summary>
/// The components loaded from the resources directory, looked up the way an app's daprd sees them:
/// a component scoped to other app ids does not exist for this one.
/// </summary>
internal sealed partial class ComponentCatalog
{
    private const string StateInMemory = "state.in-memory";
    private const string PubSubInMemory = "pubsub.in-memory";
    private const string SecretStoreLocalFile = "secretstores.local.file";

    private readonly Dictionary<string, InMemoryStateStore> _stateStores = new(StringComparer.Ordinal);
    private readonly Dictionary<string, LocalFileSecretStore> _secretStores = new(StringComparer.Ordinal);
    private readonly Dictionary<string, ComponentDefinition> _pubSubs = new(StringComparer.Ordinal);
    private readonly List<ComponentDefinition> _components = [];
    private readonly IReadOnlyList<InboundRetryTarget> _inboundRetries;

    private ComponentCatalog(LoadedResources resources, string componentsPath, TimeProvider time, ILogger logger)
    {
        _inboundRetries = resources.InboundRetries;
        foreach (var component in resources.Components)
        {
            if (_components.Any(c => c.Name == component.Name))
            {
                LogDuplicate(logger, component.Name, component.Type);
                continue;
            }

            switch (component.Type)
            {
                case StateInMemory:
                    _stateStores.Add(component.Name, new InMemoryStateStore(component, time));
                    break;
                case PubSubInMemory:
                    _pubSubs.Add(component.Name, component);
                    break;
                case SecretStoreLocalFile:
                    var secretStore = new LocalFileSecretStore(component, componentsPath);
                    if (!File.Exists(secretStore.FilePath))
                    {
                        LogSecretsFileMissing(logger, secretStore.FilePath, component.Name);
                    }

                    _secretStores.Add(component.Name, secretStore);
                    break;
                default:
                    LogUnsupported(logger, component.Name, component.Type);
                    continue;
            }

            _components.Add(component);
            LogLoaded(logger, component.Name, component.Type);
        }
    }

    public static ComponentCatalog Load(string componentsPath, TimeProvider time, ILogger logger)
    {
        var fullPath = Path.GetFullPath(componentsPath);
        return new ComponentCatalog(ResourceLoader.Load(fullPath, logger), fullPath, time, logger);
    }

    public IEnumerable<ComponentDefinition> VisibleTo(string appId) => _components.Where(c => c.IsVisibleTo(appId));

    /// <summary>Every state store, by component name (for the dev inspection API).</summary>
    public IReadOnlyDictionary<string, InMemoryStateStore> StateStores => _stateStores;

    public InMemoryStateStore StateStore(string appId, string name) =>
        Find(_stateStores, appId, name, s => s.Definition)
        ?? throw DaprApiException.InvalidArgument("ERR_STATE_STORE_NOT_FOUND", $"state store {name} is not found");

    public LocalFileSecretStore SecretStore(string appId, string name) =>
        Find(_secretStores, appId, name, s => s.Definition)
        ?? throw DaprApiException.InvalidArgument("ERR_SECRET_STORE_NOT_FOUND", $"failed finding secret store with key {name}");

    /// <summary>Checks that the pubsub exists for this app; daprd answers 404 over HTTP and InvalidArgument over gRPC.</summary>
    public void RequirePubSub(string appId, string name)
    {
        if (string.IsNullOrEmpty(name))
        {
            throw DaprApiException.NotFound("ERR_PUBSUB_EMPTY", "pubsub name is empty");
        }

        if (Find(_pubSubs, appId, name, c => c) is null)
        {
            throw DaprApiException.NotFound("ERR_PUBSUB_NOT_FOUND", $"pubsub {name} is not found");
        }
    }

    /// <summary>The feature list daprd reports for the component in its metadata.</summary>
    public static IReadOnlyList<string> CapabilitiesOf(ComponentDefinition component) =>
        component.Type == StateInMemory ? ["ETAG", "TRANSACTIONAL", "TTL"] : [];

    public RetryPolicy InboundRetry(string appId, string pubSub) =>
        _inboundRetries.FirstOrDefault(t => t.PubSub == pubSub && t.AppliesTo(appId))?.Policy ?? RetryPolicy.DefaultInbound;

    private static T? Find<T>(Dictionary<string, T> components, string appId, string name, Func<T, ComponentDefinition> definition)
        where T : class =>
        components.TryGetValue(name, out var component) && definition(component).IsVisibleTo(appId) ? component : null;

    [LoggerMessage(Level = LogLevel.Warning, Message = "Skipping duplicate component {Name} ({Type})")]
    private static partial void LogDuplicate(ILogger logger, string name, string type);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Secrets file {File} of {Name} does not exist (yet)")]
    private static partial void LogSecretsFileMissing(ILogger logger, string file, string name);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Skipping component {Name}: type {Type} is not supported by the dev sidecar")]
    private static partial void LogUnsupported(ILogger logger, string name, string type);

    [LoggerMessage(Level = LogLevel.Information, Message = "Loaded component {Name} ({Type})")]
    private static partial void LogLoaded(ILogger logger, string name, string type);
}

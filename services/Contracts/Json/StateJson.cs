using System.Text.Json;
using System.Text.Json.Serialization;
using System.Text.Json.Serialization.Metadata;

namespace PolyAi.Messaging.Contracts;

/// <summary>
/// The JSON of everything a service keeps in the state store or publishes through the Dapr client: source-generated
/// with the Dapr SDK's own defaults (<see cref="JsonSerializerDefaults.Web"/>), so documents already stored read the
/// same, and nothing by reflection: a type no context lists fails the first test that stores it, rather than being
/// serialized by reflection in production.
/// </summary>
public static class StateJson
{
    /// <summary>Options for <c>DaprClientBuilder.UseJsonSerializationOptions</c>: the service's own types, then the shared ones.</summary>
    public static JsonSerializerOptions Options(IJsonTypeInfoResolver serviceTypes)
    {
        var options = new JsonSerializerOptions(JsonSerializerDefaults.Web)
        {
            TypeInfoResolver = JsonTypeInfoResolver.Combine(serviceTypes, ContractsJsonContext.Default),
        };
        options.MakeReadOnly();
        return options;
    }
}

/// <summary>The shared documents and messages: tenant records, handoff events, received notifications.</summary>
[JsonSourceGenerationOptions(JsonSerializerDefaults.Web)]
[JsonSerializable(typeof(TenantRecord))]
[JsonSerializable(typeof(HandoffEvent))]
[JsonSerializable(typeof(GenesysNotificationReceived))]
public sealed partial class ContractsJsonContext : JsonSerializerContext;

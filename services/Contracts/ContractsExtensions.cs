using System.Text.Json.Serialization.Metadata;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;

namespace PolyAi.Messaging.Contracts;

public static class ContractsExtensions
{
    /// <summary>
    /// The Dapr client (<c>DAPR_GRPC_ENDPOINT</c> / <c>DAPR_HTTP_ENDPOINT</c>, from configuration first, then the
    /// environment) and where tenant records and secrets live (section <c>Tenancy</c>): for every service with a sidecar.
    /// The client serializes only with source-generated JSON: <paramref name="stateTypes"/> (the service's state documents
    /// and messages) and the shared ones (<see cref="StateJson"/>).
    /// </summary>
    public static IServiceCollection AddTenancy(this IServiceCollection services, IJsonTypeInfoResolver stateTypes)
    {
        services.AddDaprClient(dapr => dapr.UseJsonSerializationOptions(StateJson.Options(stateTypes)));
        services.AddOptions<TenancyOptions>().BindConfiguration(TenancyOptions.Section).ValidateDataAnnotations().ValidateOnStart();
        return services;
    }

    /// <summary>
    /// <see cref="AddTenancy"/> and the tenant directory, which reads records and their <c>tenants/*</c> secrets: for
    /// the verifier and the handoff service only (the agent must never read those secrets).
    /// </summary>
    public static IServiceCollection AddTenantDirectory(this IServiceCollection services, IJsonTypeInfoResolver stateTypes)
    {
        services.AddTenancy(stateTypes);
        services.TryAddSingleton<TenantDirectory>();
        return services;
    }
}

using System.Text.Json;
using System.Text.Json.Nodes;
using Dapr.Client;
using PolyAi.Messaging.Contracts;

namespace PolyAi.Messaging.Setup.State;

/// <summary>Where the tenant record (<see cref="TenantRecord"/> under <c>tenants/&lt;a&gt;/&lt;p&gt;/&lt;e&gt;</c>) is kept.</summary>
public interface ITenantRecordStore
{
    string Description { get; }

    Task<TenantRecord?> ReadAsync(TenantKey tenant, CancellationToken cancellationToken);

    Task WriteAsync(TenantRecord record, CancellationToken cancellationToken);
}

/// <summary>Parses <c>--state</c>: <c>dapr[:&lt;store&gt;]</c> (a running sidecar at <c>DAPR_GRPC_ENDPOINT</c>) or <c>file:&lt;path&gt;</c>.</summary>
public static class TenantRecordStores
{
    /// <param name="environment">Where <c>DAPR_GRPC_ENDPOINT</c> / <c>DAPR_HTTP_ENDPOINT</c> come from (the process
    /// environment for the command; DevStack passes its own sidecar's).</param>
    public static ITenantRecordStore Parse(string spec, Func<string, string?> environment)
    {
        var (kind, value) = Secrets.SecretStores.Split(spec);
        return kind switch
        {
            "dapr" => new DaprTenantRecordStore(value.Length > 0 ? value : "statestore", environment),
            "file" when value.Length > 0 => new FileTenantRecordStore(value),
            _ => throw new ArgumentException($"--state '{spec}' is not dapr[:<store>] or file:<path>."),
        };
    }
}

/// <summary>Through the Dapr state API of a running sidecar (the dev sidecar locally), exactly as DevStack and the services write and read it.</summary>
public sealed class DaprTenantRecordStore(string storeName, Func<string, string?> environment) : ITenantRecordStore
{
    public string Description => $"Dapr state store '{storeName}' at {environment("DAPR_GRPC_ENDPOINT") ?? "the default sidecar"}";

    public async Task<TenantRecord?> ReadAsync(TenantKey tenant, CancellationToken cancellationToken)
    {
        using var dapr = Client();
        return await dapr.GetStateAsync<TenantRecord?>(storeName, tenant.RecordStateKey, cancellationToken: cancellationToken);
    }

    public async Task WriteAsync(TenantRecord record, CancellationToken cancellationToken)
    {
        using var dapr = Client();
        await dapr.SaveStateAsync(storeName, record.Key.RecordStateKey, record, cancellationToken: cancellationToken);
    }

    private DaprClient Client()
    {
        var builder = new DaprClientBuilder();
        if (environment("DAPR_GRPC_ENDPOINT") is { Length: > 0 } grpc)
        {
            builder.UseGrpcEndpoint(grpc);
        }

        if (environment("DAPR_HTTP_ENDPOINT") is { Length: > 0 } http)
        {
            builder.UseHttpEndpoint(http);
        }

        return builder.Build();
    }
}

/// <summary>A JSON file <c>{ "tenants/a/p/e": TenantRecord }</c> (camelCase, as Dapr stores it), for tests and hand-off to a stack that loads it.</summary>
public sealed class FileTenantRecordStore(string path) : ITenantRecordStore
{
    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web) { WriteIndented = true };

    public string Path { get; } = System.IO.Path.GetFullPath(path);

    public string Description => $"tenant record file {Path}";

    public async Task<TenantRecord?> ReadAsync(TenantKey tenant, CancellationToken cancellationToken)
    {
        var root = await LoadAsync(cancellationToken);
        return root[tenant.RecordStateKey]?.Deserialize<TenantRecord>(Json);
    }

    public async Task WriteAsync(TenantRecord record, CancellationToken cancellationToken)
    {
        var root = await LoadAsync(cancellationToken);
        root[record.Key.RecordStateKey] = JsonSerializer.SerializeToNode(record, Json);
        Directory.CreateDirectory(System.IO.Path.GetDirectoryName(Path)!);
        var temporary = Path + ".tmp";
        await File.WriteAllTextAsync(temporary, root.ToJsonString(Json), cancellationToken);
        File.Move(temporary, Path, overwrite: true);
    }

    private async Task<JsonObject> LoadAsync(CancellationToken cancellationToken) =>
        File.Exists(Path) ? JsonNode.Parse(await File.ReadAllTextAsync(Path, cancellationToken)) as JsonObject ?? [] : [];
}

using System.Text.Json;
using System.Text.Json.Nodes;
using PolyAi.Messaging.Contracts;

namespace PolyAi.Messaging.Setup.Secrets;

/// <summary>
/// The local secrets file the dev sidecar's <c>secretstores.local.file</c> reads (DevStack writes the same shape):
/// <c>{ "tenants/a/p/e": { "webhookSecret": …, "previousWebhookSecret": …, "oauthClientId": …, "oauthClientSecret": … } }</c>.
/// Other tenants' entries are kept; the file is replaced atomically.
/// </summary>
public sealed class LocalSecretsFile(string path) : ITenantSecretStore
{
    private static readonly JsonSerializerOptions Indented = new() { WriteIndented = true };

    public string Path { get; } = System.IO.Path.GetFullPath(path);

    public string Description => $"local secrets file {Path}";

    public async Task<TenantSecrets?> ReadAsync(TenantKey tenant, CancellationToken cancellationToken)
    {
        var root = await LoadAsync(cancellationToken);
        if (root[tenant.SecretName] is not JsonObject entry)
        {
            return null;
        }

        var values = entry.Where(p => p.Value is JsonValue).ToDictionary(p => p.Key, p => p.Value!.GetValue<string>());
        return TenantSecrets.From(values);
    }

    public async Task WriteAsync(TenantKey tenant, TenantSecrets secrets, CancellationToken cancellationToken)
    {
        var root = await LoadAsync(cancellationToken);
        var entry = new JsonObject();
        Add(entry, TenantSecrets.WebhookSecretField, secrets.WebhookSecret);
        Add(entry, TenantSecrets.PreviousWebhookSecretField, secrets.PreviousWebhookSecret);
        Add(entry, TenantSecrets.OAuthClientIdField, secrets.OAuthClientId);
        Add(entry, TenantSecrets.OAuthClientSecretField, secrets.OAuthClientSecret);
        root[tenant.SecretName] = entry;

        Directory.CreateDirectory(System.IO.Path.GetDirectoryName(Path)!);
        var temporary = Path + ".tmp";
        await File.WriteAllTextAsync(temporary, root.ToJsonString(Indented), cancellationToken);
        if (!OperatingSystem.IsWindows())
        {
            File.SetUnixFileMode(temporary, UnixFileMode.UserRead | UnixFileMode.UserWrite);
        }

        File.Move(temporary, Path, overwrite: true);
    }

    private async Task<JsonObject> LoadAsync(CancellationToken cancellationToken)
    {
        if (!File.Exists(Path))
        {
            return [];
        }

        var text = await File.ReadAllTextAsync(Path, cancellationToken);
        return string.IsNullOrWhiteSpace(text)
            ? []
            : JsonNode.Parse(text) as JsonObject ?? throw new InvalidDataException($"{Path} is not a JSON object of secrets.");
    }

    private static void Add(JsonObject entry, string field, string? value)
    {
        if (value is not null)
        {
            entry[field] = value;
        }
    }
}

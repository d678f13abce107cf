using System.Security.Cryptography;
using System.Text.Json;
using System.Text.Json.Nodes;
using PolyAi.Messaging.ServiceDefaults;

namespace PolyAi.Messaging.DevStack;

/// <summary>The local secrets file read by the dev sidecar's <c>secretstores.local.file</c> (multi-valued).</summary>
public static class LocalSecrets
{
    /// <summary>A new webhook secret: 32 random bytes, Base64url (what Genesys' integration accepts: more than 15 characters).</summary>
    public static string NewWebhookSecret() => Base64Url(RandomNumberGenerator.GetBytes(32));

    public static void Write(string path, IEnumerable<(TenantKey Tenant, string WebhookSecret, SimulatedOrg Org)> tenants)
    {
        var root = new JsonObject();
        foreach (var (tenant, secret, org) in tenants)
        {
            root[tenant.SecretName] = new JsonObject
            {
                [TenantSecrets.WebhookSecretField] = secret,
                [TenantSecrets.OAuthClientIdField] = org.ClientId,
                [TenantSecrets.OAuthClientSecretField] = org.ClientSecret,
            };
        }

        var temporary = path + ".tmp";
        File.WriteAllText(temporary, root.ToJsonString(new JsonSerializerOptions { WriteIndented = true }));
        File.Move(temporary, path, overwrite: true);
    }

    private static string Base64Url(byte[] bytes) =>
        Convert.ToBase64String(bytes).TrimEnd('=').Replace('+', '-').Replace('/', '_');
}

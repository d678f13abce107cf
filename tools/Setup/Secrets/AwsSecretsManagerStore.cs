using System.Globalization;
using System.Net;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Amazon.Runtime;
using Amazon.Runtime.Credentials;
using Amazon.Runtime.Internal.Auth;
using PolyAi.Messaging.Contracts;

namespace PolyAi.Messaging.Setup.Secrets;

/// <summary>
/// AWS Secrets Manager over its JSON protocol (<c>X-Amz-Target: secretsmanager.*</c>), since AWSSDK.SecretsManager is
/// not in our feed: credentials from AWSSDK.Core's default chain (env, profile, SSO, IRSA web identity, ECS, EC2),
/// requests signed with Signature Version 4 (the canonical request here, the key derivation and HMAC by
/// AWSSDK.Core's <see cref="AWS4Signer"/>). One secret per tenant, <c>tenants/&lt;a&gt;/&lt;p&gt;/&lt;e&gt;</c>, a JSON
/// object with the same fields as the local file (what Dapr's AWS Secrets Manager store reads as a multi-valued secret).
/// </summary>
public sealed class AwsSecretsManagerStore(string region, Func<CancellationToken, Task<ImmutableCredentials>> credentials, HttpClient http, TimeProvider time) : ITenantSecretStore
{
    private const string Service = "secretsmanager";

    public string Description => $"AWS Secrets Manager ({region})";

    public Uri Endpoint => new($"https://secretsmanager.{region}.amazonaws.com/");

    /// <summary>AWSSDK.Core's default credential chain.</summary>
    public static async Task<ImmutableCredentials> DefaultCredentials(CancellationToken cancellationToken)
    {
        var resolved = DefaultAWSCredentialsIdentityResolver.GetCredentials();
        return await resolved.GetCredentialsAsync();
    }

    public async Task<TenantSecrets?> ReadAsync(TenantKey tenant, CancellationToken cancellationToken)
    {
        var (status, body) = await CallAsync("GetSecretValue", new JsonObject { ["SecretId"] = tenant.SecretName }, cancellationToken);
        if (status == HttpStatusCode.BadRequest && ErrorType(body) == "ResourceNotFoundException")
        {
            return null;
        }

        EnsureSuccess("GetSecretValue", status, body);
        var secretString = JsonNode.Parse(body)?["SecretString"]?.GetValue<string>();
        if (secretString is null)
        {
            return null;
        }

        var values = JsonNode.Parse(secretString) as JsonObject ?? [];
        return TenantSecrets.From(values.Where(p => p.Value is JsonValue).ToDictionary(p => p.Key, p => p.Value!.GetValue<string>()));
    }

    public async Task WriteAsync(TenantKey tenant, TenantSecrets secrets, CancellationToken cancellationToken)
    {
        var value = new JsonObject();
        foreach (var (field, text) in new[]
        {
            (TenantSecrets.WebhookSecretField, secrets.WebhookSecret), (TenantSecrets.PreviousWebhookSecretField, secrets.PreviousWebhookSecret),
            (TenantSecrets.OAuthClientIdField, secrets.OAuthClientId), (TenantSecrets.OAuthClientSecretField, secrets.OAuthClientSecret),
        })
        {
            if (text is not null)
            {
                value[field] = text;
            }
        }

        var secretString = value.ToJsonString();
        var (status, body) = await CallAsync("PutSecretValue", new JsonObject { ["SecretId"] = tenant.SecretName, ["SecretString"] = secretString }, cancellationToken);
        if (status == HttpStatusCode.BadRequest && ErrorType(body) == "ResourceNotFoundException")
        {
            (status, body) = await CallAsync("CreateSecret", new JsonObject { ["Name"] = tenant.SecretName, ["SecretString"] = secretString, [nameof(Description)] = $"PolyAI Messaging tenant {tenant}" }, cancellationToken);
        }

        EnsureSuccess("PutSecretValue", status, body);
    }

    private async Task<(HttpStatusCode Status, string Body)> CallAsync(string action, JsonObject payload, CancellationToken cancellationToken)
    {
        var body = Encoding.UTF8.GetBytes(payload.ToJsonString());
        using var request = new HttpRequestMessage(HttpMethod.Post, Endpoint) { Content = new ByteArrayContent(body) };
        request.Content.Headers.TryAddWithoutValidation("Content-Type", "application/x-amz-json-1.1");
        request.Headers.TryAddWithoutValidation("X-Amz-Target", $"secretsmanager.{action}");
        var signed = Sign(
            await credentials(cancellationToken), region, Service, time.GetUtcNow().UtcDateTime, "POST", Endpoint,
            new Dictionary<string, string> { ["content-type"] = "application/x-amz-json-1.1", ["x-amz-target"] = $"secretsmanager.{action}" },
            body);
        foreach (var (name, value) in signed)
        {
            if (!name.Equals("host", StringComparison.OrdinalIgnoreCase) && !name.Equals("content-type", StringComparison.OrdinalIgnoreCase))
            {
                request.Headers.TryAddWithoutValidation(name, value);
            }
        }

        using var response = await http.SendAsync(request, cancellationToken);
        return (response.StatusCode, await response.Content.ReadAsStringAsync(cancellationToken));
    }

    /// <summary>
    /// Signs a request with SigV4: returns the headers to send (<c>host</c>, <c>x-amz-date</c>,
    /// <c>x-amz-security-token</c> when the credentials are temporary, <c>authorization</c>) plus the given ones.
    /// </summary>
    public static IReadOnlyDictionary<string, string> Sign(
        ImmutableCredentials credentials, string region, string service, DateTime signedAtUtc, string method, Uri url,
        IReadOnlyDictionary<string, string> headers, ReadOnlySpan<byte> body)
    {
        var amzDate = signedAtUtc.ToString("yyyyMMdd'T'HHmmss'Z'", CultureInfo.InvariantCulture);
        var all = new SortedDictionary<string, string>(StringComparer.Ordinal);
        foreach (var (name, value) in headers)
        {
            all[name.ToLowerInvariant()] = value.Trim();
        }

        all["host"] = url.IsDefaultPort ? url.Host : $"{url.Host}:{url.Port}";
        all["x-amz-date"] = amzDate;
        if (!string.IsNullOrEmpty(credentials.Token))
        {
            all["x-amz-security-token"] = credentials.Token;
        }

        var signedHeaders = string.Join(';', all.Keys);
        var canonical = new StringBuilder()
            .Append(method).Append('\n')
            .Append(CanonicalPath(url)).Append('\n')
            .Append(CanonicalQuery(url)).Append('\n');
        foreach (var (name, value) in all)
        {
            canonical.Append(name).Append(':').Append(value).Append('\n');
        }

        canonical.Append('\n').Append(signedHeaders).Append('\n').Append(Convert.ToHexStringLower(SHA256.HashData(body)));
        var result = AWS4Signer.ComputeSignature(credentials, region, signedAtUtc, service, signedHeaders, canonical.ToString());
        return new Dictionary<string, string>(all) { ["authorization"] = result.ForAuthorizationHeader };
    }

    private static string CanonicalPath(Uri url) =>
        string.Join('/', url.AbsolutePath.Split('/').Select(s => Uri.EscapeDataString(Uri.UnescapeDataString(s))));

    private static string CanonicalQuery(Uri url) =>
        string.Join('&', url.Query.TrimStart('?').Split('&', StringSplitOptions.RemoveEmptyEntries)
            .Select(p => p.Split('=', 2))
            .Select(p => (Key: Uri.EscapeDataString(Uri.UnescapeDataString(p[0])), Value: Uri.EscapeDataString(Uri.UnescapeDataString(p.Length > 1 ? p[1] : ""))))
            .OrderBy(p => p.Key, StringComparer.Ordinal).ThenBy(p => p.Value, StringComparer.Ordinal)
            .Select(p => $"{p.Key}={p.Value}"));

    private static string? ErrorType(string body)
    {
        try
        {
            var type = JsonNode.Parse(body)?["__type"]?.GetValue<string>();
            return type?[(type.LastIndexOf('#') + 1)..];
        }
        catch (JsonException)
        {
            return null;
        }
    }

    private static void EnsureSuccess(string action, HttpStatusCode status, string body)
    {
        if ((int)status is < 200 or > 299)
        {
            // The error body names the problem (AccessDeniedException, …); it never contains the secret value.
            var type = ErrorType(body) ?? status.ToString();
            throw new InvalidOperationException($"AWS Secrets Manager {action} answered {(int)status} {type}.");
        }
    }
}

using System.Diagnostics.CodeAnalysis;

namespace PolyAi.Messaging.Contracts;

/// <summary>
/// A tenant: <c>(accountId, projectId, clientEnv)</c>, exactly the segments of its webhook path.
/// Parsing lives here only, so every service agrees on what a valid tenant looks like.
/// </summary>
public readonly record struct TenantKey(string AccountId, string ProjectId, string ClientEnv)
{
    public const int MaxSegmentLength = 128;

    public static bool TryCreate(string? accountId, string? projectId, string? clientEnv, [NotNullWhen(true)] out TenantKey? key)
    {
        key = null;
        if (!IsValidSegment(accountId) || !IsValidSegment(projectId) || !IsValidSegment(clientEnv))
        {
            return false;
        }

        key = new TenantKey(accountId!, projectId!, clientEnv!);
        return true;
    }

    /// <summary>Parses <c>ACCOUNT/PROJECT/ENV</c>, the form <see cref="ToString"/> writes.</summary>
    public static bool TryParse(string? text, out TenantKey tenant)
    {
        tenant = default;
        var parts = (text ?? "").Split('/');
        if (parts.Length != 3 || !TryCreate(parts[0], parts[1], parts[2], out var key))
        {
            return false;
        }

        tenant = key.Value;
        return true;
    }

    /// <summary>Letters, digits, '-', '_' and '.' only: safe in state keys, secret names and URLs.</summary>
    public static bool IsValidSegment([NotNullWhen(true)] string? segment)
    {
        if (string.IsNullOrEmpty(segment) || segment.Length > MaxSegmentLength || segment is "." or "..")
        {
            return false;
        }

        foreach (var c in segment)
        {
            if (!(char.IsAsciiLetterOrDigit(c) || c is '-' or '_' or '.'))
            {
                return false;
            }
        }

        return true;
    }

    /// <summary>State store key of the tenant record.</summary>
    public string RecordStateKey => $"tenants/{this}";

    /// <summary>Secret store key of the tenant's secrets (a multi-valued secret).</summary>
    public string SecretName => $"tenants/{this}";

    public override string ToString() => $"{AccountId}/{ProjectId}/{ClientEnv}";
}

using System.Collections.Frozen;
using System.Diagnostics.CodeAnalysis;

namespace PolyAi.Messaging.Genesys;

/// <summary>
/// Where a Genesys Cloud org lives: the Platform API base (<c>https://api.&lt;domain&gt;</c>) and the login host that
/// issues tokens (<c>https://login.&lt;domain&gt;</c>). For the simulator and tests an explicit base URL serves both.
/// </summary>
public sealed record GenesysEnvironment
{
    /// <summary>The 18 regions of the official SDK (PureCloudRegionHosts), region name → domain.</summary>
    public static readonly FrozenDictionary<string, string> Regions = new Dictionary<string, string>
    {
        ["us_east_1"] = "mypurecloud.com",
        ["us_east_2"] = "use2.us-gov-pure.cloud",
        ["us_west_2"] = "usw2.pure.cloud",
        ["ca_central_1"] = "cac1.pure.cloud",
        ["sa_east_1"] = "sae1.pure.cloud",
        ["mx_central_1"] = "mxc1.pure.cloud",
        ["eu_west_1"] = "mypurecloud.ie",
        ["eu_west_2"] = "euw2.pure.cloud",
        ["eu_central_1"] = "mypurecloud.de",
        ["eu_central_2"] = "euc2.pure.cloud",
        ["eusc_de_east_1"] = "edee1.eusc-pure.cloud",
        ["me_central_1"] = "mec1.pure.cloud",
        ["ap_south_1"] = "aps1.pure.cloud",
        ["ap_northeast_1"] = "mypurecloud.jp",
        ["ap_northeast_2"] = "apne2.pure.cloud",
        ["ap_northeast_3"] = "apne3.pure.cloud",
        ["ap_southeast_1"] = "apse1.pure.cloud",
        ["ap_southeast_2"] = "mypurecloud.com.au",
    }.ToFrozenDictionary(StringComparer.OrdinalIgnoreCase);

    private static readonly FrozenSet<string> Domains = Regions.Values.ToFrozenSet(StringComparer.OrdinalIgnoreCase);

    private GenesysEnvironment(Uri apiBaseUri, Uri loginBaseUri, string? domain)
    {
        ApiBaseUri = apiBaseUri;
        LoginBaseUri = loginBaseUri;
        Domain = domain;
    }

    /// <summary>Base of every Platform API path, e.g. <c>https://api.usw2.pure.cloud/</c>.</summary>
    public Uri ApiBaseUri { get; }

    /// <summary>Base of the OAuth host, e.g. <c>https://login.usw2.pure.cloud/</c>.</summary>
    public Uri LoginBaseUri { get; }

    /// <summary>The Genesys domain (<c>usw2.pure.cloud</c>), or <c>null</c> for an explicit base URL.</summary>
    public string? Domain { get; }

    /// <summary><c>{login}/oauth/token</c>.</summary>
    public Uri TokenUri => new(LoginBaseUri, "oauth/token");

    /// <summary>A Genesys region by domain (<c>mypurecloud.ie</c>) or SDK region name (<c>eu_west_1</c>).</summary>
    public static GenesysEnvironment ForRegion(string regionOrDomain) =>
        TryParse(regionOrDomain, out var environment) && environment.Domain is not null
            ? environment
            : throw new ArgumentException(
                $"'{regionOrDomain}' is not a Genesys Cloud region: use a domain such as 'usw2.pure.cloud', a region name such as 'us_west_2', or an explicit base URL.",
                nameof(regionOrDomain));

    /// <summary>
    /// An explicit base URL (the simulator, tests): API paths and <c>/oauth/token</c> both on it. A URL of a real
    /// Genesys host (<c>https://api.mypurecloud.com</c>) is recognised and gets its login host.
    /// </summary>
    public static GenesysEnvironment ForBaseUrl(Uri baseUrl)
    {
        ArgumentNullException.ThrowIfNull(baseUrl);
        if (!baseUrl.IsAbsoluteUri || (baseUrl.Scheme != Uri.UriSchemeHttps && baseUrl.Scheme != Uri.UriSchemeHttp))
        {
            throw new ArgumentException($"'{baseUrl}' is not an absolute http(s) URL.", nameof(baseUrl));
        }

        var host = baseUrl.Host;
        foreach (var prefix in (ReadOnlySpan<string>)["api.", "login."])
        {
            if (host.StartsWith(prefix, StringComparison.OrdinalIgnoreCase) && Domains.Contains(host[prefix.Length..]))
            {
                return FromDomain(host[prefix.Length..]);
            }
        }

        var normalized = new Uri(baseUrl.GetLeftPart(UriPartial.Path).TrimEnd('/') + "/");
        return new GenesysEnvironment(normalized, normalized, domain: null);
    }

    /// <summary>
    /// Reads what a tenant record holds: a domain, a region name or an explicit http(s) base URL.
    /// Unknown domains are refused (a typo would otherwise send credentials to a stranger's host).
    /// </summary>
    public static bool TryParse(string? value, [NotNullWhen(true)] out GenesysEnvironment? environment)
    {
        environment = null;
        if (string.IsNullOrWhiteSpace(value))
        {
            return false;
        }

        value = value.Trim();
        if (value.Contains("://", StringComparison.Ordinal))
        {
            if (!Uri.TryCreate(value, UriKind.Absolute, out var uri) || (uri.Scheme != Uri.UriSchemeHttps && uri.Scheme != Uri.UriSchemeHttp))
            {
                return false;
            }

            environment = ForBaseUrl(uri);
            return true;
        }

        if (Regions.TryGetValue(value, out var domain) || Domains.TryGetValue(value, out domain))
        {
            environment = FromDomain(domain);
            return true;
        }

        return false;
    }

    /// <summary>Parses like <see cref="TryParse"/> or throws with the accepted forms.</summary>
    public static GenesysEnvironment Parse(string value) =>
        TryParse(value, out var environment)
            ? environment
            : throw new FormatException(
                $"'{value}' is not a Genesys Cloud environment: use a domain such as 'usw2.pure.cloud', a region name such as 'us_west_2', or an explicit http(s) base URL.");

    public override string ToString() => Domain ?? ApiBaseUri.ToString();

    private static GenesysEnvironment FromDomain(string domain)
    {
        domain = domain.ToLowerInvariant();
        return new GenesysEnvironment(new Uri($"https://api.{domain}/"), new Uri($"https://login.{domain}/"), domain);
    }
}

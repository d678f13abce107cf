using System.Net;
using System.Net.Http.Headers;
using System.Text;
using Microsoft.Extensions.Logging;

namespace PolyAi.Messaging.Genesys;

/// <summary>A bearer token and when to stop using it. <see cref="ToString"/> never shows the token.</summary>
internal sealed record AccessToken(string Value, DateTimeOffset ExpiresAt, DateTimeOffset RefreshAt)
{
    /// <summary>The longest we refresh ahead of expiry; shorter lifetimes refresh after 90% of their life.</summary>
    public static readonly TimeSpan MaxRefreshMargin = TimeSpan.FromMinutes(5);

    public static AccessToken Issued(string value, TimeSpan lifetime, DateTimeOffset now)
    {
        var margin = TimeSpan.FromTicks(Math.Min(MaxRefreshMargin.Ticks, lifetime.Ticks / 10));
        return new AccessToken(value, now + lifetime, now + lifetime - margin);
    }

    public override string ToString() => $"AccessToken {{ ExpiresAt = {ExpiresAt:O}, RefreshAt = {RefreshAt:O} }}";
}

/// <summary>
/// One OAuth client's token: fetched on first use, refreshed ahead of expiry (while the old one, still valid, keeps
/// serving), at most one fetch in flight however many callers ask, and dropped when Genesys answers 401 to it.
/// </summary>
internal sealed partial class AccessTokenCache
{
    private readonly Func<CancellationToken, Task<AccessToken>> _fetch;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;
    private readonly Lock _gate = new();
    private AccessToken? _current;
    private Task<AccessToken>? _refresh;

    public AccessTokenCache(Func<CancellationToken, Task<AccessToken>> fetch, TimeProvider time, ILogger logger)
    {
        _fetch = fetch;
        _time = time;
        _logger = logger;
    }

    /// <summary>A token to use now.</summary>
    public async Task<string> GetAsync(CancellationToken cancellationToken)
    {
        Task<AccessToken> refresh;
        lock (_gate)
        {
            var now = _time.GetUtcNow();
            if (_current is { } current && now < current.RefreshAt)
            {
                return current.Value;
            }

            refresh = _refresh ??= RefreshAsync();
            if (_current is { } stillValid && now < stillValid.ExpiresAt)
            {
                // Refreshing early: the refresh runs on; this caller keeps the valid token and does not wait.
                return stillValid.Value;
            }
        }

        // One caller giving up must not cancel the fetch the others are waiting on, so only the wait is cancellable.
        var token = await refresh.WaitAsync(cancellationToken);
        return token.Value;
    }

    /// <summary>Genesys rejected <paramref name="token"/>: forget it, unless another caller already replaced it.</summary>
    public void Invalidate(string token)
    {
        lock (_gate)
        {
            if (_current is { } current && current.Value == token)
            {
                _current = null;
            }
        }
    }

    private async Task<AccessToken> RefreshAsync()
    {
        await Task.Yield(); // leave the lock before fetching
        try
        {
            var token = await _fetch(CancellationToken.None);
            lock (_gate)
            {
                _current = token;
            }

            return token;
        }
        catch (Exception ex)
        {
            LogFetchFailed(ex.GetType().Name);
            throw;
        }
        finally
        {
            lock (_gate)
            {
                _refresh = null;
            }
        }
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Fetching a Genesys access token failed: {Error}")]
    private partial void LogFetchFailed(string error);
}

/// <summary>The client-credentials grant against <c>{login}/oauth/token</c>.</summary>
internal static partial class OAuthToken
{
    /// <summary>Assumed when Genesys leaves out <c>expires_in</c>: short, so a wrong guess costs one early refresh.</summary>
    private static readonly TimeSpan DefaultLifetime = TimeSpan.FromMinutes(10);

    public static async Task<AccessToken> FetchAsync(
        HttpClient http, GenesysEnvironment environment, GenesysCredentials credentials, TimeProvider time, ILogger logger,
        CancellationToken cancellationToken)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, environment.TokenUri)
        {
            Content = new FormUrlEncodedContent([new KeyValuePair<string, string>("grant_type", "client_credentials")]),
        };
        // The SDK encodes id:secret as ISO-8859-1; identical to UTF-8 for the ASCII Genesys issues.
        request.Headers.Authorization = new AuthenticationHeaderValue(
            "Basic", Convert.ToBase64String(Encoding.Latin1.GetBytes($"{credentials.ClientId}:{credentials.ClientSecret}")));
        request.Headers.Accept.Add(new MediaTypeWithQualityHeaderValue("application/json"));
        request.Options.Set(GenesysHttp.EndpointKey, GenesysEndpoints.Token);

        using var response = await GenesysHttp.SendAsync(http, request, GenesysEndpoints.Token, cancellationToken);
        var answer = await GenesysHttp.ReadAsync(response, GenesysEndpoints.Token, GenesysJsonContext.Default.TokenResponse, cancellationToken);
        if (string.IsNullOrEmpty(answer.AccessToken))
        {
            throw new GenesysResponseException(GenesysEndpoints.Token.Name, response.StatusCode, "no access_token", GenesysHttp.CorrelationId(response));
        }

        var lifetime = answer.ExpiresIn is > 0 ? TimeSpan.FromSeconds(answer.ExpiresIn.Value) : DefaultLifetime;
        LogFetched(logger, credentials.ClientId, environment, (long)lifetime.TotalSeconds);
        return AccessToken.Issued(answer.AccessToken, lifetime, time.GetUtcNow());
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Fetched a Genesys access token for OAuth client {ClientId} at {Environment}, valid for {LifetimeSeconds} s")]
    private static partial void LogFetched(ILogger logger, string clientId, GenesysEnvironment environment, long lifetimeSeconds);
}

namespace PolyAi.Messaging.Genesys;

/// <summary>OAuth clients (admin), and what the current token is (<c>tokens/me</c>).</summary>
public sealed class OAuthApi
{
    private readonly GenesysTransport _transport;

    internal OAuthApi(GenesysTransport transport) => _transport = transport;

    /// <summary>Creates a client; the answer's <see cref="OAuthClient.Secret"/> may be the only time Genesys shows it.</summary>
    public Task<OAuthClient> CreateClientAsync(OAuthClientRequest client, CancellationToken cancellationToken = default)
    {
        var endpoint = GenesysEndpoints.CreateOAuthClient;
        return _transport.SendAsync(endpoint, endpoint.Path(), client, GenesysJsonContext.Default.OAuthClientRequest, GenesysJsonContext.Default.OAuthClient, cancellationToken);
    }

    public Task<OAuthClient> GetClientAsync(string clientId, CancellationToken cancellationToken = default)
    {
        var endpoint = GenesysEndpoints.GetOAuthClient;
        return _transport.SendAsync(endpoint, endpoint.Path(clientId), GenesysJsonContext.Default.OAuthClient, cancellationToken);
    }

    /// <summary><c>GET /api/v2/tokens/me</c>: the org and the OAuth client (with its role divisions) behind our token.</summary>
    public Task<TokenInfo> GetTokenInfoAsync(CancellationToken cancellationToken = default)
    {
        var endpoint = GenesysEndpoints.TokenMe;
        return _transport.SendAsync(endpoint, endpoint.Path(), GenesysJsonContext.Default.TokenInfo, cancellationToken);
    }
}

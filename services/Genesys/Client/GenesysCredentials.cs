using System.Text;

namespace PolyAi.Messaging.Genesys;

/// <summary>An OAuth client (client-credentials grant). <see cref="ToString"/> never shows the secret.</summary>
public sealed record GenesysCredentials
{
    public GenesysCredentials(string clientId, string clientSecret)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(clientId);
        ArgumentException.ThrowIfNullOrEmpty(clientSecret);
        ClientId = clientId;
        ClientSecret = clientSecret;
    }

    public string ClientId { get; }

    public string ClientSecret { get; }

    private bool PrintMembers(StringBuilder builder)
    {
        builder.Append("ClientId = ").Append(ClientId).Append(", ClientSecret = ***");
        return true;
    }
}

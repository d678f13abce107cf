using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace PolyAi.Messaging.Genesys;

/// <summary>
/// The Genesys Cloud Platform API for one org and one OAuth client, grouped by area. Thread-safe; keep one per
/// OAuth client (its token cache lives here, or in the <see cref="GenesysClientFactory"/> that made it).
/// </summary>
public sealed class GenesysClient : IDisposable
{
    private readonly HttpClient? _ownedHttp;
    private readonly GenesysTransport _transport;

    /// <summary>
    /// A client without DI (tools, tests): builds its own handler chain (resilience → metrics →
    /// <paramref name="primaryHandler"/>, by default a <see cref="SocketsHttpHandler"/>). The client owns and disposes
    /// the chain, <paramref name="primaryHandler"/> included.
    /// </summary>
    public GenesysClient(
        GenesysEnvironment environment,
        GenesysCredentials credentials,
        GenesysClientOptions? options = null,
        HttpMessageHandler? primaryHandler = null,
        TimeProvider? timeProvider = null,
        ILoggerFactory? loggerFactory = null)
        : this(Standalone(environment, credentials, options, primaryHandler, timeProvider, loggerFactory), credentials)
    {
    }

    internal GenesysClient(GenesysTransport transport, GenesysCredentials credentials)
    {
        _transport = transport;
        ClientId = credentials.ClientId;
        OpenMessaging = new OpenMessagingApi(transport);
        Conversations = new ConversationsApi(transport);
        Notifications = new NotificationsApi(transport);
        Analytics = new AnalyticsApi(transport);
        Routing = new RoutingApi(transport);
        Authorization = new AuthorizationApi(transport);
        OAuth = new OAuthApi(transport);
        Messaging = new MessagingApi(transport);
        Architect = new ArchitectApi(transport);
    }

    private GenesysClient((GenesysTransport Transport, HttpClient Http) standalone, GenesysCredentials credentials)
        : this(standalone.Transport, credentials) => _ownedHttp = standalone.Http;

    public GenesysEnvironment Environment => _transport.Environment;

    /// <summary>Which OAuth client this is (the secret is never kept where it could be printed).</summary>
    public string ClientId { get; }

    /// <summary>Inbound message, typing event, receipt, structured response.</summary>
    public OpenMessagingApi OpenMessaging { get; }

    /// <summary>Message conversations: participants, disconnect.</summary>
    public ConversationsApi Conversations { get; }

    /// <summary>Notification channels and topic subscriptions.</summary>
    public NotificationsApi Notifications { get; }

    /// <summary>Queue observations.</summary>
    public AnalyticsApi Analytics { get; }

    /// <summary>Queues, members, message routing recipients.</summary>
    public RoutingApi Routing { get; }

    /// <summary>Roles, permissions, divisions.</summary>
    public AuthorizationApi Authorization { get; }

    /// <summary>OAuth clients and <c>tokens/me</c>.</summary>
    public OAuthApi OAuth { get; }

    /// <summary>Messaging settings and Open Messaging integrations.</summary>
    public MessagingApi Messaging { get; }

    /// <summary>Flows: jobs, publish, lookup.</summary>
    public ArchitectApi Architect { get; }

    public void Dispose() => _ownedHttp?.Dispose();

    public override string ToString() => $"GenesysClient {{ Environment = {Environment}, ClientId = {ClientId} }}";

    private static (GenesysTransport, HttpClient) Standalone(
        GenesysEnvironment environment, GenesysCredentials credentials, GenesysClientOptions? options,
        HttpMessageHandler? primaryHandler, TimeProvider? timeProvider, ILoggerFactory? loggerFactory)
    {
        ArgumentNullException.ThrowIfNull(environment);
        ArgumentNullException.ThrowIfNull(credentials);
        options ??= new GenesysClientOptions();
        options.ThrowIfInvalid();
        var time = timeProvider ?? TimeProvider.System;
        var logger = (loggerFactory ?? NullLoggerFactory.Instance).CreateLogger<GenesysClient>();
        var http = GenesysHttp.CreateHttpClient(options, primaryHandler, time, logger);
        var tokens = new AccessTokenCache(ct => OAuthToken.FetchAsync(http, environment, credentials, time, logger, ct), time, logger);
        return (new GenesysTransport(() => http, environment, tokens, time, logger, GenesysTransportKeys.Budget(environment, credentials)), http);
    }
}

namespace PolyAi.Messaging.Genesys;

/// <summary>Real-time queue observations (is anyone on queue?). Permission <c>analytics:queueObservation:view</c>.</summary>
public sealed class AnalyticsApi
{
    private readonly GenesysTransport _transport;

    internal AnalyticsApi(GenesysTransport transport) => _transport = transport;

    /// <summary>A read, though a POST: retried like a GET.</summary>
    public Task<QueueObservationResponse> QueryQueueObservationsAsync(QueueObservationQuery query, CancellationToken cancellationToken = default)
    {
        var endpoint = GenesysEndpoints.QueryQueueObservations;
        return _transport.SendAsync(endpoint, endpoint.Path(), query, GenesysJsonContext.Default.QueueObservationQuery, GenesysJsonContext.Default.QueueObservationResponse, cancellationToken);
    }
}

namespace PolyAi.Messaging.Genesys;

/// <summary>Messaging settings (typing) and Open Messaging integrations.</summary>
public sealed class MessagingApi
{
    private readonly GenesysTransport _transport;

    internal MessagingApi(GenesysTransport transport) => _transport = transport;

    public Task<MessagingSetting> CreateSettingAsync(MessagingSetting setting, CancellationToken cancellationToken = default)
    {
        var endpoint = GenesysEndpoints.CreateMessagingSetting;
        return _transport.SendAsync(endpoint, endpoint.Path(), setting, GenesysJsonContext.Default.MessagingSetting, GenesysJsonContext.Default.MessagingSetting, cancellationToken);
    }

    public Task<MessagingSetting> GetSettingAsync(string messageSettingId, CancellationToken cancellationToken = default)
    {
        var endpoint = GenesysEndpoints.GetMessagingSetting;
        return _transport.SendAsync(endpoint, endpoint.Path(messageSettingId), GenesysJsonContext.Default.MessagingSetting, cancellationToken);
    }

    public Task<EntityListing<MessagingSetting>> ListSettingsAsync(int pageSize = 25, int pageNumber = 1, CancellationToken cancellationToken = default)
    {
        var endpoint = GenesysEndpoints.ListMessagingSettings;
        var query = Query.Empty.With("pageSize", pageSize).With("pageNumber", pageNumber);
        return _transport.SendAsync(endpoint, endpoint.Path() + query, GenesysJsonContext.Default.EntityListingMessagingSetting, cancellationToken);
    }

    public Task<MessagingSetting> UpdateSettingAsync(string messageSettingId, MessagingSetting setting, CancellationToken cancellationToken = default)
    {
        var endpoint = GenesysEndpoints.PatchMessagingSetting;
        return _transport.SendAsync(endpoint, endpoint.Path(messageSettingId), setting, GenesysJsonContext.Default.MessagingSetting, GenesysJsonContext.Default.MessagingSetting, cancellationToken);
    }

    /// <summary>
    /// Starts creating an integration: the answer's <see cref="OpenIntegration.CreateStatus"/> is usually
    /// <c>Initiated</c>; see <see cref="WaitForIntegrationCreatedAsync"/>.
    /// </summary>
    public Task<OpenIntegration> CreateOpenIntegrationAsync(OpenIntegrationRequest integration, CancellationToken cancellationToken = default)
    {
        var endpoint = GenesysEndpoints.CreateOpenIntegration;
        return _transport.SendAsync(endpoint, endpoint.Path(), integration, GenesysJsonContext.Default.OpenIntegrationRequest, GenesysJsonContext.Default.OpenIntegration, cancellationToken);
    }

    /// <param name="expand">E.g. <c>messagingSetting</c>, <c>supportedContent</c>.</param>
    public Task<OpenIntegration> GetOpenIntegrationAsync(string integrationId, IReadOnlyList<string>? expand = null, CancellationToken cancellationToken = default)
    {
        var endpoint = GenesysEndpoints.GetOpenIntegration;
        var query = Query.Empty.With("expand", expand is { Count: > 0 } ? string.Join(',', expand) : null);
        return _transport.SendAsync(endpoint, endpoint.Path(integrationId) + query, GenesysJsonContext.Default.OpenIntegration, cancellationToken);
    }

    public Task<EntityListing<OpenIntegration>> ListOpenIntegrationsAsync(int pageSize = 25, int pageNumber = 1, CancellationToken cancellationToken = default)
    {
        var endpoint = GenesysEndpoints.ListOpenIntegrations;
        var query = Query.Empty.With("pageSize", pageSize).With("pageNumber", pageNumber);
        return _transport.SendAsync(endpoint, endpoint.Path() + query, GenesysJsonContext.Default.EntityListingOpenIntegration, cancellationToken);
    }

    /// <summary>Updates an integration (<c>name</c> is required by Genesys), e.g. to rotate the webhook secret.</summary>
    public Task<OpenIntegration> UpdateOpenIntegrationAsync(string integrationId, OpenIntegrationRequest update, CancellationToken cancellationToken = default)
    {
        var endpoint = GenesysEndpoints.PatchOpenIntegration;
        return _transport.SendAsync(endpoint, endpoint.Path(integrationId), update, GenesysJsonContext.Default.OpenIntegrationRequest, GenesysJsonContext.Default.OpenIntegration, cancellationToken);
    }

    public Task DeleteOpenIntegrationAsync(string integrationId, CancellationToken cancellationToken = default)
    {
        var endpoint = GenesysEndpoints.DeleteOpenIntegration;
        return _transport.SendAsync(endpoint, endpoint.Path(integrationId), cancellationToken);
    }

    /// <summary>
    /// Polls until <c>createStatus</c> is <c>Completed</c> or <c>Error</c> and returns the integration (an <c>Error</c> is
    /// an answer, with <see cref="OpenIntegration.CreateError"/>); throws <see cref="TimeoutException"/> past
    /// <paramref name="deadline"/>.
    /// </summary>
    public async Task<OpenIntegration> WaitForIntegrationCreatedAsync(
        string integrationId, TimeSpan deadline, TimeSpan? pollInterval = null, CancellationToken cancellationToken = default)
    {
        var interval = pollInterval ?? TimeSpan.FromSeconds(2);
        var giveUpAt = _transport.Time.GetUtcNow() + deadline;
        while (true)
        {
            var integration = await GetOpenIntegrationAsync(integrationId, cancellationToken: cancellationToken);
            if (integration.CreateStatus is CreateStatuses.Completed or CreateStatuses.Error)
            {
                return integration;
            }

            if (_transport.Time.GetUtcNow() + interval > giveUpAt)
            {
                throw new TimeoutException(
                    $"Genesys integration {integrationId} was still '{integration.CreateStatus}' after {deadline.TotalSeconds:0.#} s.");
            }

            await Task.Delay(interval, _transport.Time, cancellationToken);
        }
    }
}

namespace PolyAi.Messaging.Genesys;

/// <summary>Queues, their members, and message routing recipients (integration → inbound message flow).</summary>
public sealed class RoutingApi
{
    private readonly GenesysTransport _transport;

    internal RoutingApi(GenesysTransport transport) => _transport = transport;

    /// <summary>Not retried after an unclear outcome: a repeat could create a second queue.</summary>
    public Task<Queue> CreateQueueAsync(CreateQueueRequest queue, CancellationToken cancellationToken = default)
    {
        var endpoint = GenesysEndpoints.CreateQueue;
        return _transport.SendAsync(endpoint, endpoint.Path(), queue, GenesysJsonContext.Default.CreateQueueRequest, GenesysJsonContext.Default.Queue, cancellationToken);
    }

    public Task<Queue> GetQueueAsync(string queueId, CancellationToken cancellationToken = default)
    {
        var endpoint = GenesysEndpoints.GetQueue;
        return _transport.SendAsync(endpoint, endpoint.Path(queueId), GenesysJsonContext.Default.Queue, cancellationToken);
    }

    public Task<EntityListing<Queue>> ListQueuesAsync(string? name = null, int pageSize = 25, int pageNumber = 1, CancellationToken cancellationToken = default)
    {
        var endpoint = GenesysEndpoints.ListQueues;
        var query = Query.Empty.With("name", name).With("pageSize", pageSize).With("pageNumber", pageNumber);
        return _transport.SendAsync(endpoint, endpoint.Path() + query, GenesysJsonContext.Default.EntityListingQueue, cancellationToken);
    }

    /// <summary>The queue with exactly this name (Genesys' <c>name</c> filter also matches prefixes), or null.</summary>
    public async Task<Queue?> FindQueueByNameAsync(string name, CancellationToken cancellationToken = default)
    {
        var page = await ListQueuesAsync(name, pageSize: 100, cancellationToken: cancellationToken);
        return page.Entities.FirstOrDefault(q => string.Equals(q.Name, name, StringComparison.OrdinalIgnoreCase));
    }

    public Task<EntityListing<QueueMember>> ListQueueMembersAsync(
        string queueId, bool? joined = null, int pageSize = 100, int pageNumber = 1, bool expandRoutingStatus = true, CancellationToken cancellationToken = default)
    {
        var endpoint = GenesysEndpoints.ListQueueMembers;
        var query = Query.Empty.With("joined", joined).With("pageSize", pageSize).With("pageNumber", pageNumber)
            .With("expand", expandRoutingStatus ? "routingStatus" : null);
        return _transport.SendAsync(endpoint, endpoint.Path(queueId) + query, GenesysJsonContext.Default.EntityListingQueueMember, cancellationToken);
    }

    /// <summary>Adds users (at most 100) to a queue; with <paramref name="delete"/> removes them instead.</summary>
    public Task AddQueueMembersAsync(string queueId, IReadOnlyList<string> userIds, bool delete = false, CancellationToken cancellationToken = default)
    {
        ArgumentOutOfRangeException.ThrowIfGreaterThan(userIds.Count, 100);
        var endpoint = GenesysEndpoints.AddQueueMembers;
        IReadOnlyList<QueueMemberUpdate> body = [.. userIds.Select(id => new QueueMemberUpdate { Id = id })];
        return _transport.SendAsync(endpoint, endpoint.Path(queueId) + Query.Empty.With("delete", delete ? true : null), body, GenesysJsonContext.Default.IReadOnlyListQueueMemberUpdate, cancellationToken);
    }

    /// <summary>Joins (or unjoins) members; Genesys applies it asynchronously.</summary>
    public Task JoinQueueMembersAsync(string queueId, IReadOnlyList<string> userIds, bool joined = true, CancellationToken cancellationToken = default)
    {
        ArgumentOutOfRangeException.ThrowIfGreaterThan(userIds.Count, 100);
        var endpoint = GenesysEndpoints.PatchQueueMembers;
        IReadOnlyList<QueueMemberUpdate> body = [.. userIds.Select(id => new QueueMemberUpdate { Id = id, Joined = joined })];
        return _transport.SendAsync(endpoint, endpoint.Path(queueId), body, GenesysJsonContext.Default.IReadOnlyListQueueMemberUpdate, cancellationToken);
    }

    public Task<Recipient> GetRecipientAsync(string recipientId, CancellationToken cancellationToken = default)
    {
        var endpoint = GenesysEndpoints.GetRecipient;
        return _transport.SendAsync(endpoint, endpoint.Path(recipientId), GenesysJsonContext.Default.Recipient, cancellationToken);
    }

    /// <summary>Binds a recipient (the integration's <c>recipient.id</c>) to an inbound message flow.</summary>
    public Task<Recipient> SetRecipientFlowAsync(string recipientId, string flowId, CancellationToken cancellationToken = default)
    {
        var endpoint = GenesysEndpoints.PutRecipient;
        var body = new RecipientRequest { Flow = EntityRef.To(flowId) };
        return _transport.SendAsync(endpoint, endpoint.Path(recipientId), body, GenesysJsonContext.Default.RecipientRequest, GenesysJsonContext.Default.Recipient, cancellationToken);
    }

    public Task<EntityListing<Recipient>> ListRecipientsAsync(string? messengerType = "open", int pageSize = 100, int pageNumber = 1, CancellationToken cancellationToken = default)
    {
        var endpoint = GenesysEndpoints.ListRecipients;
        var query = Query.Empty.With("messengerType", messengerType).With("pageSize", pageSize).With("pageNumber", pageNumber);
        return _transport.SendAsync(endpoint, endpoint.Path() + query, GenesysJsonContext.Default.EntityListingRecipient, cancellationToken);
    }
}

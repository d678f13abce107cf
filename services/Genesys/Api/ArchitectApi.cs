using System.Text;

namespace PolyAi.Messaging.Genesys;

/// <summary>Architect flows: deploy YAML through a job (register → presigned upload → poll), publish, look up.</summary>
public sealed class ArchitectApi
{
    private readonly GenesysTransport _transport;

    internal ArchitectApi(GenesysTransport transport) => _transport = transport;

    /// <summary>Registers a job; the answer says where to upload the YAML and with which headers.</summary>
    public Task<FlowJobRegistration> CreateJobAsync(CancellationToken cancellationToken = default)
    {
        var endpoint = GenesysEndpoints.CreateFlowJob;
        return _transport.SendAsync(endpoint, endpoint.Path(), new FlowJobRequest(), GenesysJsonContext.Default.FlowJobRequest, GenesysJsonContext.Default.FlowJobRegistration, cancellationToken);
    }

    /// <summary>PUTs the flow YAML to the job's presigned URL with exactly the returned headers and no bearer.</summary>
    public Task UploadJobAsync(FlowJobRegistration job, string yaml, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(job);
        if (!Uri.TryCreate(job.PresignedUrl, UriKind.Absolute, out var url))
        {
            throw new ArgumentException($"Flow job {job.Id} has no presigned URL.", nameof(job));
        }

        return _transport.UploadAsync(url, job.Headers, Encoding.UTF8.GetBytes(yaml), cancellationToken);
    }

    public Task<FlowJob> GetJobAsync(string jobId, CancellationToken cancellationToken = default)
    {
        var endpoint = GenesysEndpoints.GetFlowJob;
        return _transport.SendAsync(endpoint, endpoint.Path(jobId) + Query.Empty.With("expand", "messages"), GenesysJsonContext.Default.FlowJob, cancellationToken);
    }

    /// <summary>Polls until the job is <c>Success</c> or <c>Failure</c> (returned, with messages); throws <see cref="TimeoutException"/> past the deadline.</summary>
    public async Task<FlowJob> WaitForJobAsync(string jobId, TimeSpan deadline, TimeSpan? pollInterval = null, CancellationToken cancellationToken = default)
    {
        var interval = pollInterval ?? TimeSpan.FromSeconds(5);
        var giveUpAt = _transport.Time.GetUtcNow() + deadline;
        while (true)
        {
            var job = await GetJobAsync(jobId, cancellationToken);
            if (job.IsFinished)
            {
                return job;
            }

            if (_transport.Time.GetUtcNow() + interval > giveUpAt)
            {
                throw new TimeoutException($"Architect job {jobId} was still '{job.Status}' after {deadline.TotalSeconds:0.#} s.");
            }

            await Task.Delay(interval, _transport.Time, cancellationToken);
        }
    }

    /// <summary>Register, upload, wait: a <c>Success</c> job has created and published the flow (<see cref="FlowJob.Flow"/>).</summary>
    public async Task<FlowJob> DeployFlowAsync(string yaml, TimeSpan deadline, TimeSpan? pollInterval = null, CancellationToken cancellationToken = default)
    {
        var registration = await CreateJobAsync(cancellationToken);
        await UploadJobAsync(registration, yaml, cancellationToken);
        return await WaitForJobAsync(registration.Id ?? throw new GenesysResponseException($"Genesys {GenesysEndpoints.CreateFlowJob.Name} answered without a job id."), deadline, pollInterval, cancellationToken);
    }

    /// <summary>Publishes the flow's checked-in version (asynchronous on Genesys' side).</summary>
    public Task<ArchitectOperation> PublishFlowAsync(string flowId, string? version = null, CancellationToken cancellationToken = default)
    {
        var endpoint = GenesysEndpoints.PublishFlow;
        var query = Query.Empty.With("flow", flowId).With("version", version);
        return _transport.SendAsync(endpoint, endpoint.Path() + query, GenesysJsonContext.Default.ArchitectOperation, cancellationToken);
    }

    /// <summary>
    /// Publishes and waits until the flow shows a published version: Genesys answers the publish with an
    /// <see cref="ArchitectOperation"/> that completes asynchronously (Corrections 7). Throws
    /// <see cref="GenesysResponseException"/> when the operation fails, <see cref="TimeoutException"/> past the deadline.
    /// </summary>
    public async Task<Flow> PublishFlowAndWaitAsync(string flowId, TimeSpan deadline, TimeSpan? pollInterval = null, CancellationToken cancellationToken = default)
    {
        var operation = await PublishFlowAsync(flowId, cancellationToken: cancellationToken);
        if (operation.Failed)
        {
            throw new GenesysResponseException($"Publishing flow {flowId} failed: {string.Join("; ", (operation.Errors ?? []).Select(e => e.ToString()))}");
        }

        var interval = pollInterval ?? TimeSpan.FromSeconds(2);
        var giveUpAt = _transport.Time.GetUtcNow() + deadline;
        while (true)
        {
            var flow = await GetFlowAsync(flowId, cancellationToken);
            if (flow.PublishedVersion is not null)
            {
                return flow;
            }

            if (_transport.Time.GetUtcNow() + interval > giveUpAt)
            {
                throw new TimeoutException($"Flow {flowId} had no published version {deadline.TotalSeconds:0.#} s after the publish (operation {operation.ActionStatus}).");
            }

            await Task.Delay(interval, _transport.Time, cancellationToken);
        }
    }

    public Task<Flow> GetFlowAsync(string flowId, CancellationToken cancellationToken = default)
    {
        var endpoint = GenesysEndpoints.GetFlow;
        return _transport.SendAsync(endpoint, endpoint.Path(flowId), GenesysJsonContext.Default.Flow, cancellationToken);
    }

    /// <param name="type">E.g. <c>inboundshortmessage</c>.</param>
    public Task<EntityListing<Flow>> ListFlowsAsync(string? type = null, string? name = null, int pageSize = 25, int pageNumber = 1, CancellationToken cancellationToken = default)
    {
        var endpoint = GenesysEndpoints.ListFlows;
        var query = Query.Empty.With("type", type).With("name", name).With("pageSize", pageSize).With("pageNumber", pageNumber);
        return _transport.SendAsync(endpoint, endpoint.Path() + query, GenesysJsonContext.Default.EntityListingFlow, cancellationToken);
    }

    /// <summary>The flow of this type with exactly this name, or null.</summary>
    public async Task<Flow?> FindFlowByNameAsync(string type, string name, CancellationToken cancellationToken = default)
    {
        var page = await ListFlowsAsync(type, name, pageSize: 100, cancellationToken: cancellationToken);
        return page.Entities.FirstOrDefault(f => string.Equals(f.Name, name, StringComparison.OrdinalIgnoreCase));
    }
}

namespace PolyAi.Messaging.DevSidecar.PubSub;

/// <summary>
/// Every message published to one topic of one pubsub, in publish order. Subscriptions read it by position,
/// like consumer groups on a stream, so each subscribing app gets its own copy and nothing is removed.
/// </summary>
internal sealed class TopicLog
{
    private readonly Lock _gate = new();
    private readonly List<TopicMessage> _messages = [];
    private TaskCompletionSource _appended = new(TaskCreationOptions.RunContinuationsAsynchronously);

    public int Count
    {
        get
        {
            lock (_gate)
            {
                return _messages.Count;
            }
        }
    }

    public void Append(TopicMessage message)
    {
        TaskCompletionSource appended;
        lock (_gate)
        {
            _messages.Add(message);
            appended = _appended;
            _appended = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        }

        appended.SetResult();
    }

    /// <summary>The message at <paramref name="position"/>, waiting until it has been published.</summary>
    public async Task<TopicMessage> ReadAsync(int position, CancellationToken cancellationToken)
    {
        while (true)
        {
            Task appended;
            lock (_gate)
            {
                if (position < _messages.Count)
                {
                    return _messages[position];
                }

                appended = _appended.Task;
            }

            await appended.WaitAsync(cancellationToken);
        }
    }

    public IReadOnlyList<TopicMessage> Snapshot()
    {
        lock (_gate)
        {
            return [.. _messages];
        }
    }
}

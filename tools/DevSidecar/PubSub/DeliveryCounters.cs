namespace PolyAi.Messaging.DevSidecar.PubSub;

/// <summary>What happened to the messages of one subscription so far; read by <c>GET /dev/deliveries</c>.</summary>
internal sealed class DeliveryCounters
{
    private long _delivered;
    private long _retried;
    private long _dropped;
    private long _deadLettered;
    private long _settled;

    public long Delivered => Interlocked.Read(ref _delivered);

    public long Retried => Interlocked.Read(ref _retried);

    public long Dropped => Interlocked.Read(ref _dropped);

    public long DeadLettered => Interlocked.Read(ref _deadLettered);

    /// <summary>Messages acknowledged, dropped or dead-lettered: the subscription's position in its topic.</summary>
    public long Settled => Interlocked.Read(ref _settled);

    public void CountDelivered() => Interlocked.Increment(ref _delivered);

    public void CountRetried() => Interlocked.Increment(ref _retried);

    public void CountDropped() => Interlocked.Increment(ref _dropped);

    public void CountDeadLettered() => Interlocked.Increment(ref _deadLettered);

    public void CountSettled() => Interlocked.Increment(ref _settled);
}

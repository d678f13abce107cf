namespace PolyAi.Messaging.ServiceDefaults;

/// <summary>
/// A token bucket that can be looked at without taking, and charged after the fact (the edge's webhook gate decides
/// before forwarding whether there is room, and charges once it knows what the verifier said), or taken from at once
/// (<see cref="TryTake"/>). Charges past empty go into
/// debt (down to minus the burst), so requests that were already in flight when the bucket ran dry still count.
/// </summary>
public sealed class TokenBucket
{
    private readonly Lock _gate = new();
    private readonly double _burst;
    private readonly double _perSecond;
    private double _tokens;
    private long _stamp;

    public TokenBucket(double burst, double perSecond, long now)
    {
        _burst = burst;
        _perSecond = perSecond;
        _tokens = burst;
        _stamp = now;
    }

    /// <summary>True when at least one token is there at <paramref name="now"/> (timestamps of <see cref="TimeProvider"/>).</summary>
    public bool HasRoom(long now, TimeProvider time)
    {
        lock (_gate)
        {
            Refill(now, time);
            return _tokens >= 1;
        }
    }

    /// <summary>Takes a token if one is there; never goes into debt.</summary>
    public bool TryTake(long now, TimeProvider time)
    {
        lock (_gate)
        {
            Refill(now, time);
            if (_tokens < 1)
            {
                return false;
            }

            _tokens -= 1;
            return true;
        }
    }

    public void Charge(long now, TimeProvider time)
    {
        lock (_gate)
        {
            Refill(now, time);
            _tokens = Math.Max(_tokens - 1, -_burst);
        }
    }

    /// <summary>Whole seconds until one token is back (at least 1).</summary>
    public int SecondsUntilRoom(long now, TimeProvider time)
    {
        lock (_gate)
        {
            Refill(now, time);
            return Math.Max(1, (int)Math.Ceiling((1 - _tokens) / _perSecond));
        }
    }

    /// <summary>True when the bucket holds <paramref name="burst"/> and refills at <paramref name="perSecond"/>.</summary>
    public bool Sized(double burst, double perSecond) => _burst == burst && _perSecond == perSecond;

    /// <summary>A bucket of another size, as full (in proportion) as this one is now: a new allowance neither forgives debt nor takes tokens away.</summary>
    public TokenBucket Resized(double burst, double perSecond, long now, TimeProvider time)
    {
        lock (_gate)
        {
            Refill(now, time);
            return new TokenBucket(burst, perSecond, now) { _tokens = _tokens / _burst * burst };
        }
    }

    /// <summary>Full again: forgetting it changes nothing, so it may be evicted.</summary>
    public bool IsFull(long now, TimeProvider time)
    {
        lock (_gate)
        {
            Refill(now, time);
            return _tokens >= _burst;
        }
    }

    private void Refill(long now, TimeProvider time)
    {
        if (now <= _stamp)
        {
            return;
        }

        _tokens = Math.Min(_burst, _tokens + (time.GetElapsedTime(_stamp, now).TotalSeconds * _perSecond));
        _stamp = now;
    }
}

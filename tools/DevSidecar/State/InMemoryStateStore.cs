using PolyAi.Messaging.DevSidecar.Components;

namespace PolyAi.Messaging.DevSidecar.State;

/// <summary>
/// A <c>state.in-memory</c> component: one key space shared by every app of the process, kept apart
/// only by the component's <c>keyPrefix</c> (appid by default, as in daprd).
/// </summary>
internal sealed class InMemoryStateStore(ComponentDefinition definition, TimeProvider time)
{
    private const string KeySeparator = "||";

    private readonly Lock _gate = new();
    private readonly Dictionary<string, StoredState> _items = new(StringComparer.Ordinal);
    private readonly string? _keyPrefix = definition.MetadataValue("keyPrefix");

    public ComponentDefinition Definition { get; } = definition;

    /// <summary>Keys read and written through this store, by namespace (<c>/dev/state-ops</c>).</summary>
    public StateOperationCounters Operations { get; } = new();

    /// <summary>The key as stored: <c>appid||key</c>, <c>storename||key</c>, <c>custom||key</c> or the bare key.</summary>
    public string StorageKey(string appId, string key)
    {
        if (string.IsNullOrEmpty(key))
        {
            throw DaprApiException.InvalidArgument("ERR_MALFORMED_REQUEST", "state key is empty");
        }

        if (key.Contains(KeySeparator, StringComparison.Ordinal))
        {
            throw DaprApiException.InvalidArgument("ERR_MALFORMED_REQUEST", $"input key/keyPrefix '{key}' can't contain '{KeySeparator}'");
        }

        var prefix = _keyPrefix?.ToLowerInvariant() switch
        {
            null or "appid" or "namespace" => appId,
            "none" => null,
            "name" => Definition.Name,
            _ => _keyPrefix,
        };
        return prefix is null ? key : prefix + KeySeparator + key;
    }

    public StoredState? Get(string storageKey)
    {
        StoredState? state;
        lock (_gate)
        {
            state = Live(storageKey);
        }

        Operations.Read(storageKey, state?.Value.Length ?? 0);
        return state;
    }

    /// <summary>Applies all writes or none; false when a precondition (etag, first-write) does not hold.</summary>
    public bool TryApply(IReadOnlyList<StateWrite> writes)
    {
        lock (_gate)
        {
            var now = time.GetUtcNow();
            var staged = new Dictionary<string, StoredState?>(StringComparer.Ordinal);
            foreach (var write in writes)
            {
                var current = staged.TryGetValue(write.Key, out var pending) ? pending : Live(write.Key);
                if ((write.MustBeAbsent && current is not null) ||
                    (write.ExpectedVersion is { } expected && current?.Version != expected))
                {
                    Operations.Refused(write.Key);
                    return false;
                }

                staged[write.Key] = write.Operation == StateOperation.Delete
                    ? null
                    : new StoredState(write.Value, (current?.Version ?? 0) + 1, now + write.TimeToLive);
            }

            foreach (var write in writes)
            {
                Operations.Written(write.Key, write.Value.Length);
            }

            foreach (var (key, state) in staged)
            {
                if (state is null)
                {
                    _items.Remove(key);
                }
                else
                {
                    _items[key] = state;
                }
            }

            return true;
        }
    }

    private StoredState? Live(string storageKey)
    {
        if (!_items.TryGetValue(storageKey, out var state))
        {
            return null;
        }

        if (state.ExpiresAt <= time.GetUtcNow())
        {
            _items.Remove(storageKey);
            return null;
        }

        return state;
    }
}

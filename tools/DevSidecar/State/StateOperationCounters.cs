using System.Collections.Concurrent;

namespace PolyAi.Messaging.DevSidecar.State;

/// <summary>
/// What a state store was asked to do, by the first segment of the key (<c>handoff</c>, <c>agent</c>, <c>tenants</c>…:
/// each service's keys start with its name): keys read and written, their bytes, writes refused by a precondition.
/// For benchmarks (issue 14: state-store operations per session); daprd has no such report. At most
/// <see cref="MaxNamespaces"/> namespaces are kept; others count under <c>other</c>.
/// </summary>
internal sealed class StateOperationCounters
{
    public const int MaxNamespaces = 64;

    private readonly ConcurrentDictionary<string, Counts> _counts = new(StringComparer.Ordinal);

    public void Read(string key, int bytes)
    {
        var counts = Of(key);
        Interlocked.Increment(ref counts.Reads);
        Interlocked.Add(ref counts.ReadBytes, bytes);
    }

    public void Written(string key, int bytes)
    {
        var counts = Of(key);
        Interlocked.Increment(ref counts.Writes);
        Interlocked.Add(ref counts.WriteBytes, bytes);
    }

    public void Refused(string key) => Interlocked.Increment(ref Of(key).Refused);

    public IReadOnlyList<StateOperationsReport> Report() =>
    [
        .. _counts.OrderBy(p => p.Key, StringComparer.Ordinal).Select(p => new StateOperationsReport(
            p.Key, Interlocked.Read(ref p.Value.Reads), Interlocked.Read(ref p.Value.ReadBytes),
            Interlocked.Read(ref p.Value.Writes), Interlocked.Read(ref p.Value.WriteBytes), Interlocked.Read(ref p.Value.Refused))),
    ];

    /// <summary>The namespace of a storage key (<c>prefix||handoff/sessions/…</c> → <c>handoff</c>).</summary>
    public static string NamespaceOf(string storageKey)
    {
        var separator = storageKey.IndexOf("||", StringComparison.Ordinal);
        var key = separator < 0 ? storageKey : storageKey[(separator + 2)..];
        var slash = key.IndexOf('/', StringComparison.Ordinal);
        return slash <= 0 ? key : key[..slash];
    }

    private Counts Of(string storageKey)
    {
        var name = NamespaceOf(storageKey);
        if (_counts.TryGetValue(name, out var counts))
        {
            return counts;
        }

        return _counts.Count >= MaxNamespaces ? _counts.GetOrAdd("other", _ => new Counts()) : _counts.GetOrAdd(name, _ => new Counts());
    }

    private sealed class Counts
    {
        public long Reads;
        public long ReadBytes;
        public long Writes;
        public long WriteBytes;
        public long Refused;
    }
}

/// <summary>One namespace's totals since the sidecar started.</summary>
internal sealed record StateOperationsReport(string Namespace, long Reads, long ReadBytes, long Writes, long WriteBytes, long Refused);

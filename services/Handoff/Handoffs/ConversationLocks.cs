using System.Collections.Concurrent;
using PolyAi.Messaging.Contracts;

namespace PolyAi.Messaging.Handoff.Handoffs;

/// <summary>
/// One start or forward at a time per conversation in this replica: a retry racing its original waits and then sees
/// what the original did (the agent calls one replica per conversation at a time). An entry lives only while a call
/// holds or waits for it, so the map holds the conversations being called now and nothing after.
/// </summary>
public sealed class ConversationLocks
{
    private readonly ConcurrentDictionary<string, Entry> _locks = new(StringComparer.Ordinal);

    /// <summary>Conversations with a call holding or waiting for their lock.</summary>
    public int Count => _locks.Count;

    public async Task<IDisposable> EnterAsync(TenantKey tenant, string conversationId, CancellationToken ct)
    {
        var key = $"{tenant}/{conversationId}";
        while (true)
        {
            var entry = _locks.GetOrAdd(key, _ => new Entry(this, key));
            if (!entry.TryJoin())
            {
                continue; // its last user just removed it: take (or make) the next one
            }

            try
            {
                await entry.Gate.WaitAsync(ct);
            }
            catch
            {
                entry.Leave(entered: false);
                throw;
            }

            return new Release(entry);
        }
    }

    private sealed class Release(Entry entry) : IDisposable
    {
        public void Dispose() => entry.Leave(entered: true);
    }

    /// <summary>A conversation's lock and how many calls hold or wait for it; the last one out removes it.</summary>
    private sealed class Entry(ConversationLocks owner, string key)
    {
        private readonly Lock _count = new();
        private int _users;

        public SemaphoreSlim Gate { get; } = new(1, 1);

        public bool TryJoin()
        {
            lock (_count)
            {
                if (_users < 0)
                {
                    return false;
                }

                _users++;
                return true;
            }
        }

        public void Leave(bool entered)
        {
            if (entered)
            {
                Gate.Release();
            }

            lock (_count)
            {
                if (--_users == 0)
                {
                    _users = -1;
                    owner._locks.TryRemove(new KeyValuePair<string, Entry>(key, this));
                    Gate.Dispose();
                }
            }
        }
    }
}

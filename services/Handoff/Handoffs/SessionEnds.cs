using PolyAi.Messaging.Contracts;

namespace PolyAi.Messaging.Handoff.Handoffs;

/// <summary>
/// Where an ended session is announced inside the service, so the lifecycle (which ends sessions) and the notification
/// watcher (which stops watching them, and reports to the lifecycle) need not hold each other: both take this in their
/// constructors instead.
/// </summary>
public sealed class SessionEnds
{
    private readonly List<Action<TenantKey, string>> _listeners = [];

    /// <summary>Called with the tenant and the Genesys conversation id of every session that ends.</summary>
    public void Subscribe(Action<TenantKey, string> listener)
    {
        lock (_listeners)
        {
            _listeners.Add(listener);
        }
    }

    public void Ended(TenantKey tenant, string genesysConversationId)
    {
        Action<TenantKey, string>[] listeners;
        lock (_listeners)
        {
            listeners = [.. _listeners];
        }

        foreach (var listener in listeners)
        {
            listener(tenant, genesysConversationId);
        }
    }
}

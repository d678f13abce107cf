using System.Collections;

namespace PolyAi.Messaging.ServiceDefaults;

/// <summary>
/// The one log scope: fixed key names in every service (<c>tenant</c>, <c>conversationId</c>, …), only the ids
/// given, and a readable text where the JSON console prints a scope's message
/// (<c>tenant=a/p/e conversationId=c-1</c>, not a dictionary's type name).
/// <c>logger.BeginScope(LogScope.Of(tenant: …, conversationId: …))</c>.
/// </summary>
public sealed class LogScope : IReadOnlyList<KeyValuePair<string, object?>>
{
    private readonly List<KeyValuePair<string, object?>> _items = new(4);

    private LogScope()
    {
    }

    public static LogScope Of(
        string? tenant = null, string? conversationId = null, string? messageId = null, string? genesysConversationId = null,
        string? notificationId = null, string? customerId = null, string? handoffStatus = null)
    {
        var scope = new LogScope();
        scope.Add("tenant", tenant);
        scope.Add("conversationId", conversationId);
        scope.Add("messageId", messageId);
        scope.Add("genesysConversationId", genesysConversationId);
        scope.Add("notificationId", notificationId);
        scope.Add("customerId", customerId);
        scope.Add("handoffStatus", handoffStatus);
        return scope;
    }

    public int Count => _items.Count;

    public KeyValuePair<string, object?> this[int index] => _items[index];

    public IEnumerator<KeyValuePair<string, object?>> GetEnumerator() => _items.GetEnumerator();

    IEnumerator IEnumerable.GetEnumerator() => GetEnumerator();

    public override string ToString() => string.Join(' ', _items.Select(i => $"{i.Key}={i.Value}"));

    private void Add(string key, string? value)
    {
        if (value is not null)
        {
            _items.Add(new KeyValuePair<string, object?>(key, value));
        }
    }
}

using PolyAi.Messaging.Genesys.OpenMessaging;

namespace PolyAi.Messaging.Genesys;

/// <summary>
/// Provider → Genesys Open Messaging (permission <c>conversation:message:receive</c>). These POSTs are retried after an
/// unclear outcome (502/503/504, timeout): every message carries our own <c>channel.messageId</c> and time, so a
/// repeat is the same message, recognisable by id, rather than a new one.
/// </summary>
public sealed class OpenMessagingApi
{
    private readonly GenesysTransport _transport;

    internal OpenMessagingApi(GenesysTransport transport) => _transport = transport;

    /// <summary>
    /// Sends a customer message. The same <c>channel.from.id</c> joins the customer's active conversation, else starts
    /// one; with <paramref name="prefetchConversationId"/> the answer carries its <c>conversationId</c>.
    /// </summary>
    public Task<NormalizedMessage> SendMessageAsync(
        string integrationId, InboundOpenMessage message, bool prefetchConversationId = false, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(message);
        if (string.IsNullOrWhiteSpace(message.Channel.MessageId))
        {
            throw new ArgumentException("An inbound message needs our own channel.messageId, so that a retried send is recognisable.", nameof(message));
        }

        if (string.IsNullOrEmpty(message.Text) && message.Content is not { Count: > 0 })
        {
            throw new ArgumentException("An inbound message needs text or content.", nameof(message));
        }

        var endpoint = GenesysEndpoints.InboundMessage;
        var path = endpoint.Path(integrationId) + Query.Empty.With("prefetchConversationId", prefetchConversationId ? true : null);
        return _transport.SendAsync(endpoint, path, message, GenesysJsonContext.Default.InboundOpenMessage, GenesysJsonContext.Default.NormalizedMessage, cancellationToken);
    }

    /// <summary>Sends an event (the customer is typing). Genesys ignores it unless inbound typing is enabled.</summary>
    public Task<NormalizedMessage> SendEventAsync(string integrationId, InboundOpenEvent openEvent, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(openEvent);
        var endpoint = GenesysEndpoints.InboundEvent;
        return _transport.SendAsync(endpoint, endpoint.Path(integrationId), openEvent, GenesysJsonContext.Default.InboundOpenEvent, GenesysJsonContext.Default.NormalizedMessage, cancellationToken);
    }

    /// <summary>Reports whether an agent's message (by its Genesys outbound <c>id</c>) reached the customer.</summary>
    public Task<NormalizedMessage> SendReceiptAsync(string integrationId, InboundReceipt receipt, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(receipt);
        if (receipt.Status is not (ReceiptStatuses.Delivered or ReceiptStatuses.Failed))
        {
            throw new ArgumentException($"Genesys accepts only Delivered or Failed receipts, not '{receipt.Status}'.", nameof(receipt));
        }

        var endpoint = GenesysEndpoints.InboundReceipt;
        return _transport.SendAsync(endpoint, endpoint.Path(integrationId), receipt, GenesysJsonContext.Default.InboundReceipt, GenesysJsonContext.Default.NormalizedMessage, cancellationToken);
    }

    /// <summary>Sends the customer's answer to a quick reply or button.</summary>
    public Task<NormalizedMessage> SendStructuredResponseAsync(string integrationId, InboundStructuredResponse response, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(response);
        var endpoint = GenesysEndpoints.InboundStructuredResponse;
        return _transport.SendAsync(endpoint, endpoint.Path(integrationId), response, GenesysJsonContext.Default.InboundStructuredResponse, GenesysJsonContext.Default.NormalizedMessage, cancellationToken);
    }
}

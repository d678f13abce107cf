namespace PolyAi.Messaging.Genesys;

/// <summary>Message conversations: who is in them, and ending them.</summary>
public sealed class ConversationsApi
{
    private readonly GenesysTransport _transport;

    internal ConversationsApi(GenesysTransport transport) => _transport = transport;

    /// <summary>The conversation and its participants (states lowercase: <c>connected</c>, <c>disconnected</c>…).</summary>
    public Task<MessageConversation> GetMessageConversationAsync(string conversationId, CancellationToken cancellationToken = default)
    {
        var endpoint = GenesysEndpoints.GetMessageConversation;
        return _transport.SendAsync(endpoint, endpoint.Path(conversationId), GenesysJsonContext.Default.MessageConversation, cancellationToken);
    }

    /// <summary>A message by its Genesys id, with its <c>conversationId</c> and receipts.</summary>
    public Task<MessageDetails> GetMessageDetailsAsync(string messageId, CancellationToken cancellationToken = default)
    {
        var endpoint = GenesysEndpoints.GetMessageDetails;
        return _transport.SendAsync(endpoint, endpoint.Path(messageId), GenesysJsonContext.Default.MessageDetails, cancellationToken);
    }

    /// <summary>Disconnects one participant (e.g. the customer, when the customer leaves).</summary>
    public Task DisconnectParticipantAsync(string conversationId, string participantId, CancellationToken cancellationToken = default) =>
        UpdateParticipantAsync(conversationId, participantId, ParticipantUpdate.Disconnected, cancellationToken);

    public Task UpdateParticipantAsync(string conversationId, string participantId, ParticipantUpdate update, CancellationToken cancellationToken = default)
    {
        var endpoint = GenesysEndpoints.PatchMessageParticipant;
        return _transport.SendAsync(endpoint, endpoint.Path(conversationId, participantId), update, GenesysJsonContext.Default.ParticipantUpdate, cancellationToken);
    }

    /// <summary>Disconnects every participant of the conversation.</summary>
    public Task DisconnectConversationAsync(string conversationId, CancellationToken cancellationToken = default)
    {
        var endpoint = GenesysEndpoints.PatchMessageConversation;
        return _transport.SendAsync(endpoint, endpoint.Path(conversationId), ParticipantUpdate.Disconnected, GenesysJsonContext.Default.ParticipantUpdate, cancellationToken);
    }
}

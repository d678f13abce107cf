using System.Net.Http.Headers;
using Dapr.Client;
using Microsoft.Extensions.Options;
using PolyAi.Messaging.Agent.Chat;
using PolyAi.Messaging.Contracts;

namespace PolyAi.Messaging.Agent.Handoffs;

/// <summary>
/// The shared handoff token (<see cref="HandoffCallOptions.RpcTokenSecret"/>) the agent sends; one per process, so the
/// secret is read once a minute, not per call.
/// </summary>
public sealed class HandoffRpcToken(DaprClient dapr, IOptions<HandoffCallOptions> options, IOptions<ChatOptions> chat, TimeProvider time)
{
    private readonly SharedToken? _token = string.IsNullOrEmpty(options.Value.RpcTokenSecret)
        ? null
        : new SharedToken(dapr, chat.Value.SecretStore, options.Value.RpcTokenSecret, time);

    /// <summary>The token to send, or null when none is configured.</summary>
    public async ValueTask<string?> CurrentAsync(CancellationToken cancellationToken) =>
        _token is null ? null : await _token.CurrentAsync(cancellationToken);

    /// <summary>
    /// Puts the token on every gRPC call to the handoff service. A token that cannot be read fails the call as a
    /// connection failure would (gRPC <c>Unavailable</c>), which the channel retries.
    /// </summary>
    public sealed class Handler(HandoffRpcToken token) : DelegatingHandler
    {
        protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
        {
            string? value;
            try
            {
                value = await token.CurrentAsync(cancellationToken);
            }
            catch (SharedTokenUnavailableException e)
            {
                throw new HttpRequestException("The handoff token could not be read from the secret store.", e);
            }

            if (value is not null)
            {
                request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", value);
            }

            return await base.SendAsync(request, cancellationToken);
        }
    }
}

using System.Net;
using System.Net.Http.Json;
using Microsoft.Extensions.Logging;

namespace PolyAi.Messaging.DevSidecar.PubSub;

/// <summary>
/// Asks an app for its subscriptions with <c>GET /dapr/subscribe</c>, once, as daprd does — but first waits
/// for the app to come up, since in a local stack the sidecar usually starts before the app.
/// </summary>
internal sealed partial class SubscriptionDiscovery(HttpClient http, TimeProvider time, ILogger<SubscriptionDiscovery> logger)
{
    private static readonly TimeSpan PollInterval = TimeSpan.FromMilliseconds(250);

    public async Task<IReadOnlyList<Subscription>> DiscoverAsync(string appId, Uri appUrl, CancellationToken cancellationToken)
    {
        var declarations = await FetchAsync(appId, appUrl, cancellationToken);
        var subscriptions = new List<Subscription>();
        foreach (var declaration in declarations)
        {
            try
            {
                if (Subscription.FromDeclaration(appId, declaration) is not { } subscription)
                {
                    LogNoRoute(appId, declaration.Topic);
                }
                else if (subscriptions.Any(s => s.PubSub == subscription.PubSub && s.Topic == subscription.Topic))
                {
                    LogDuplicate(appId, subscription.PubSub, subscription.Topic);
                }
                else
                {
                    subscriptions.Add(subscription);
                    LogSubscribed(appId, subscription.PubSub, subscription.Topic);
                }
            }
            catch (FormatException e)
            {
                LogNotLoaded(appId, declaration.PubsubName, declaration.Topic, e.Message);
            }
        }

        return subscriptions;
    }

    private async Task<IReadOnlyList<SubscriptionDeclaration>> FetchAsync(string appId, Uri appUrl, CancellationToken cancellationToken)
    {
        var waitingLogged = false;
        while (true)
        {
            using var request = new HttpRequestMessage(HttpMethod.Get, appUrl.ToString().TrimEnd('/') + "/dapr/subscribe");
            request.Headers.Add("dapr-app-id", appId);
            try
            {
                using var response = await http.SendAsync(request, cancellationToken);
                if (response.StatusCode == HttpStatusCode.NotFound)
                {
                    LogNoSubscribeEndpoint(appId);
                    return [];
                }

                if (!response.IsSuccessStatusCode)
                {
                    LogSubscribeFailed(appId, (int)response.StatusCode);
                    return [];
                }

                return await response.Content.ReadFromJsonAsync(SidecarJsonContext.Default.IReadOnlyListSubscriptionDeclaration, cancellationToken) ?? [];
            }
            catch (HttpRequestException)
            {
                if (!waitingLogged)
                {
                    LogWaiting(appId, appUrl);
                    waitingLogged = true;
                }
            }

            await Task.Delay(PollInterval, time, cancellationToken);
        }
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "App {AppId}: subscription to {Topic} has no route; discarded")]
    private partial void LogNoRoute(string appId, string? topic);

    [LoggerMessage(Level = LogLevel.Error, Message = "App {AppId}: duplicate subscription to {PubSub}/{Topic}; only the first is used")]
    private partial void LogDuplicate(string appId, string pubSub, string topic);

    [LoggerMessage(Level = LogLevel.Information, Message = "App {AppId} subscribed to {PubSub}/{Topic}")]
    private partial void LogSubscribed(string appId, string pubSub, string topic);

    [LoggerMessage(Level = LogLevel.Error, Message = "App {AppId}: SUBSCRIPTION TO {PubSub}/{Topic} NOT LOADED: {Reason}")]
    private partial void LogNotLoaded(string appId, string? pubSub, string? topic, string reason);

    [LoggerMessage(Level = LogLevel.Information, Message = "App {AppId} has no /dapr/subscribe: no subscriptions")]
    private partial void LogNoSubscribeEndpoint(string appId);

    [LoggerMessage(Level = LogLevel.Error, Message = "App {AppId} answered {Status} on /dapr/subscribe: no subscriptions loaded")]
    private partial void LogSubscribeFailed(string appId, int status);

    [LoggerMessage(Level = LogLevel.Information, Message = "Waiting for app {AppId} at {AppUrl} to answer /dapr/subscribe")]
    private partial void LogWaiting(string appId, Uri appUrl);
}

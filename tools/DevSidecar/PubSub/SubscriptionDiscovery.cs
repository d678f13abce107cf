using System.Net;
using System.Net.Http.Json;
using Microsoft.Extensions.Logging;

namespace PolyAi.Messaging.DevSidecar.PubSub;

/// <summary>
/// Asks an app for its subscriptions with <c>GET /dapr/subscribe</c>, once, as daprd does — but first waits
/// for the app to come up, since in a local stack the sidecar usually starts before the app.
/// </summary>
internal sealed class SubscriptionDiscovery(HttpClient http, TimeProvider time, ILogger<SubscriptionDiscovery> logger)
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
                    logger.LogWarning("App {AppId}: subscription to {Topic} has no route; discarded", appId, declaration.Topic);
                }
                else if (subscriptions.Any(s => s.PubSub == subscription.PubSub && s.Topic == subscription.Topic))
                {
                    logger.LogError("App {AppId}: duplicate subscription to {PubSub}/{Topic}; only the first is used", appId, subscription.PubSub, subscription.Topic);
                }
                else
                {
                    subscriptions.Add(subscription);
                    logger.LogInformation("App {AppId} subscribed to {PubSub}/{Topic}", appId, subscription.PubSub, subscription.Topic);
                }
            }
            catch (FormatException e)
            {
                logger.LogError("App {AppId}: SUBSCRIPTION TO {PubSub}/{Topic} NOT LOADED: {Reason}", appId, declaration.PubsubName, declaration.Topic, e.Message);
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
                    logger.LogInformation("App {AppId} has no /dapr/subscribe: no subscriptions", appId);
                    return [];
                }

                if (!response.IsSuccessStatusCode)
                {
                    logger.LogError("App {AppId} answered {Status} on /dapr/subscribe: no subscriptions loaded", appId, (int)response.StatusCode);
                    return [];
                }

                return await response.Content.ReadFromJsonAsync(SidecarJsonContext.Default.IReadOnlyListSubscriptionDeclaration, cancellationToken) ?? [];
            }
            catch (HttpRequestException)
            {
                if (!waitingLogged)
                {
                    logger.LogInformation("Waiting for app {AppId} at {AppUrl} to answer /dapr/subscribe", appId, appUrl);
                    waitingLogged = true;
                }
            }

            await Task.Delay(PollInterval, time, cancellationToken);
        }
    }
}

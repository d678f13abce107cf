using Prometheus;

namespace PolyAi.Messaging.Genesys;

/// <summary>What a Genesys call is for: customers' messages first, housekeeping (end detection, reconciliation) second.</summary>
public enum GenesysPriority
{
    Customer,
    Housekeeping,
}

/// <summary>
/// The priority of the Genesys calls made in the current async flow: <see cref="GenesysPriority.Customer"/> unless a
/// caller opened a <see cref="Housekeeping"/> scope.
/// </summary>
public static class GenesysCallPriority
{
    private static readonly AsyncLocal<GenesysPriority?> Scoped = new();

    public static GenesysPriority Current => Scoped.Value ?? GenesysPriority.Customer;

    /// <summary>Calls made until the scope is disposed are housekeeping.</summary>
    public static IDisposable Housekeeping()
    {
        var previous = Scoped.Value;
        Scoped.Value = GenesysPriority.Housekeeping;
        return new Restore(previous);
    }

    private sealed class Restore(GenesysPriority? previous) : IDisposable
    {
        public void Dispose() => Scoped.Value = previous;
    }
}

/// <summary>
/// Genesys limits each OAuth client to a number of API requests a minute (300 for client credentials, genesys-facts
/// Corrections 3). A budget decides, before every attempt is sent, whether the client's share allows it.
/// </summary>
public interface IGenesysRequestBudget
{
    /// <param name="clientKey">The OAuth client the request is made as (environment and client id; no secret).</param>
    /// <returns>False: do not send (the request is refused with <see cref="GenesysBudgetExceededException"/>).</returns>
    ValueTask<bool> TryTakeAsync(string clientKey, GenesysPriority priority, CancellationToken cancellationToken);
}

/// <summary>The request was not sent: the OAuth client's request budget for this minute is spent for its priority.</summary>
public sealed class GenesysBudgetExceededException : Exception
{
    public GenesysBudgetExceededException(string endpoint, GenesysPriority priority)
        : base($"Genesys {endpoint} not sent: the request budget for {priority.ToString().ToLowerInvariant()} calls is spent for this minute.")
    {
        Endpoint = endpoint;
        Priority = priority;
    }

    public GenesysBudgetExceededException()
    {
        Endpoint = "";
    }

    public GenesysBudgetExceededException(string message)
        : base(message)
    {
        Endpoint = "";
    }

    public GenesysBudgetExceededException(string message, Exception innerException)
        : base(message, innerException)
    {
        Endpoint = "";
    }

    public string Endpoint { get; }

    public GenesysPriority Priority { get; }
}

/// <summary>Charges every attempt (below the retry) to the client's budget when one is registered.</summary>
internal sealed class GenesysBudgetHandler(IGenesysRequestBudget? budget) : DelegatingHandler
{
    private static readonly Counter Refused = Metrics.CreateCounter(
        "polyai_messaging_genesys_budget_refused_total",
        "Genesys requests not sent because the OAuth client's per-minute request budget was spent, by priority.",
        new CounterConfiguration { LabelNames = ["priority"] });

    internal static void ExportKnownSeries()
    {
        foreach (var priority in Enum.GetValues<GenesysPriority>())
        {
            Refused.WithLabels(priority.ToString().ToLowerInvariant());
        }
    }

    protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        if (budget is not null && request.Options.TryGetValue(GenesysHttp.BudgetKey, out var clientKey))
        {
            var priority = GenesysCallPriority.Current;
            if (!await budget.TryTakeAsync(clientKey, priority, cancellationToken))
            {
                Refused.WithLabels(priority.ToString().ToLowerInvariant()).Inc();
                var endpoint = request.Options.TryGetValue(GenesysHttp.EndpointKey, out var e) ? e.Name : "request";
                throw new GenesysBudgetExceededException(endpoint, priority);
            }
        }

        return await base.SendAsync(request, cancellationToken);
    }
}

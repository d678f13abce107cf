using System.Net;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json.Nodes;
using System.Threading.Channels;

namespace PolyAi.Messaging.GenesysSimulator.Webhooks;

/// <summary>
/// Posts outbound notifications to integrations' webhook URLs the way Genesys does: signed with
/// <c>X-Hub-Signature-256: sha256=&lt;Base64 HMAC-SHA256&gt;</c>, retried on timeout, 429 and 5xx (other 4xx are final),
/// one conversation's notifications in order.
/// </summary>
internal sealed partial class WebhookDispatcher : IAsyncDisposable
{
    // Like Genesys (Java/Jackson), write text as is: no \u escapes for apostrophes, accents or emoji.
    private static readonly System.Text.Json.JsonSerializerOptions BodyFormat = new() { Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

    private readonly HttpClient _http;
    private readonly GenesysSimulatorOptions _options;
    private readonly ILogger _logger;
    private readonly Lock _gate = new();
    private readonly List<Delivery> _deliveries = [];
    private readonly Dictionary<string, Channel<Delivery>> _lanes = new(StringComparer.Ordinal);
    private readonly List<Task> _workers = [];
    private readonly List<(string Id, WebhookFault Fault, int? Remaining)> _faults = [];
    private readonly CancellationTokenSource _stopping = new();

    public WebhookDispatcher(HttpClient http, GenesysSimulatorOptions options, ILogger<WebhookDispatcher> logger)
    {
        _http = http;
        _options = options;
        _logger = logger;
    }

    public static string Sign(string secret, byte[] body) =>
        "sha256=" + Convert.ToBase64String(HMACSHA256.HashData(Encoding.UTF8.GetBytes(secret), body));

    public void Enqueue(Uri url, string secret, IReadOnlyDictionary<string, string> headers, string? conversationId, JsonObject body)
    {
        var raw = body.ToJsonString(BodyFormat);
        var delivery = new Delivery((string?)body["id"] ?? Guid.NewGuid().ToString("N"), url, conversationId, raw, Sign(secret, Encoding.UTF8.GetBytes(raw)), headers);
        lock (_gate)
        {
            _deliveries.Add(delivery);
            var key = conversationId ?? delivery.Id;
            if (!_lanes.TryGetValue(key, out var lane))
            {
                lane = Channel.CreateUnbounded<Delivery>(new UnboundedChannelOptions { SingleReader = true });
                _lanes[key] = lane;
                _workers.Add(Task.Run(() => RunLaneAsync(lane.Reader, _stopping.Token)));
            }

            lane.Writer.TryWrite(delivery);
        }
    }

    public string AddFault(WebhookFault fault)
    {
        if (fault.Mode is not ("drop" or "delay"))
        {
            throw new ArgumentException("webhook fault mode must be 'drop' or 'delay'", nameof(fault));
        }

        var id = Guid.NewGuid().ToString("D");
        lock (_gate)
        {
            _faults.Add((id, fault, fault.Times));
        }

        return id;
    }

    public void ClearFaults()
    {
        lock (_gate)
        {
            _faults.Clear();
        }
    }

    public IReadOnlyList<WebhookDelivery> Deliveries()
    {
        lock (_gate)
        {
            return _deliveries.Select(d => d.Snapshot()).ToList();
        }
    }

    public async ValueTask DisposeAsync()
    {
        await _stopping.CancelAsync();
        Task[] workers;
        lock (_gate)
        {
            foreach (var lane in _lanes.Values)
            {
                lane.Writer.TryComplete();
            }

            workers = [.. _workers];
        }

        await Task.WhenAll(workers).ContinueWith(_ => { }, TaskScheduler.Default);
        _stopping.Dispose();
    }

    private async Task RunLaneAsync(ChannelReader<Delivery> lane, CancellationToken stopping)
    {
        try
        {
            await foreach (var delivery in lane.ReadAllAsync(stopping))
            {
                await DeliverAsync(delivery, stopping);
            }
        }
        catch (OperationCanceledException) when (stopping.IsCancellationRequested)
        {
        }
    }

    private async Task DeliverAsync(Delivery delivery, CancellationToken stopping)
    {
        var fault = TakeFault();
        if (fault?.Mode == "drop")
        {
            delivery.Finish("dropped", _gate);
            return;
        }

        if (fault?.Mode == "delay")
        {
            await Task.Delay(TimeSpan.FromMilliseconds(fault.DelayMs), _options.TimeProvider, stopping);
        }

        for (var attempt = 0; ; attempt++)
        {
            var (status, error) = await AttemptAsync(delivery, stopping);
            delivery.Record(new DeliveryAttempt(_options.TimeProvider.GetUtcNow(), status, error), _gate);
            if (status is >= 200 and < 300)
            {
                delivery.Finish("delivered", _gate);
                return;
            }

            var retryable = status is null or 429 or >= 500;
            if (!retryable || attempt >= _options.WebhookMaxRetries)
            {
                LogGaveUp(delivery.Id, delivery.Url, attempt + 1, status, error);
                delivery.Finish("failed", _gate);
                return;
            }

            await Task.Delay(_options.WebhookRetryInterval, _options.TimeProvider, stopping);
        }
    }

    private async Task<(int? Status, string? Error)> AttemptAsync(Delivery delivery, CancellationToken stopping)
    {
        using var timeout = new CancellationTokenSource(_options.WebhookTimeout, _options.TimeProvider);
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(timeout.Token, stopping);
        using var request = new HttpRequestMessage(HttpMethod.Post, delivery.Url)
        {
            Content = new StringContent(delivery.Body, Encoding.UTF8, "application/json"),
        };
        request.Headers.TryAddWithoutValidation("X-Hub-Signature-256", delivery.Signature);
        foreach (var (name, value) in delivery.Headers)
        {
            request.Headers.TryAddWithoutValidation(name, value);
        }

        try
        {
            using var response = await _http.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, linked.Token);
            return ((int)response.StatusCode, null);
        }
        catch (OperationCanceledException) when (timeout.IsCancellationRequested && !stopping.IsCancellationRequested)
        {
            return (null, "timeout");
        }
        catch (HttpRequestException e)
        {
            return (e.StatusCode is HttpStatusCode code ? (int)code : null, e.Message);
        }
    }

    private WebhookFault? TakeFault()
    {
        lock (_gate)
        {
            if (_faults.Count == 0)
            {
                return null;
            }

            var (id, fault, remaining) = _faults[0];
            if (remaining is { } left)
            {
                if (left <= 1)
                {
                    _faults.RemoveAt(0);
                }
                else
                {
                    _faults[0] = (id, fault, left - 1);
                }
            }

            return fault;
        }
    }

    private sealed class Delivery(string id, Uri url, string? conversationId, string body, string signature, IReadOnlyDictionary<string, string> headers)
    {
        private readonly List<DeliveryAttempt> _attempts = [];
        private string _outcome = "pending";

        public string Id => id;
        public Uri Url => url;
        public string Body => body;
        public string Signature => signature;
        public IReadOnlyDictionary<string, string> Headers => headers;

        public void Record(DeliveryAttempt attempt, Lock gate)
        {
            lock (gate)
            {
                _attempts.Add(attempt);
            }
        }

        public void Finish(string outcome, Lock gate)
        {
            lock (gate)
            {
                _outcome = outcome;
            }
        }

        public WebhookDelivery Snapshot() => new(id, url, conversationId, body, signature, [.. _attempts], _outcome);
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Webhook {Id} to {Url} failed after {Attempts} attempts (last: {Status} {Error})")]
    private partial void LogGaveUp(string id, Uri url, int attempts, int? status, string? error);
}

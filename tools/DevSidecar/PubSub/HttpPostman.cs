using System.Net;
using System.Net.Http.Headers;
using System.Text.Json;

namespace PolyAi.Messaging.DevSidecar.PubSub;

internal enum DeliveryOutcome
{
    Success,
    Retry,
    Drop,
}

/// <summary>The outcome of one delivery attempt and, for the log, why.</summary>
internal sealed record DeliveryResult(DeliveryOutcome Outcome, string Reason);

/// <summary>
/// POSTs one event to an app and reads its answer the way daprd's HTTP postman does
/// (dapr/dapr <c>pkg/runtime/subscription/postman/http</c>).
/// </summary>
internal sealed class HttpPostman(HttpClient http)
{
    /// <summary>daprd's <c>processingTimeout</c> default; an app slower than this gets the event again.</summary>
    public static readonly TimeSpan ProcessingTimeout = TimeSpan.FromSeconds(15);

    public async Task<DeliveryResult> DeliverAsync(Uri appUrl, string route, string pubSub, byte[] body, string? traceParent, CancellationToken cancellationToken)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, appUrl.ToString().TrimEnd('/') + route)
        {
            Content = new ByteArrayContent(body),
        };
        request.Content.Headers.ContentType = new MediaTypeHeaderValue(CloudEventEnvelope.MediaType);
        request.Headers.Add("pubsubName", pubSub);
        if (traceParent is not null)
        {
            request.Headers.TryAddWithoutValidation("traceparent", traceParent);
        }

        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(ProcessingTimeout);
        try
        {
            using var response = await http.SendAsync(request, timeout.Token);
            var answer = await response.Content.ReadAsByteArrayAsync(timeout.Token);
            return Interpret(response.StatusCode, answer);
        }
        catch (HttpRequestException e)
        {
            return new DeliveryResult(DeliveryOutcome.Retry, $"app unreachable: {e.Message}");
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            return new DeliveryResult(DeliveryOutcome.Retry, $"app did not answer within {ProcessingTimeout.TotalSeconds:0} s");
        }
    }

    private static DeliveryResult Interpret(HttpStatusCode status, byte[] answer)
    {
        if (status == HttpStatusCode.NotFound)
        {
            return new DeliveryResult(DeliveryOutcome.Drop, "app answered 404 (non-retriable)");
        }

        if ((int)status is < 200 or > 299)
        {
            return new DeliveryResult(DeliveryOutcome.Retry, $"app answered {(int)status}");
        }

        return AppStatus(answer)?.ToUpperInvariant() switch
        {
            null or "" or "SUCCESS" => new DeliveryResult(DeliveryOutcome.Success, "acknowledged"),
            "RETRY" => new DeliveryResult(DeliveryOutcome.Retry, "app answered RETRY"),
            "DROP" => new DeliveryResult(DeliveryOutcome.Drop, "app answered DROP"),
            var other => new DeliveryResult(DeliveryOutcome.Retry, $"app answered unknown status '{other}'"),
        };
    }

    // An empty or unparsable body on a 2xx counts as success, as in daprd.
    private static string? AppStatus(byte[] answer)
    {
        try
        {
            using var document = JsonDocument.Parse(answer);
            return document.RootElement.ValueKind == JsonValueKind.Object
                ? document.RootElement.EnumerateObject()
                    .FirstOrDefault(p => p.Name.Equals("status", StringComparison.OrdinalIgnoreCase)).Value is { ValueKind: JsonValueKind.String } s
                    ? s.GetString()
                    : null
                : null;
        }
        catch (JsonException)
        {
            return null;
        }
    }
}

using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.Extensions.Options;
using PolyAi.Messaging.Contracts;

namespace PolyAi.Messaging.Verifier.Webhooks;

/// <summary>The Genesys outbound notification webhook, and the one place verdicts become HTTP answers.</summary>
public static class WebhookApi
{
    public const string Route = "/webhooks/genesys/{accountId}/{projectId}/{clientEnv}/events";

    public static WebApplication MapWebhookApi(this WebApplication app)
    {
        app.MapPost(Route, ReceiveAsync);
        return app;
    }

    public static async Task<Results<Ok<WebhookAck>, ProblemHttpResult>> ReceiveAsync(
        string accountId, string projectId, string clientEnv, HttpContext context, [AsParameters] WebhookServices services)
    {
        var started = services.Time.GetTimestamp();
        var verdict = await services.Intake.ReceiveAsync(accountId, projectId, clientEnv, context.Request, context.RequestAborted);
        VerifierMetrics.Record(verdict.Outcome, services.Time.GetElapsedTime(started));
        return ToResult(verdict, context.Response, services.Options.Value);
    }

    // Bodies are generic on purpose: the same for every tenant, never an echo of a secret or of the request.
    private static Results<Ok<WebhookAck>, ProblemHttpResult> ToResult(WebhookVerdict verdict, HttpResponse response, VerifierOptions options) =>
        verdict.Outcome switch
        {
            WebhookOutcome.Accepted => Verified(response, verdict, "accepted"),
            WebhookOutcome.Duplicate => Verified(response, verdict, "duplicate"),
            WebhookOutcome.Unauthorized => Problem(StatusCodes.Status401Unauthorized, "Unauthorized",
                "The X-Hub-Signature-256 header is missing or does not sign this body."),
            WebhookOutcome.UnknownTenant => Problem(StatusCodes.Status404NotFound, "Not Found",
                "There is no webhook endpoint at this address."),
            WebhookOutcome.Invalid => Problem(StatusCodes.Status400BadRequest, "Bad Request",
                verdict.Detail ?? "The body is not an Open Messaging notification."),
            WebhookOutcome.TooLarge => Problem(StatusCodes.Status413PayloadTooLarge, "Payload Too Large",
                $"The body exceeds {options.MaxBodyBytes} bytes."),
            WebhookOutcome.TimedOut => Problem(StatusCodes.Status408RequestTimeout, "Request Timeout",
                $"The body did not arrive within {options.BodyReadTimeout.TotalSeconds:0.#} s."),
            WebhookOutcome.Overloaded or WebhookOutcome.Unavailable => RetryLater(response, options),
            _ => throw new ArgumentOutOfRangeException(nameof(verdict), verdict.Outcome, null),
        };

    private static Ok<WebhookAck> Verified(HttpResponse response, WebhookVerdict verdict, string status)
    {
        if (verdict.TenantRate is { } rate)
        {
            response.Headers[WebhookRateLimit.HeaderName] = rate.ToHeader();
        }

        return TypedResults.Ok(new WebhookAck(status));
    }

    private static ProblemHttpResult RetryLater(HttpResponse response, VerifierOptions options)
    {
        response.Headers.RetryAfter = options.RetryAfterSeconds.ToString(System.Globalization.CultureInfo.InvariantCulture);
        return Problem(StatusCodes.Status503ServiceUnavailable, "Service Unavailable",
            "The notification could not be accepted now; retry later.");
    }

    private static ProblemHttpResult Problem(int status, string title, string detail) =>
        TypedResults.Problem(detail: detail, statusCode: status, title: title);
}

/// <summary>What the webhook handler needs, gathered for <c>[AsParameters]</c>.</summary>
public sealed record WebhookServices(WebhookIntake Intake, TimeProvider Time, IOptions<VerifierOptions> Options);

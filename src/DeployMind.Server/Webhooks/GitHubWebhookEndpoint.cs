using System.Buffers;
using DeployMind.Application.Jobs;
using DeployMind.Application.Webhooks;
using DeployMind.Server.Metrics;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.Extensions.Options;

namespace DeployMind.Server.Webhooks;

/// <summary>
/// <c>POST /webhooks/github</c>. In this order: the size (over <c>server.maxWebhookBytes</c>: 413, without reading the
/// rest), the signature over the raw bytes (401), then the payload (400 when it is not what its event should be). A
/// delivery that queues a job answers 202 with the deployment's id once the job is stored; when it cannot be stored the
/// answer is 503, so GitHub can redeliver. Nothing is deployed inside the request.
/// </summary>
internal static partial class GitHubWebhookEndpoint
{
    public static void Map(IEndpointRouteBuilder endpoints) =>
        endpoints.MapPost("/webhooks/github", HandleAsync)
            .WithName("GitHubWebhook")
            .WithTags("webhooks")
            .WithSummary("Receives GitHub webhook deliveries (push, pull_request, ping), verified by X-Hub-Signature-256.")
            .Produces(StatusCodes.Status200OK)
            .Produces(StatusCodes.Status202Accepted)
            .ProducesProblem(StatusCodes.Status400BadRequest)
            .ProducesProblem(StatusCodes.Status401Unauthorized)
            .ProducesProblem(StatusCodes.Status413PayloadTooLarge)
            .ProducesProblem(StatusCodes.Status503ServiceUnavailable);

    private static async Task<IResult> HandleAsync(HttpContext http, WebhookIntake intake, WebhookSecrets secrets, IOptions<ServerOptions> options, ILoggerFactory loggers)
    {
        var logger = loggers.CreateLogger("DeployMind.Server.Webhooks");
        var request = http.Request;
        var eventName = request.Headers["X-GitHub-Event"].ToString();
        var label = ServerMetrics.EventLabel(eventName);
        var max = options.Value.MaxWebhookBytes;
        if (request.ContentLength > max)
        {
            return Answer(label, "too_large", Results.Problem(statusCode: StatusCodes.Status413PayloadTooLarge, title: "Payload too large",
                detail: $"The body is {request.ContentLength} bytes; the limit is {max} (server.maxWebhookBytes)."));
        }

        if (http.Features.Get<IHttpMaxRequestBodySizeFeature>() is { IsReadOnly: false } limit)
        {
            limit.MaxRequestBodySize = max;
        }

        var body = await ReadAsync(request.Body, max, http.RequestAborted);
        if (body is null)
        {
            return Answer(label, "too_large", Results.Problem(statusCode: StatusCodes.Status413PayloadTooLarge, title: "Payload too large",
                detail: $"The body is over the limit of {max} bytes (server.maxWebhookBytes)."));
        }

        if (secrets.Values.Count == 0)
        {
            LogNoSecret(logger);
            return Answer(label, "unauthorized", Results.Problem(statusCode: StatusCodes.Status401Unauthorized, title: "Webhooks are not configured",
                detail: $"This server has no webhook secret: set {options.Value.WebhookSecretVariable} to the secret of the GitHub webhook."));
        }

        if (!WebhookSignature.IsValid(request.Headers["X-Hub-Signature-256"].ToString() is { Length: > 0 } header ? header : null, body.Value.Span, secrets.Values))
        {
            return Answer(label, "unauthorized", Results.Problem(statusCode: StatusCodes.Status401Unauthorized, title: "Bad signature",
                detail: "X-Hub-Signature-256 is missing or is not the HMAC-SHA256 of this body under the webhook secret."));
        }

        var delivery = request.Headers["X-GitHub-Delivery"].ToString();
        if (eventName.Length is 0 or > 100 || delivery.Length is 0 or > 100 || !delivery.All(c => char.IsAsciiLetterOrDigit(c) || c is '-' or '_' or '.'))
        {
            return Answer(label, "bad_request", Results.Problem(statusCode: StatusCodes.Status400BadRequest, title: "Missing headers",
                detail: "X-GitHub-Event and X-GitHub-Delivery (letters, digits, '-', '_', '.', at most 100) are required."));
        }

        try
        {
            // Once verified, a delivery is stored whole or not at all: a client that hangs up must not leave a recorded
            // deployment without its job. Bounded, so a stuck store still answers (503) well inside GitHub's 10 s.
            using var bounded = new CancellationTokenSource(TimeSpan.FromSeconds(8));
            var outcome = await intake.HandleAsync(delivery, eventName, Payload(request.ContentType, body.Value), bounded.Token);
            var result = outcome.Result.ToString().ToLowerInvariant();
            if (outcome.Result == WebhookResult.Queued)
            {
                ServerMetrics.JobsQueued.WithLabels(outcome.Environment ?? "unknown", "webhook").Inc();
            }

            var payload = new WebhookAnswer(result, outcome.Detail, outcome.DeploymentId, outcome.Environment);
            return Answer(label, result, outcome.Result == WebhookResult.Pong ? Results.Ok(payload) : Results.Json(payload, statusCode: StatusCodes.Status202Accepted));
        }
        catch (WebhookPayloadException ex)
        {
            return Answer(label, "bad_request", Results.Problem(statusCode: StatusCodes.Status400BadRequest, title: "Unreadable payload", detail: ex.Message));
        }
        catch (Exception ex) when (ex is QueueUnavailableException or OperationCanceledException)
        {
            LogUnavailable(logger, delivery, ex.Message);
            http.Response.Headers.RetryAfter = "30";
            return Answer(label, "unavailable", Results.Problem(statusCode: StatusCodes.Status503ServiceUnavailable, title: "Cannot queue the deployment now",
                detail: $"{ex.Message}. Nothing was queued; redeliver later."));
        }
    }

    /// <summary>
    /// The event's JSON: the body itself, or — for a webhook set to <c>application/x-www-form-urlencoded</c> — its
    /// <c>payload</c> field (the signature covers the whole form body, so this runs after the check).
    /// </summary>
    /// <exception cref="WebhookPayloadException">A form without a <c>payload</c> field.</exception>
    internal static ReadOnlyMemory<byte> Payload(string? contentType, ReadOnlyMemory<byte> body)
    {
        if (contentType is null || !contentType.StartsWith("application/x-www-form-urlencoded", StringComparison.OrdinalIgnoreCase))
        {
            return body;
        }

        var form = Microsoft.AspNetCore.WebUtilities.QueryHelpers.ParseQuery("?" + System.Text.Encoding.UTF8.GetString(body.Span));
        return form.TryGetValue("payload", out var payload) && payload.Count == 1 && payload[0] is { Length: > 0 } json
            ? System.Text.Encoding.UTF8.GetBytes(json)
            : throw new WebhookPayloadException("A form-encoded delivery needs one 'payload' field holding the event's JSON.");
    }

    /// <summary>The body, or null when it is over <paramref name="max"/> bytes (reading stops there).</summary>
    private static async Task<ReadOnlyMemory<byte>?> ReadAsync(Stream body, long max, CancellationToken cancellationToken)
    {
        var buffer = new ArrayBufferWriter<byte>(16 * 1024);
        try
        {
            while (true)
            {
                var memory = buffer.GetMemory(16 * 1024);
                var read = await body.ReadAsync(memory, cancellationToken);
                if (read == 0)
                {
                    return buffer.WrittenMemory;
                }

                buffer.Advance(read);
                if (buffer.WrittenCount > max)
                {
                    return null;
                }
            }
        }
        catch (BadHttpRequestException ex) when (ex.StatusCode == StatusCodes.Status413PayloadTooLarge)
        {
            return null;
        }
    }

    private static IResult Answer(string eventLabel, string result, IResult answer)
    {
        ServerMetrics.WebhookDeliveries.WithLabels(eventLabel, result).Inc();
        return answer;
    }

    /// <summary>The JSON answer: shown in GitHub's "Recent deliveries".</summary>
    internal sealed record WebhookAnswer(string Result, string Detail, Guid? DeploymentId, string? Environment);

    [LoggerMessage(Level = LogLevel.Warning, Message = "A webhook arrived but no webhook secret is configured; it was refused.")]
    private static partial void LogNoSecret(ILogger logger);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Delivery {Delivery} could not be queued: {Reason}")]
    private static partial void LogUnavailable(ILogger logger, string delivery, string reason);
}

/// <summary>The accepted webhook secrets, read once at start (from <c>server.webhookSecretVariable</c> and friends).</summary>
internal sealed class WebhookSecrets(IOptions<ServerOptions> options)
{
    public IReadOnlyList<string> Values { get; } = options.Value.WebhookSecrets(Environment.GetEnvironmentVariable);
}

using System.Threading.RateLimiting;
using DeployMind.Application.Jobs;
using DeployMind.Application.Webhooks;
using DeployMind.Server.Metrics;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.Extensions.Options;

namespace DeployMind.Server.Webhooks;

/// <summary>
/// <c>POST /webhooks/github</c>. In this order: what needs no body — the size (over <c>server.maxWebhookBytes</c>: 413),
/// a secret configured and a well-formed <c>X-Hub-Signature-256</c> (401) — then a turn to read the body
/// (<see cref="WebhookGate"/>; 503 when there is none), the body streamed through the HMAC (<see cref="WebhookBody"/>;
/// 408 when it arrives too slowly, 400 when it stops short, 413 past the limit), the signature (401), the headers, the
/// text (400 when not UTF-8) and then the payload (400 when it is not what its event should be). A delivery that queues
/// a job answers 202 with the deployment's id once the job is stored; when it cannot be stored the answer is 503, so
/// GitHub can redeliver. Nothing is deployed inside the request.
/// </summary>
internal static partial class GitHubWebhookEndpoint
{
    private const string ClientGone = "The connection closed before the whole body arrived.";

    public static void Map(IEndpointRouteBuilder endpoints) =>
        endpoints.MapPost("/webhooks/github", HandleAsync)
            .WithName("GitHubWebhook")
            .WithTags("webhooks")
            .WithSummary("Receives GitHub webhook deliveries (push, pull_request, ping), verified by X-Hub-Signature-256.")
            .Produces(StatusCodes.Status200OK)
            .Produces(StatusCodes.Status202Accepted)
            .ProducesProblem(StatusCodes.Status400BadRequest)
            .ProducesProblem(StatusCodes.Status401Unauthorized)
            .ProducesProblem(StatusCodes.Status408RequestTimeout)
            .ProducesProblem(StatusCodes.Status413PayloadTooLarge)
            .ProducesProblem(StatusCodes.Status503ServiceUnavailable);

    private static async Task<IResult> HandleAsync(
        HttpContext http, WebhookIntake intake, WebhookSecrets secrets, WebhookGate gate, ServerLimits limits, IOptions<ServerOptions> options, ILoggerFactory loggers)
    {
        var logger = loggers.CreateLogger("DeployMind.Server.Webhooks");
        var request = http.Request;
        var eventName = request.Headers["X-GitHub-Event"].ToString();
        var label = ServerMetrics.EventLabel(eventName);
        var max = options.Value.MaxWebhookBytes;
        if (request.ContentLength > max)
        {
            return Answer(label, "too_large", TooLarge($"The body is {request.ContentLength} bytes; the limit is {max} (server.maxWebhookBytes)."));
        }

        if (secrets.Values.Count == 0)
        {
            LogNoSecret(logger);
            return Answer(label, "unauthorized", Results.Problem(statusCode: StatusCodes.Status401Unauthorized, title: "Webhooks are not configured",
                detail: $"This server has no webhook secret: set {options.Value.WebhookSecretVariable} to the secret of the GitHub webhook."));
        }

        // Without a signature of the right form the body cannot be accepted: it is not read (nor does it take a turn).
        var claimed = new byte[WebhookSignature.Length];
        if (!WebhookSignature.TryParse(request.Headers["X-Hub-Signature-256"].ToString() is { Length: > 0 } header ? header : null, claimed))
        {
            return Answer(label, "unauthorized", BadSignature());
        }

        if (http.Features.Get<IHttpMaxRequestBodySizeFeature>() is { IsReadOnly: false } limit)
        {
            limit.MaxRequestBodySize = max;
        }

        RateLimitLease? turn;
        try
        {
            turn = await gate.EnterAsync(http.RequestAborted);
        }
        catch (OperationCanceledException)
        {
            // The client hung up (even mid-body) before its turn came.
            return Answer(label, "bad_request", Unreadable(http, logger, StatusCodes.Status400BadRequest, ClientGone));
        }

        using var held = turn;
        if (turn is null)
        {
            if (gate.TakeReport() is { } refused)
            {
                LogBusy(logger, refused, http.Connection.RemoteIpAddress);
            }

            http.Response.Headers.RetryAfter = "10";
            return Answer(label, "busy", Results.Problem(statusCode: StatusCodes.Status503ServiceUnavailable, title: "Too many deliveries at once",
                detail: "This server is reading as many webhook bodies as it takes at once and its queue is full. Nothing was read; redeliver later."));
        }

        await using var read = await ReadBodyAsync(http, secrets, max, limits, logger);
        if (read.Body is not { } body)
        {
            return Answer(label, read.Result, read.Problem!);
        }

        if (!WebhookSignature.Matches(claimed, body.Macs))
        {
            return Answer(label, "unauthorized", BadSignature());
        }

        var delivery = request.Headers["X-GitHub-Delivery"].ToString();
        if (eventName.Length is 0 or > 100 || delivery.Length is 0 or > 100 || !delivery.All(c => char.IsAsciiLetterOrDigit(c) || c is '-' or '_' or '.'))
        {
            return Answer(label, "bad_request", Results.Problem(statusCode: StatusCodes.Status400BadRequest, title: "Missing headers",
                detail: "X-GitHub-Event and X-GitHub-Delivery (letters, digits, '-', '_', '.', at most 100) are required."));
        }

        // Read and verified: the reading turn goes back, so a slow store does not hold up the reading of other bodies.
        turn.Dispose();
        using var storing = gate.EnterStore();
        if (storing is null)
        {
            http.Response.Headers.RetryAfter = "10";
            return Answer(label, "busy", Results.Problem(statusCode: StatusCodes.Status503ServiceUnavailable, title: "Too many deliveries at once",
                detail: "This server is storing as many verified deliveries as it takes at once. Nothing was stored; redeliver later."));
        }

        try
        {
            // Once verified, a delivery is stored whole or not at all: a client that hangs up must not leave a recorded
            // deployment without its job. Bounded, so a stuck store still answers (503) well inside GitHub's 10 s.
            using var bounded = new CancellationTokenSource(TimeSpan.FromSeconds(8));
            var bytes = await body.ToArrayAsync(bounded.Token);
            var payload = Payload(request.ContentType, bytes);
            if ((WebhookText.Utf8Problem(bytes) ?? WebhookText.JsonStringProblem(payload.Span)) is { } notText)
            {
                return Answer(label, "bad_request", Results.Problem(statusCode: StatusCodes.Status400BadRequest, title: "Unreadable payload", detail: notText));
            }

            var outcome = await intake.HandleAsync(delivery, eventName, payload, bounded.Token);
            var result = outcome.Result.ToString().ToLowerInvariant();
            if (outcome.Result == WebhookResult.Queued)
            {
                ServerMetrics.JobsQueued.WithLabels(outcome.Environment ?? "unknown", "webhook").Inc();
            }

            var answer = new WebhookAnswer(result, outcome.Detail, outcome.DeploymentId, outcome.Environment);
            return Answer(label, result, outcome.Result == WebhookResult.Pong ? Results.Ok(answer) : Results.Json(answer, statusCode: StatusCodes.Status202Accepted));
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
    /// The body, hashed as it arrives and within <see cref="ServerLimits.WebhookBodyTimeout"/>, or the answer when it cannot
    /// be read: 413 past the limit, 408 when it arrives too slowly (Kestrel's minimum data rate or the deadline), 400 when
    /// it stops short. Such answers close the connection; they are logged in one line, without a stack trace.
    /// </summary>
    private static async Task<ReadBody> ReadBodyAsync(HttpContext http, WebhookSecrets secrets, long max, ServerLimits limits, ILogger logger)
    {
        using var deadline = CancellationTokenSource.CreateLinkedTokenSource(http.RequestAborted);
        deadline.CancelAfter(limits.WebhookBodyTimeout);
        string reason;
        int status;
        try
        {
            var body = await WebhookBody.ReadAsync(http.Request.Body, secrets.Keys, max, limits.WebhookMemoryBytes, deadline.Token);
            if (body is not null)
            {
                return new ReadBody(body, null, "ok");
            }

            return new ReadBody(null, TooLarge($"The body is over the limit of {max} bytes (server.maxWebhookBytes)."), "too_large");
        }
        catch (BadHttpRequestException ex)
        {
            (status, reason) = (ex.StatusCode, ex.Message);
        }
        catch (OperationCanceledException) when (!http.RequestAborted.IsCancellationRequested)
        {
            (status, reason) = (StatusCodes.Status408RequestTimeout, $"The body did not arrive within {limits.WebhookBodyTimeout.TotalSeconds:0} s.");
        }
        catch (Exception ex) when (ex is IOException or OperationCanceledException)
        {
            // The client went away (reset, or hung up mid-body): nobody reads the answer, which still is not a 500.
            (status, reason) = (StatusCodes.Status400BadRequest, ClientGone);
        }

        return new ReadBody(null, Unreadable(http, logger, status, reason), status == StatusCodes.Status408RequestTimeout ? "timeout" : "bad_request");
    }

    /// <summary>The answer to a body that could not be read (408 or 400), logged in one line; the connection closes after it.</summary>
    private static IResult Unreadable(HttpContext http, ILogger logger, int status, string reason)
    {
        LogUnreadable(logger, status, reason, http.Connection.RemoteIpAddress);
        http.Response.Headers.Connection = "close";
        var (title, detail) = status == StatusCodes.Status408RequestTimeout
            ? ("Body too slow", $"{reason} Send the whole body at once; GitHub does.")
            : ("Incomplete body", $"{reason} The body must be as long as Content-Length says (or end its chunks).");
        return Results.Problem(statusCode: status, title: title, detail: detail);
    }

    private static IResult TooLarge(string detail) =>
        Results.Problem(statusCode: StatusCodes.Status413PayloadTooLarge, title: "Payload too large", detail: detail);

    private static IResult BadSignature() =>
        Results.Problem(statusCode: StatusCodes.Status401Unauthorized, title: "Bad signature",
            detail: "X-Hub-Signature-256 is missing or is not the HMAC-SHA256 of this body under the webhook secret.");

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

    private static IResult Answer(string eventLabel, string result, IResult answer)
    {
        ServerMetrics.WebhookDeliveries.WithLabels(eventLabel, result).Inc();
        return answer;
    }

    /// <summary>The JSON answer: shown in GitHub's "Recent deliveries".</summary>
    internal sealed record WebhookAnswer(string Result, string Detail, Guid? DeploymentId, string? Environment);

    [LoggerMessage(Level = LogLevel.Warning, Message = "A webhook arrived but no webhook secret is configured; it was refused.")]
    private static partial void LogNoSecret(ILogger logger);

    /// <summary>A body read, or the answer when it could not be (and its metrics result).</summary>
    private readonly record struct ReadBody(WebhookBody? Body, IResult? Problem, string Result) : IAsyncDisposable
    {
        public ValueTask DisposeAsync() => Body?.DisposeAsync() ?? ValueTask.CompletedTask;
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Webhook deliveries arrive faster than they are read: {Refused} answered 503 since the last report (the latest from {Remote}).")]
    private static partial void LogBusy(ILogger logger, int refused, System.Net.IPAddress? remote);

    [LoggerMessage(Level = LogLevel.Information, Message = "A webhook body from {Remote} could not be read ({Status}): {Reason}")]
    private static partial void LogUnreadable(ILogger logger, int status, string reason, System.Net.IPAddress? remote);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Delivery {Delivery} could not be queued: {Reason}")]
    private static partial void LogUnavailable(ILogger logger, string delivery, string reason);
}

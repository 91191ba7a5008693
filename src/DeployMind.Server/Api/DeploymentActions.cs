using System.Globalization;
using System.Text.Json;
using DeployMind.Application.Jobs;
using DeployMind.Application.Records;
using DeployMind.Domain.Deploy;
using DeployMind.Server.Metrics;

namespace DeployMind.Server.Api;

/// <summary>
/// What changes deployments: <c>POST /api/deployments</c> (queue one), <c>.../{id}/rollback</c> (queue a rollback) and
/// <c>.../{id}/cancel</c>, each through <see cref="DeploymentIntake"/> like a webhook: the deployment is recorded
/// (queued) and its job stored before the answer (202); nothing runs inside the request. An <c>Idempotency-Key</c>
/// header makes a repeated request give the deployment the first one made. This class only translates: the body and
/// headers into a <see cref="DeploymentRequest"/>, the intake's answers and refusals into status codes.
/// </summary>
internal static partial class DeploymentActions
{
    public const string IdempotencyKeyHeader = "Idempotency-Key";
    public const string ReplayedHeader = "Idempotent-Replayed";

    public static void Map(IEndpointRouteBuilder api)
    {
        api.MapPost("/deployments", CreateAsync)
            .RequireAuthorization(ApiEndpoints.DeployPolicy)
            .WithName("CreateDeployment")
            .WithTags("deployments")
            .WithSummary("Queues a deployment of a repository's ref to an environment; a worker runs it (202 + Location).")
            .WithDescription("Send an Idempotency-Key header to make retries safe: the same key gives the same deployment, queued once.")
            .Accepts<CreateDeploymentRequest>("application/json")
            .Produces<DeploymentView>(StatusCodes.Status202Accepted)
            .ProducesValidationProblem()
            .ProducesProblem(StatusCodes.Status415UnsupportedMediaType)
            .ProducesProblem(StatusCodes.Status422UnprocessableEntity)
            .ProducesProblem(StatusCodes.Status503ServiceUnavailable);
        api.MapPost("/deployments/{id}/rollback", RollbackAsync)
            .RequireAuthorization(ApiEndpoints.DeployPolicy)
            .WithName("RollbackDeployment")
            .WithTags("deployments")
            .WithSummary("Queues a rollback of a finished deployment to the release before it (a new deployment with rollbackOf; 202 + Location).")
            .Produces<DeploymentView>(StatusCodes.Status202Accepted)
            .ProducesProblem(StatusCodes.Status404NotFound)
            .ProducesProblem(StatusCodes.Status409Conflict)
            .ProducesProblem(StatusCodes.Status503ServiceUnavailable);
        api.MapPost("/deployments/{id}/cancel", CancelAsync)
            .RequireAuthorization(ApiEndpoints.DeployPolicy)
            .WithName("CancelDeployment")
            .WithTags("deployments")
            .WithSummary("Cancels a queued deployment at once (200), or asks a running one's worker to stop it at its next step (202).")
            .Produces<CancelAnswer>()
            .Produces<CancelAnswer>(StatusCodes.Status202Accepted)
            .ProducesProblem(StatusCodes.Status404NotFound)
            .ProducesProblem(StatusCodes.Status409Conflict);
    }

    private static async Task<IResult> CreateAsync(
        HttpContext http, DeploymentIntake intake, IDeploymentStore store, TimeProvider time, ILoggerFactory loggers, CancellationToken cancellationToken)
    {
        if (!http.Request.HasJsonContentType())
        {
            return Results.Problem(statusCode: StatusCodes.Status415UnsupportedMediaType, title: "Unsupported media type", detail: "Send the request as JSON (Content-Type: application/json).");
        }

        CreateDeploymentRequest? request;
        try
        {
            request = await http.Request.ReadFromJsonAsync<CreateDeploymentRequest>(cancellationToken);
        }
        catch (JsonException ex)
        {
            // A value of the wrong type names its field; broken syntax (the reader's own exception inside) is the body's fault.
            var syntax = ex.InnerException?.GetType().Name == "JsonReaderException";
            var field = !syntax && ex.Path is { Length: > 2 } path && path.StartsWith("$.", StringComparison.Ordinal) ? path[2..] : "body";
            return ApiProblems.Invalid(field, syntax
                ? $"The body is not valid JSON (line {ex.LineNumber + 1}, byte {ex.BytePositionInLine})."
                : $"The value of {field} has the wrong type (see the OpenAPI document, /openapi/v1.json).");
        }

        if (request is null)
        {
            return ApiProblems.Invalid("body", "The body must be a JSON object with at least \"repository\".");
        }

        var errors = request.Validate();
        if (errors.Count > 0)
        {
            return ApiProblems.Invalid(errors);
        }

        var (key, keyProblem) = KeyFrom(http);
        if (keyProblem is not null)
        {
            return keyProblem;
        }

        var repository = request.Repository!.Trim();
        var deploy = new DeploymentRequest
        {
            Environment = request.EnvironmentOrDefault,
            TriggeredBy = ApiProblems.Caller(http.User),
            Repository = repository,
            Ref = request.RefOrDefault,
            Branch = request.RefOrDefault,
            Path = request.Path?.Trim(),
            Strategy = request.Strategy is null ? null : ParseStrategy(request.Strategy),
            Host = request.Host?.Trim(),
            Port = request.Port,
            Tag = request.Tag,
            NoCache = request.NoCache,
            AllowFindings = request.AllowFindings,
            AllowUnknownKeys = request.AllowUnknownKeys,
            Relocate = request.Relocate,
            Priority = JobPriority.Manual,
            IdempotencyKey = key is null ? null : "api:" + key,
        };
        return await SubmitAsync(http, intake, store, time, loggers, deploy, key, cancellationToken);
    }

    private static async Task<IResult> RollbackAsync(
        HttpContext http, string id, DeploymentIntake intake, IDeploymentStore store, TimeProvider time, ILoggerFactory loggers, CancellationToken cancellationToken)
    {
        var (of, problem) = await ApiProblems.FindAsync(store, id, cancellationToken);
        if (of is null)
        {
            return problem!;
        }

        DeploymentRequest rollback;
        try
        {
            rollback = DeploymentIntake.RollbackRequest(of, ApiProblems.Caller(http.User));
        }
        catch (RollbackRefusedException ex)
        {
            return ex.Refusal switch
            {
                RollbackRefusal.NeverReachedHosts => ApiProblems.Conflict("Nothing to roll back", ex.Message),
                RollbackRefusal.StillRunning => ApiProblems.Conflict("Deployment still running", $"Deployment {of.ShortId()} is {of.State.Name()}: cancel it (POST /api/deployments/{of.ShortId()}/cancel) or wait until it is finished."),
                _ => ApiProblems.Conflict("No repository recorded", ex.Message),
            };
        }

        // The key is read after the rollback's own checks, so a deployment that cannot be rolled back answers 409 first.
        var (key, keyProblem) = KeyFrom(http);
        if (keyProblem is not null)
        {
            return keyProblem;
        }

        return await SubmitAsync(http, intake, store, time, loggers, rollback with { IdempotencyKey = key is null ? null : "api:" + key }, key, cancellationToken);
    }

    private static async Task<IResult> CancelAsync(
        HttpContext http, string id, DeploymentIntake intake, IDeploymentStore store, ILoggerFactory loggers, CancellationToken cancellationToken)
    {
        var (deployment, problem) = await ApiProblems.FindAsync(store, id, cancellationToken);
        if (deployment is null)
        {
            return problem!;
        }

        var caller = ApiProblems.Caller(http.User);
        var logger = loggers.CreateLogger("DeployMind.Server.Api");
        CancelResult result;
        try
        {
            result = await intake.CancelAsync(deployment.Id, caller, cancellationToken);
        }
        catch (CancelRefusedException ex)
        {
            return ApiProblems.Conflict("Deployment finished", ex.Message);
        }

        var state = result.Deployment.State.Name();
        if (!result.Requested)
        {
            LogCancelled(logger, result.Deployment.Id, caller);
            return Results.Ok(new CancelAnswer(result.Deployment.Id, state, false, "Cancelled before a worker started it; its job is skipped."));
        }

        LogCancelRequested(logger, result.Deployment.Id, state, caller);
        return Results.Json(
            new CancelAnswer(result.Deployment.Id, state, true, "Its worker stops it at its next step; GET /api/deployments/{id}/events shows when."),
            statusCode: StatusCodes.Status202Accepted);
    }

    private static async Task<IResult> SubmitAsync(
        HttpContext http, DeploymentIntake intake, IDeploymentStore store, TimeProvider time, ILoggerFactory loggers, DeploymentRequest request, string? key, CancellationToken cancellationToken)
    {
        var logger = loggers.CreateLogger("DeployMind.Server.Api");
        IntakeResult result;
        try
        {
            result = await intake.SubmitAsync(request, cancellationToken);
        }
        catch (IdempotencyKeyReusedException ex)
        {
            return KeyReused(key!, ex.Existing);
        }
        catch (QueueUnavailableException ex)
        {
            LogUnavailable(logger, ex.DeploymentId ?? Guid.Empty, ex.Message);
            http.Response.Headers.RetryAfter = "30";
            return Results.Problem(statusCode: StatusCodes.Status503ServiceUnavailable, title: "Cannot queue the deployment now",
                detail: $"{ex.Message}. Retry later (with the same Idempotency-Key to be sure it is queued once).");
        }

        var deployment = result.Deployment;
        if (result.Added)
        {
            ServerMetrics.JobsQueued.WithLabels(result.Job.Environment, "api").Inc();
            LogQueued(logger, deployment.Id, request.RollbackOf is null ? "deployment" : "rollback", deployment.Repository ?? "?", deployment.Environment, request.TriggeredBy);
        }
        else if (result.Replayed)
        {
            http.Response.Headers[ReplayedHeader] = "true";
        }

        // The answer shows the deployment as the records hold it now (a replay's may have moved on since).
        var recorded = await store.GetAsync(deployment.Id, cancellationToken) ?? deployment;
        return Results.Accepted($"/api/deployments/{recorded.Id}", DeploymentView.Of(recorded, time.GetUtcNow()));
    }

    /// <summary>The request's <c>Idempotency-Key</c> header, if any (the same key, the same deployment), or the problem with it.</summary>
    private static (string? Key, IResult? Problem) KeyFrom(HttpContext http)
    {
        var values = http.Request.Headers[IdempotencyKeyHeader];
        if (values.Count == 0)
        {
            return (null, null);
        }

        var key = values.Count == 1 ? values[0]?.Trim() ?? string.Empty : string.Empty;
        return CreateDeploymentRequest.IdempotencyKeyProblem(key) is { } problem
            ? (null, ApiProblems.Invalid(IdempotencyKeyHeader, problem))
            : (key, null);
    }

    private static IResult KeyReused(string key, Deployment existing) => Results.Problem(
        statusCode: StatusCodes.Status422UnprocessableEntity,
        title: "Idempotency-Key reused",
        detail: string.Create(CultureInfo.InvariantCulture, $"The Idempotency-Key '{key}' was used for another request: deployment {existing.ShortId()} ({(existing.RollbackOf is null ? "of" : "rollback of")} {existing.Repository ?? existing.App} to {existing.Environment}). Use a new key for a new request."));

    private static StrategyKind ParseStrategy(string? strategy) =>
        Application.Configuration.EnvironmentOptions.ParseStrategy(strategy, "strategy");

    [LoggerMessage(Level = LogLevel.Information, Message = "API: queued {Kind} {Id} of {Repository} to {Environment} for {Caller}.")]
    private static partial void LogQueued(ILogger logger, Guid id, string kind, string repository, string environment, string caller);

    [LoggerMessage(Level = LogLevel.Warning, Message = "API: deployment {Id} could not be queued: {Reason}")]
    private static partial void LogUnavailable(ILogger logger, Guid id, string reason);

    [LoggerMessage(Level = LogLevel.Information, Message = "API: deployment {Id} cancelled by {Caller} while queued.")]
    private static partial void LogCancelled(ILogger logger, Guid id, string caller);

    [LoggerMessage(Level = LogLevel.Information, Message = "API: cancel of deployment {Id} ({State}) requested by {Caller}.")]
    private static partial void LogCancelRequested(ILogger logger, Guid id, string state, string caller);
}

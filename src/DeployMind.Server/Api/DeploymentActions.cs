using System.Globalization;
using System.Text.Json;
using DeployMind.Application.Jobs;
using DeployMind.Application.Records;
using DeployMind.Application.Webhooks;
using DeployMind.Domain.Deploy;
using DeployMind.Server.Metrics;
using Microsoft.Extensions.Options;

namespace DeployMind.Server.Api;

/// <summary>
/// What changes deployments: <c>POST /api/deployments</c> (queue one), <c>.../{id}/rollback</c> (queue a rollback) and
/// <c>.../{id}/cancel</c>. Queuing goes through <see cref="JobIntake"/> like a webhook: the deployment is recorded
/// (queued) and its job stored before the answer (202); nothing runs inside the request. An <c>Idempotency-Key</c>
/// header makes a repeated request give the deployment the first one made.
/// </summary>
internal static partial class DeploymentActions
{
    public const string IdempotencyKeyHeader = "Idempotency-Key";
    public const string ReplayedHeader = "Idempotent-Replayed";

    public static void Map(IEndpointRouteBuilder api)
    {
        api.MapPost("/deployments", CreateAsync)
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
            .WithName("RollbackDeployment")
            .WithTags("deployments")
            .WithSummary("Queues a rollback of a finished deployment to the release before it (a new deployment with rollbackOf; 202 + Location).")
            .Produces<DeploymentView>(StatusCodes.Status202Accepted)
            .ProducesProblem(StatusCodes.Status404NotFound)
            .ProducesProblem(StatusCodes.Status409Conflict)
            .ProducesProblem(StatusCodes.Status503ServiceUnavailable);
        api.MapPost("/deployments/{id}/cancel", CancelAsync)
            .WithName("CancelDeployment")
            .WithTags("deployments")
            .WithSummary("Cancels a queued deployment at once (200), or asks a running one's worker to stop it at its next step (202).")
            .Produces<CancelAnswer>()
            .Produces<CancelAnswer>(StatusCodes.Status202Accepted)
            .ProducesProblem(StatusCodes.Status404NotFound)
            .ProducesProblem(StatusCodes.Status409Conflict);
    }

    private static async Task<IResult> CreateAsync(
        HttpContext http, JobIntake intake, IDeploymentStore store, IOptions<ServerOptions> options, TimeProvider time, ILoggerFactory loggers, CancellationToken cancellationToken)
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

        var (id, key, keyProblem) = IdFrom(http);
        if (keyProblem is not null)
        {
            return keyProblem;
        }

        var repository = request.Repository!.Trim();
        var environment = request.EnvironmentOrDefault;
        var existing = key is null ? null : await store.GetAsync(id, cancellationToken);
        if (existing is not null && (existing.RollbackOf is not null || existing.Environment != environment || !string.Equals(existing.Repository, repository, StringComparison.Ordinal)))
        {
            return KeyReused(key!, existing);
        }

        var caller = ApiProblems.Caller(http.User);
        var now = time.GetUtcNow();
        var settings = options.Value.Repository(repository);
        var deployment = new Deployment(id, CreateDeploymentRequest.AppNameOf(repository), environment, ParseStrategy(request.Strategy), caller, now)
        {
            Repository = repository,
            Branch = request.RefOrDefault,
        };
        var job = new DeployJob
        {
            Id = id,
            Environment = environment,
            Targets = [],
            Priority = JobPriority.Manual,
            IdempotencyKey = key is null ? null : "api:" + key,
            Repository = settings?.Source ?? repository,
            Ref = request.RefOrDefault,
            Path = request.Path?.Trim() ?? settings?.Path ?? ".",
            Strategy = request.Strategy?.Trim(),
            Host = request.Host?.Trim(),
            Port = request.Port,
            Tag = request.Tag,
            NoCache = request.NoCache,
            AllowFindings = request.AllowFindings,
            TriggeredBy = caller,
            EnqueuedAt = now,
        };
        return await SubmitAsync(http, intake, store, time, loggers, deployment, job, existing is not null, cancellationToken);
    }

    private static async Task<IResult> RollbackAsync(
        HttpContext http, string id, JobIntake intake, IDeploymentStore store, IOptions<ServerOptions> options, TimeProvider time, ILoggerFactory loggers, CancellationToken cancellationToken)
    {
        var (of, problem) = await ApiProblems.FindAsync(store, id, cancellationToken);
        if (of is null)
        {
            return problem!;
        }

        if (of.ReleaseId is null)
        {
            var why = of.Reason is { } reason ? $"{of.State.Name()}: {reason}" : of.State.Name();
            return ApiProblems.Conflict("Nothing to roll back", $"Deployment {of.ShortId()} never reached its hosts ({why}): no release of it runs, so there is nothing to go back from.");
        }

        if (!of.IsFinished)
        {
            return ApiProblems.Conflict("Deployment still running", $"Deployment {of.ShortId()} is {of.State.Name()}: cancel it (POST /api/deployments/{of.ShortId()}/cancel) or wait until it is finished.");
        }

        if (of.Repository is null)
        {
            return ApiProblems.Conflict("No repository recorded", $"Deployment {of.ShortId()} was deployed from a folder, not a repository, so a worker cannot fetch it: run `deploymind rollback {of.ShortId()}` where it was deployed.");
        }

        var (newId, key, keyProblem) = IdFrom(http);
        if (keyProblem is not null)
        {
            return keyProblem;
        }

        var existing = key is null ? null : await store.GetAsync(newId, cancellationToken);
        if (existing is not null && existing.RollbackOf != of.Id)
        {
            return KeyReused(key!, existing);
        }

        var caller = ApiProblems.Caller(http.User);
        var now = time.GetUtcNow();
        var settings = options.Value.Repository(of.Repository);
        var rollback = new Deployment(newId, of.App, of.Environment, of.Strategy, caller, now)
        {
            Repository = of.Repository,
            Branch = of.Branch,
            RollbackOf = of.Id,
            PullRequest = of.PullRequest,
        };
        var job = new DeployJob
        {
            Id = newId,
            Environment = of.Environment,
            Targets = [],
            Priority = JobPriority.Manual,
            IdempotencyKey = key is null ? null : "api:" + key,
            Repository = settings?.Source ?? of.Repository,
            Ref = of.Commit ?? of.Branch,
            Path = settings?.Path ?? ".",
            RollbackOf = of.Id,
            PullRequest = of.PullRequest,
            TriggeredBy = caller,
            EnqueuedAt = now,
        };
        return await SubmitAsync(http, intake, store, time, loggers, rollback, job, existing is not null, cancellationToken);
    }

    private static async Task<IResult> CancelAsync(HttpContext http, string id, IDeploymentStore store, TimeProvider time, ILoggerFactory loggers, CancellationToken cancellationToken)
    {
        var (deployment, problem) = await ApiProblems.FindAsync(store, id, cancellationToken);
        if (deployment is null)
        {
            return problem!;
        }

        var caller = ApiProblems.Caller(http.User);
        var logger = loggers.CreateLogger("DeployMind.Server.Api");
        if (deployment.State == DeploymentState.Queued)
        {
            try
            {
                deployment.MoveTo(DeploymentState.Cancelled, $"cancelled by {caller}", time.GetUtcNow());
                await store.SaveAsync(deployment, cancellationToken);
                LogCancelled(logger, deployment.Id, caller);
                return Results.Ok(new CancelAnswer(deployment.Id, deployment.State.Name(), false, "Cancelled before a worker started it; its job is skipped."));
            }
            catch (ConcurrencyConflictException)
            {
                // A worker took it meanwhile: ask that worker to stop it, like any running deployment.
                deployment = await store.GetAsync(deployment.Id, cancellationToken) ?? deployment;
            }
        }

        if (deployment.IsFinished)
        {
            return ApiProblems.Conflict("Deployment finished", $"Deployment {deployment.ShortId()} is already {deployment.State.Name()}: there is nothing to cancel.");
        }

        await store.RequestCancelAsync(deployment.Id, cancellationToken);
        var state = deployment.State.Name();
        LogCancelRequested(logger, deployment.Id, state, caller);
        return Results.Json(
            new CancelAnswer(deployment.Id, state, true, "Its worker stops it at its next step; GET /api/deployments/{id}/events shows when."),
            statusCode: StatusCodes.Status202Accepted);
    }

    private static async Task<IResult> SubmitAsync(
        HttpContext http, JobIntake intake, IDeploymentStore store, TimeProvider time, ILoggerFactory loggers, Deployment deployment, DeployJob job, bool recordedBefore, CancellationToken cancellationToken)
    {
        var logger = loggers.CreateLogger("DeployMind.Server.Api");
        EnqueueResult result;
        try
        {
            result = await intake.SubmitAsync(deployment, job, cancellationToken);
        }
        catch (QueueUnavailableException ex)
        {
            LogUnavailable(logger, deployment.Id, ex.Message);
            http.Response.Headers.RetryAfter = "30";
            return Results.Problem(statusCode: StatusCodes.Status503ServiceUnavailable, title: "Cannot queue the deployment now",
                detail: $"{ex.Message}. Retry later (with the same Idempotency-Key to be sure it is queued once).");
        }

        if (result.Added)
        {
            ServerMetrics.JobsQueued.WithLabels(job.Environment, "api").Inc();
            LogQueued(logger, deployment.Id, job.RollbackOf is null ? "deployment" : "rollback", deployment.Repository ?? "?", job.Environment, job.TriggeredBy);
        }
        else if (recordedBefore)
        {
            http.Response.Headers[ReplayedHeader] = "true";
        }

        var recorded = await store.GetAsync(deployment.Id, cancellationToken) ?? deployment;
        return Results.Accepted($"/api/deployments/{recorded.Id}", DeploymentView.Of(recorded, time.GetUtcNow()));
    }

    /// <summary>The new deployment's id: from the Idempotency-Key header when there is one (the same key, the same id), else a new one.</summary>
    private static (Guid Id, string? Key, IResult? Problem) IdFrom(HttpContext http)
    {
        var values = http.Request.Headers[IdempotencyKeyHeader];
        if (values.Count == 0)
        {
            return (Guid.NewGuid(), null, null);
        }

        var key = values.Count == 1 ? values[0]?.Trim() ?? string.Empty : string.Empty;
        return CreateDeploymentRequest.IdempotencyKeyProblem(key) is { } problem
            ? (Guid.Empty, null, ApiProblems.Invalid(IdempotencyKeyHeader, problem))
            : (JobIntake.IdFor("api:" + key), key, null);
    }

    private static IResult KeyReused(string key, Deployment existing) => Results.Problem(
        statusCode: StatusCodes.Status422UnprocessableEntity,
        title: "Idempotency-Key reused",
        detail: string.Create(CultureInfo.InvariantCulture, $"The Idempotency-Key '{key}' was used for another request: deployment {existing.ShortId()} ({(existing.RollbackOf is null ? "of" : "rollback of")} {existing.Repository ?? existing.App} to {existing.Environment}). Use a new key for a new request."));

    private static StrategyKind ParseStrategy(string? strategy) =>
        Application.Deploy.EnvironmentOptions.ParseStrategy(strategy, "strategy");

    [LoggerMessage(Level = LogLevel.Information, Message = "API: queued {Kind} {Id} of {Repository} to {Environment} for {Caller}.")]
    private static partial void LogQueued(ILogger logger, Guid id, string kind, string repository, string environment, string caller);

    [LoggerMessage(Level = LogLevel.Warning, Message = "API: deployment {Id} could not be queued: {Reason}")]
    private static partial void LogUnavailable(ILogger logger, Guid id, string reason);

    [LoggerMessage(Level = LogLevel.Information, Message = "API: deployment {Id} cancelled by {Caller} while queued.")]
    private static partial void LogCancelled(ILogger logger, Guid id, string caller);

    [LoggerMessage(Level = LogLevel.Information, Message = "API: cancel of deployment {Id} ({State}) requested by {Caller}.")]
    private static partial void LogCancelRequested(ILogger logger, Guid id, string state, string caller);
}

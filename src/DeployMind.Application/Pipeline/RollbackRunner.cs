using DeployMind.Application.Configuration;
using DeployMind.Application.Deploy;
using DeployMind.Application.Records;
using DeployMind.Domain;
using DeployMind.Domain.Deploy;
using Microsoft.Extensions.Logging;

namespace DeployMind.Application.Pipeline;

/// <summary>
/// <c>deploymind rollback &lt;id&gt;</c>: puts back the release that served before a recorded deployment. The rollback
/// is a deployment of its own (queued → deploying → verifying → succeeded, or failed), recorded with its log, pointing
/// at the deployment it rolled back; nothing is scanned or built, the earlier release's image runs again.
/// </summary>
public sealed class RollbackRunner
{
    private readonly IDeploymentStore _store;
    private readonly DeployService _deploys;
    private readonly TimeProvider _time;
    private readonly ILogger<RollbackRunner> _logger;
    private readonly IConfigurationLocator _locator;
    private readonly ReleaseVariables _variables;

    public RollbackRunner(IDeploymentStore store, DeployService deploys, ReleaseVariables variables, TimeProvider time, ILogger<RollbackRunner> logger, IConfigurationLocator locator)
    {
        _store = store;
        _deploys = deploys;
        _variables = variables;
        _time = time;
        _logger = logger;
        _locator = locator;
    }

    /// <summary>The succeeded deployment of the same app and environment just before <paramref name="of"/>: what a rollback of it goes back to.</summary>
    /// <exception cref="DeployMindException">There is none, or <paramref name="of"/> never reached its hosts.</exception>
    public async Task<Deployment> PreviousAsync(Deployment of, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(of);
        if (of.ReleaseId is null)
        {
            throw new DeployMindException(
                $"Deployment {of.ShortId()} never reached its hosts ({of.State.Name()}{(of.FailedStage is { } stage ? $" at {stage.ToString().ToLowerInvariant()}" : string.Empty)}); what served before it still serves, there is nothing to roll back.");
        }

        var earlier = await _store.ListAsync(
            new DeploymentQuery { App = of.App, Environment = of.Environment, State = DeploymentState.Succeeded, Before = of.CreatedAt, Limit = 20 }, cancellationToken);

        // A rollback record re-serves an older release; going back from it means going further back, past that release too.
        return earlier.FirstOrDefault(d => d.ReleaseId is not null && d.ImageTag is not null && d.ReleaseId != of.ReleaseId)
            ?? throw new DeployMindException(
                $"There is no successful deployment of {of.App} ({of.Environment}) before {of.ShortId()} to roll back to. `deploymind list --environment {of.Environment}` shows its history.");
    }

    /// <summary>Rolls back <paramref name="of"/>: records and runs the rollback; returns the rollback's deployment in a terminal state.</summary>
    public async Task<Deployment> RollbackAsync(Deployment of, DeployCommand command, string triggeredBy, IDeployObserver? observer, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(of);
        ArgumentNullException.ThrowIfNull(command);
        var previous = await PreviousAsync(of, cancellationToken);
        var rollback = new Deployment(Guid.NewGuid(), of.App, of.Environment, StrategyKind.Rolling, triggeredBy, _time.GetUtcNow())
        {
            Repository = previous.Repository,
            Branch = previous.Branch,
            Commit = previous.Commit,
            RollbackOf = of.Id,
        };
        await _store.AddAsync(rollback, cancellationToken);
        return await RunAsync(rollback, of, previous, command, observer, cancellationToken);
    }

    /// <summary>
    /// Runs a rollback that was queued as a job (the API's): <paramref name="rollback"/> is recorded, queued, and names the
    /// deployment it rolls back in <see cref="Deployment.RollbackOf"/>. Returns it in a terminal state.
    /// </summary>
    public async Task<Deployment> RunQueuedAsync(Deployment rollback, DeployCommand command, IDeployObserver? observer, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(rollback);
        ArgumentNullException.ThrowIfNull(command);
        Deployment previous;
        Deployment? of = null;
        try
        {
            of = rollback.RollbackOf is { } id ? await _store.GetAsync(id, cancellationToken) : null;
            previous = of is null
                ? throw new DeployMindException($"Deployment {rollback.RollbackOf?.ToString() ?? "(none)"} is not recorded: there is nothing to roll back.")
                : await PreviousAsync(of, cancellationToken);
        }
        catch (DeployMindException ex)
        {
            rollback.Fail(PipelineStage.Deploy, ex.Message, _time.GetUtcNow());
            await _store.SaveAsync(rollback, CancellationToken.None);
            return rollback;
        }

        return await RunAsync(rollback, of!, previous, command, observer, cancellationToken);
    }

    private async Task<Deployment> RunAsync(Deployment rollback, Deployment of, Deployment previous, DeployCommand command, IDeployObserver? observer, CancellationToken cancellationToken)
    {
        rollback.RecordImage(previous.ImageTag!, previous.ImageSizeMb ?? 0, previous.ImageBuilder);
        await using var log = new DeploymentLog(_store, rollback.Id, _time, _logger);
        var steps = log.Observe(observer);
        await MoveAsync(rollback, log, d => d.MoveTo(DeploymentState.Deploying, $"rolling back deployment {of.ShortId()} to release {previous.ReleaseId} ({previous.ImageTag}) of deployment {previous.ShortId()}", _time.GetUtcNow()));
        try
        {
            var target = new ReleaseSpec(of.App, previous.ReleaseId!, previous.ImageTag!, previous.Commit);
            var environment = command with { Environment = of.Environment };
            var outcome = await _deploys.RollbackToAsync(environment, target, _variables.ForRollback(environment), steps, cancellationToken);
            rollback.RecordRelease(target.ReleaseId, string.Join(", ", outcome.HostsSwitched.DefaultIfEmpty(previous.Target ?? "local")), previous.Url, command.Port ?? previous.ListenPort);
            rollback.RecordDeploy(outcome.Health?.ConsecutivePassed, outcome.Health?.Required, null);
            if (outcome.Status == DeployStatus.Succeeded)
            {
                await MoveAsync(rollback, log, d => d.MoveTo(DeploymentState.Verifying, $"{target.ReleaseId} serves all traffic again", _time.GetUtcNow()));
                await MoveAsync(rollback, log, d => d.MoveTo(DeploymentState.Succeeded, $"rolled back to {target.ReleaseId}", _time.GetUtcNow()));
            }
            else
            {
                await MoveAsync(rollback, log, d => d.Fail(PipelineStage.Deploy, outcome.Reason ?? "the rollback failed; the current release keeps serving", _time.GetUtcNow()));
            }
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            await MoveAsync(rollback, log, d => d.MoveTo(DeploymentState.Cancelled, "rollback cancelled", _time.GetUtcNow()));
        }
        catch (InvalidInputException ex)
        {
            // A setting the rollback could not use: say where it is written.
            await MoveAsync(rollback, log, d => d.Fail(PipelineStage.Deploy, _locator.Describe(ex.Message), _time.GetUtcNow()));
        }
        catch (DeployMindException ex)
        {
            await MoveAsync(rollback, log, d => d.Fail(PipelineStage.Deploy, ex.Message, _time.GetUtcNow()));
        }

        if (rollback.State == DeploymentState.Succeeded)
        {
            await NoteAsync(of, $"rolled back by deployment {rollback.ShortId()} to release {previous.ReleaseId}");
        }

        return rollback;
    }

    private async Task MoveAsync(Deployment deployment, DeploymentLog log, Action<Deployment> change)
    {
        change(deployment);
        var last = deployment.Events[^1];
        log.Write("pipeline", $"{last.To.Name()}: {last.Detail}");
        await log.FlushAsync(CancellationToken.None);
        await _store.SaveAsync(deployment, CancellationToken.None);
    }

    private async Task NoteAsync(Deployment of, string note)
    {
        try
        {
            of.Note(note, _time.GetUtcNow());
            await _store.SaveAsync(of, CancellationToken.None);
        }
        catch (ConcurrencyConflictException ex)
        {
            _logger.LogWarning(ex, "Could not note the rollback on deployment {Id}.", of.Id);
        }
    }
}

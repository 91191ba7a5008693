using System.Security.Cryptography;
using System.Text;
using DeployMind.Application.Records;
using DeployMind.Application.Reporting;
using DeployMind.Application.Webhooks;
using DeployMind.Domain.Deploy;
using Microsoft.Extensions.Options;

namespace DeployMind.Application.Jobs;

/// <summary>
/// Where every queued deployment comes in: a <see cref="DeploymentRequest"/> from any front door (the CLI's
/// <c>--queue</c>, a webhook, the REST API, the preview sweep) becomes a recorded, queued deployment and its job, at
/// most once per idempotency key: the deployment's id is derived from the key, so a second request finds the first
/// one's record and the queue refuses its second job; a key that comes back with a different request is refused. The
/// first report (a pending commit status) goes out once the job is stored. Rollbacks and cancels follow their rules
/// here too; front doors only translate their input and the answer.
/// </summary>
public sealed class DeploymentIntake
{
    private readonly IJobQueue _queue;
    private readonly IDeploymentStore _store;
    private readonly IDeploymentReporter _reporter;
    private readonly ServerOptions _options;
    private readonly TimeProvider _time;

    public DeploymentIntake(IJobQueue queue, IDeploymentStore store, IDeploymentReporter reporter, IOptions<ServerOptions> options, TimeProvider time)
    {
        ArgumentNullException.ThrowIfNull(options);
        _queue = queue;
        _store = store;
        _reporter = reporter;
        _options = options.Value;
        _time = time;
    }

    /// <summary>The deployment id for an idempotency key: the same key, the same id (a name-based UUID of its SHA-256).</summary>
    public static Guid IdFor(string idempotencyKey)
    {
        ArgumentException.ThrowIfNullOrEmpty(idempotencyKey);
        var hash = SHA256.HashData(Encoding.UTF8.GetBytes("deploymind:" + idempotencyKey));
        var bytes = hash.AsSpan(0, 16).ToArray();
        bytes[6] = (byte)((bytes[6] & 0x0F) | 0x80); // version 8: custom
        bytes[8] = (byte)((bytes[8] & 0x3F) | 0x80); // RFC 4122 variant
        return new Guid(bytes, bigEndian: true);
    }

    /// <summary>
    /// A rollback of <paramref name="of"/> to the release before it, asked by <paramref name="triggeredBy"/>: a new
    /// deployment (same app, environment and strategy, <c>rollbackOf</c> set) whose worker fetches <paramref name="of"/>'s
    /// commit of its repository to read the environment's settings.
    /// </summary>
    /// <exception cref="RollbackRefusedException"><paramref name="of"/> never reached its hosts, still runs, or has no repository a worker could fetch.</exception>
    public static DeploymentRequest RollbackRequest(Deployment of, string triggeredBy)
    {
        ArgumentNullException.ThrowIfNull(of);
        ArgumentException.ThrowIfNullOrWhiteSpace(triggeredBy);
        if (of.ReleaseId is null)
        {
            throw new RollbackRefusedException(of, RollbackRefusal.NeverReachedHosts);
        }

        if (!of.IsFinished)
        {
            throw new RollbackRefusedException(of, RollbackRefusal.StillRunning);
        }

        if (of.Repository is null)
        {
            throw new RollbackRefusedException(of, RollbackRefusal.NoRepository);
        }

        return new DeploymentRequest
        {
            Environment = of.Environment,
            TriggeredBy = triggeredBy,
            Repository = of.Repository,

            // The deployment's commit to read its configuration; which release goes back is the worker's choice.
            Ref = of.Commit ?? of.Branch,
            Branch = of.Branch,
            App = of.App,
            RecordedStrategy = of.Strategy,
            PullRequest = of.PullRequest,
            RollbackOf = of.Id,
            Priority = JobPriority.Manual,
        };
    }

    /// <summary>
    /// Records the request's deployment (queued; its id is the job's) unless its key recorded it before, then enqueues its
    /// job. Added is false for a replay whose job was queued before.
    /// </summary>
    /// <exception cref="IdempotencyKeyReusedException">The key made a deployment of another request: nothing is queued.</exception>
    /// <exception cref="QueueUnavailableException">The records or the queue cannot be reached: nothing may be assumed stored; ask again.</exception>
    public async Task<IntakeResult> SubmitAsync(DeploymentRequest request, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        var now = _time.GetUtcNow();
        var id = request.IdempotencyKey is { } key ? IdFor(key) : Guid.NewGuid();
        var deployment = request.ToDeployment(id, now);
        var job = request.ToJob(id, request.Repository is { } repository ? _options.Repository(repository) : null, now);

        Deployment recorded;
        bool replayed;
        try
        {
            // Recorded unless its key recorded it before (no look first: the store skips an id it has, in the same
            // write); a replay then reads the first request's record.
            replayed = !await _store.TryAddAsync(deployment, cancellationToken);
            recorded = replayed
                ? await _store.GetAsync(id, cancellationToken) ?? throw new InvalidOperationException($"deployment {id} is recorded but could not be read back")
                : deployment;
        }
        catch (Exception ex) when (ex is not OperationCanceledException and not QueueUnavailableException)
        {
            throw new QueueUnavailableException($"the deployment records ({_store.Description}) are not reachable: {ex.Message}", ex) { DeploymentId = id };
        }

        if (replayed && !request.IsSameAs(recorded))
        {
            throw new IdempotencyKeyReusedException(request.IdempotencyKey!, recorded);
        }

        EnqueueResult result;
        try
        {
            result = await _queue.EnqueueAsync(job, cancellationToken);
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            // The record stays queued without a job; a replay (same key, same id) queues it.
            await TryNoteAsync(recorded, $"could not be queued yet: {ex.Message}");
            throw new QueueUnavailableException($"the job queue is not reachable: {ex.Message}", ex) { DeploymentId = id };
        }

        if (result.Added)
        {
            _reporter.Report(DeploymentReport.Of(recorded, _time.GetUtcNow()));
        }

        return new IntakeResult(recorded, result.Job, result.Added, replayed);
    }

    /// <summary>
    /// The deployment and job of a request a front door runs itself (the CLI's plain <c>deploy</c>, through the job
    /// runner): the same mapping as a queued one, nothing recorded or queued. Record the deployment with
    /// <see cref="RecordAsync"/> once the run holds its targets' locks.
    /// </summary>
    public (Deployment Deployment, DeployJob Job) Draft(DeploymentRequest request, Guid id)
    {
        ArgumentNullException.ThrowIfNull(request);
        return (request.ToDeployment(id, _time.GetUtcNow()), JobOf(request, id));
    }

    /// <summary>The job of a request, nothing recorded: what a front door prepares (<see cref="IJobRunner.PrepareAsync"/>) to learn the app, its strategy and targets before it records anything.</summary>
    public DeployJob JobOf(DeploymentRequest request, Guid id)
    {
        ArgumentNullException.ThrowIfNull(request);
        return request.ToJob(id, request.Repository is { } repository ? _options.Repository(repository) : null, _time.GetUtcNow());
    }

    /// <summary>Records a drafted deployment (queued) and sends its first report, like a queued one's.</summary>
    /// <exception cref="Domain.DeployMindException">The records cannot be reached: nothing has run.</exception>
    public async Task RecordAsync(Deployment deployment, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(deployment);
        await _store.AddAsync(deployment, cancellationToken);
        _reporter.Report(DeploymentReport.Of(deployment, _time.GetUtcNow()));
    }

    /// <summary>Queues a rollback of <paramref name="of"/> (<see cref="RollbackRequest"/>), at most once per <paramref name="idempotencyKey"/>.</summary>
    /// <exception cref="RollbackRefusedException"><paramref name="of"/> cannot be rolled back by a worker.</exception>
    /// <exception cref="IdempotencyKeyReusedException">The key made a deployment of another request.</exception>
    /// <exception cref="QueueUnavailableException">The records or the queue cannot be reached.</exception>
    public Task<IntakeResult> RollbackAsync(Deployment of, string triggeredBy, string? idempotencyKey, CancellationToken cancellationToken) =>
        SubmitAsync(RollbackRequest(of, triggeredBy) with { IdempotencyKey = idempotencyKey }, cancellationToken);

    /// <summary>
    /// Cancels deployment <paramref name="id"/> for <paramref name="caller"/>: a queued one at once (its job is skipped when a
    /// worker takes it); a running one is asked to stop, which its worker does at its next step.
    /// </summary>
    /// <exception cref="DeploymentNotFoundException">No such deployment is recorded.</exception>
    /// <exception cref="CancelRefusedException">It is finished already.</exception>
    public async Task<CancelResult> CancelAsync(Guid id, string caller, CancellationToken cancellationToken)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(caller);
        var deployment = await _store.GetAsync(id, cancellationToken)
            ?? throw new DeploymentNotFoundException($"There is no deployment {id} in {_store.Description}.");
        if (deployment.State == DeploymentState.Queued)
        {
            try
            {
                deployment.MoveTo(DeploymentState.Cancelled, $"cancelled by {caller}", _time.GetUtcNow());
                await _store.SaveAsync(deployment, cancellationToken);
                return new CancelResult(deployment, Requested: false);
            }
            catch (ConcurrencyConflictException)
            {
                // A worker took it meanwhile: ask that worker to stop it, like any running deployment.
                deployment = await _store.GetAsync(id, cancellationToken) ?? deployment;
            }
        }

        if (deployment.IsFinished)
        {
            throw new CancelRefusedException(deployment);
        }

        await _store.RequestCancelAsync(id, cancellationToken);
        return new CancelResult(deployment, Requested: true);
    }

    private async Task TryNoteAsync(Deployment deployment, string note)
    {
        try
        {
            deployment.Note(note, _time.GetUtcNow());
            await _store.SaveAsync(deployment, CancellationToken.None);
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            // Best effort: the caller answers 503 either way.
            _ = ex;
        }
    }
}

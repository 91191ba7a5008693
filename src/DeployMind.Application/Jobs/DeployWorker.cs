using System.Globalization;
using DeployMind.Application.Records;
using DeployMind.Application.Reporting;
using DeployMind.Domain.Deploy;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace DeployMind.Application.Jobs;

/// <summary>
/// Takes an environment's jobs and runs them, <c>concurrency</c> at a time: each job holds the locks of its targets
/// (taken in sorted order, so two jobs never wait on each other), keeps its queue entry and its locks alive while it
/// runs, fences every step with its lock tokens, and is acked once its deployment is finished. A job whose target is
/// locked goes back to the queue with a delay and says who holds the lock. On shutdown the worker stops taking jobs and
/// lets the ones in flight finish; a worker that dies leaves its jobs to be taken over.
/// </summary>
public sealed partial class DeployWorker
{
    private static readonly TimeSpan TakeWait = TimeSpan.FromSeconds(1);

    private readonly IJobQueue _queue;
    private readonly TargetLocks _locks;
    private readonly IJobRunner _runner;
    private readonly IDeploymentStore _store;
    private readonly QueueOptions _options;
    private readonly TimeProvider _time;
    private readonly ILogger<DeployWorker> _logger;

    public DeployWorker(IJobQueue queue, IDeployLock locks, IJobRunner runner, IDeploymentStore store, IOptions<QueueOptions> options, TimeProvider time, ILogger<DeployWorker> logger)
    {
        ArgumentNullException.ThrowIfNull(options);
        _queue = queue;
        _locks = new TargetLocks(locks, options, time, logger);
        _runner = runner;
        _store = store;
        _options = options.Value;
        _time = time;
        _logger = logger;
    }

    /// <summary>How long a job waits before it is offered again when a target is locked.</summary>
    public TimeSpan LockedRetryDelay { get; init; } = TimeSpan.FromSeconds(2);

    /// <summary>
    /// Where the ends the worker itself records are reported (superseded, dead-lettered): the commit status and pull
    /// request comment say so, as they do for the runs' own ends.
    /// </summary>
    public IDeploymentReporter Reporter { get; init; } = new NoReporter();

    /// <summary>Told when a job has waited for a lock long enough to say so (<c>lock_wait</c>); none: nobody is told.</summary>
    public Notifications.IDeploymentNotifier? Notifier { get; init; }

    /// <summary>Runs until <paramref name="stopping"/> is cancelled, then lets the jobs in flight finish.</summary>
    /// <param name="environment">The queue to take jobs from.</param>
    /// <param name="name">This worker's name (consumer and lock owner), e.g. "worker-1@build-01".</param>
    /// <param name="concurrency">Jobs run at once.</param>
    /// <param name="stopping">Shutdown: no new job is taken.</param>
    /// <param name="abort">Hard stop: the jobs in flight are cancelled and handed back.</param>
    public Task RunAsync(string environment, string name, int concurrency, CancellationToken stopping, CancellationToken abort)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(environment);
        ArgumentException.ThrowIfNullOrWhiteSpace(name);
        return Task.WhenAll(Enumerable.Range(1, Math.Max(1, concurrency)).Select(slot => SlotAsync(environment, concurrency == 1 ? name : $"{name}#{slot}", stopping, abort)));
    }

    private async Task SlotAsync(string environment, string consumer, CancellationToken stopping, CancellationToken abort)
    {
        while (!stopping.IsCancellationRequested)
        {
            JobLease? lease;
            try
            {
                lease = await _queue.TakeAsync(environment, consumer, TakeWait, stopping);
            }
            catch (OperationCanceledException) when (stopping.IsCancellationRequested)
            {
                break;
            }
            catch (Exception ex) when (ex is not OperationCanceledException)
            {
                // The queue is unreachable (Redis restarting, database locked): wait and try again, nothing is lost.
                LogQueueUnavailable(environment, ex.Message);
                await DelayAsync(TimeSpan.FromSeconds(1), stopping);
                continue;
            }

            if (lease is not null)
            {
                await ProcessAsync(lease, abort);
            }
        }
    }

    /// <summary>One job: its deployment, its locks, the run, the ack. Never throws (except on abort).</summary>
    internal async Task ProcessAsync(JobLease lease, CancellationToken abort)
    {
        var job = lease.Job;
        try
        {
            var deployment = await _store.GetAsync(job.Id, abort);
            if (deployment is null)
            {
                await _queue.FailAsync(lease, $"deployment {job.Id} is not recorded in {_store.Description}", abort);
                return;
            }

            if (deployment.IsFinished)
            {
                // Delivered again after it finished (the ack was lost): done already.
                await _queue.AckAsync(lease, abort);
                return;
            }

            if (lease.Deliveries > _options.MaxDeliveries)
            {
                // Taken over again and again: every worker that took it stopped (crashed, was killed) while running it.
                // Running it once more could kill this one too: it goes to the dead letters and its deployment fails.
                var reason = string.Create(CultureInfo.InvariantCulture, $"taken {lease.Deliveries - 1} time(s) and never finished: each worker that ran it stopped during the run (queue.maxDeliveries is {_options.MaxDeliveries})");
                await FailJobAsync(lease, reason, abort);
                return;
            }

            if (deployment.State != DeploymentState.Queued)
            {
                deployment.MoveTo(DeploymentState.Queued, $"taken over by {lease.Consumer} (delivery {lease.Deliveries}): its previous worker stopped during {deployment.State.Name()}", _time.GetUtcNow());
                await _store.SaveAsync(deployment, abort);
            }

            // A job queued by a webhook or the API does not know its targets yet: the runner reads them from the app's
            // configuration, and keeps the fetched source for the run.
            using var prepared = await _runner.PrepareAsync(job, abort);
            var held = await AcquireAsync(job, prepared.Targets, lease, deployment, abort);
            if (held is null)
            {
                return;
            }

            bool superseded;
            try
            {
                superseded = await SupersedeAsync(lease, deployment, prepared.App ?? deployment.App, abort);
            }
            catch
            {
                await ReleaseAllAsync(held);
                throw;
            }

            if (superseded)
            {
                await ReleaseAllAsync(held);
                await _queue.AckAsync(lease, CancellationToken.None);
                return;
            }

            await RunHoldingAsync(lease, held, prepared, abort);
        }
        catch (OperationCanceledException) when (abort.IsCancellationRequested)
        {
            // Stopped before the run began (while locking): the job goes back as it was.
            await HandBackAsync(lease, "the worker was stopped");
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            LogJobFailed(job.Id, lease.Deliveries, ex.Message);
            await TryAsync(() => FailJobAsync(lease, ex.Message, CancellationToken.None));
        }
    }

    /// <summary>
    /// Whether a deployment of the same app and environment, created after this one, has succeeded: then this one's release
    /// is older than what serves, and it ends superseded (naming the newer one) without touching the target. Called
    /// holding the target's locks, so no newer deployment can be running at the same time.
    /// </summary>
    private async Task<bool> SupersedeAsync(JobLease lease, Deployment deployment, string app, CancellationToken cancellationToken)
    {
        var latest = await _store.ListAsync(new DeploymentQuery { App = app, Environment = deployment.Environment, State = DeploymentState.Succeeded, Limit = 1 }, cancellationToken);
        if (latest is not [var newer] || newer.Id == deployment.Id || newer.CreatedAt <= deployment.CreatedAt)
        {
            return false;
        }

        var succeededAt = newer.Events.LastOrDefault(e => e.To == DeploymentState.Succeeded && e.IsTransition)?.At ?? newer.UpdatedAt;
        var reason = string.Create(
            CultureInfo.InvariantCulture,
            $"superseded by deployment {newer.ShortId()} of {app}, queued after this one, which succeeded at {succeededAt.UtcDateTime:yyyy-MM-dd HH:mm:ss} UTC; this older release was not deployed");
        deployment.MoveTo(DeploymentState.Superseded, reason, _time.GetUtcNow());
        await _store.SaveAsync(deployment, cancellationToken);
        Reporter.Report(DeploymentReport.Of(deployment, _time.GetUtcNow()));
        LogSuperseded(deployment.Id, lease.Consumer, newer.Id);
        return true;
    }

    /// <summary>
    /// The attempt failed: the queue tries it again after a backoff, or puts it in the dead letters. The deployment says
    /// so: queued again with the error, or failed (a dead-lettered job is never run again, so its deployment must end).
    /// </summary>
    private async Task FailJobAsync(JobLease lease, string error, CancellationToken cancellationToken)
    {
        if (!await _queue.TouchAsync(lease, cancellationToken))
        {
            // Taken over meanwhile: the deployment is the new holder's to record.
            LogLost(lease.Job.Id, $"its attempt failed ({error}) after the job was taken over by another worker");
            return;
        }

        var dead = await _queue.FailAsync(lease, error, cancellationToken);
        var deployment = await _store.GetAsync(lease.Job.Id, CancellationToken.None);
        if (deployment is null || deployment.IsFinished)
        {
            return;
        }

        var now = _time.GetUtcNow();
        if (dead)
        {
            deployment.Fail(
                StageOf(deployment.State),
                string.Create(CultureInfo.InvariantCulture, $"the job failed {lease.Deliveries} time(s) and was moved to the dead letters of the {lease.Job.Environment} queue: {error}"),
                now);
        }
        else
        {
            var retry = string.Create(CultureInfo.InvariantCulture, $"attempt {lease.Deliveries} of {_options.MaxDeliveries} failed: {error}; tried again in {_options.RetryDelay(lease.Deliveries).TotalSeconds:0.#} s");
            if (deployment.State == DeploymentState.Queued)
            {
                deployment.Note(retry, now);
            }
            else
            {
                deployment.MoveTo(DeploymentState.Queued, retry, now);
            }
        }

        await _store.SaveAsync(deployment, CancellationToken.None);
        if (deployment.IsFinished)
        {
            Reporter.Report(DeploymentReport.Of(deployment, now));
        }
    }

    private async Task ReleaseAllAsync(HeldLocks held) => await TryAsync(async () => await held.DisposeAsync());

    private static PipelineStage StageOf(DeploymentState state) => state switch
    {
        DeploymentState.Building => PipelineStage.Build,
        DeploymentState.Deploying => PipelineStage.Deploy,
        DeploymentState.Verifying => PipelineStage.Verify,
        _ => PipelineStage.Scan,
    };

    /// <summary>The locks of every target, in sorted order; null (job handed back with a delay) when one is held by someone else.</summary>
    private async Task<HeldLocks?> AcquireAsync(DeployJob job, IReadOnlyList<string> targets, JobLease lease, Deployment deployment, CancellationToken cancellationToken)
    {
        var (held, target, holder) = await _locks.TryAcquireAsync(targets, $"{lease.Consumer}: deployment {job.Id}", cancellationToken);
        if (held is null)
        {
            var reason = $"{LockWaitNotice.Waiting}{target}, held by {holder?.Owner ?? "another deployment"}";
            var changed = false;
            if (deployment.Events.Count == 0 || deployment.Events[^1].Detail != reason)
            {
                deployment.Note(reason, _time.GetUtcNow());
                changed = true;
            }

            changed |= NoticeLockWait(deployment, reason);
            if (changed)
            {
                await TryAsync(() => _store.SaveAsync(deployment, CancellationToken.None));
            }

            await _queue.ReleaseAsync(lease, LockedRetryDelay, reason, cancellationToken);
            return null;
        }

        // The timeline says who held what under which token: the fencing audit of a target reads it.
        foreach (var h in held.Handles)
        {
            deployment.Note(LockNotes.Holding(h, lease.Consumer), _time.GetUtcNow());
        }

        try
        {
            await _store.SaveAsync(deployment, cancellationToken);
        }
        catch
        {
            await ReleaseAllAsync(held);
            throw;
        }

        return held;
    }

    /// <summary>Once a deployment has waited for locks longer than the notifier's limit, it is told (once). True when the timeline got that note.</summary>
    private bool NoticeLockWait(Deployment deployment, string reason) => LockWaitNotice.Check(Notifier, deployment, reason, _time.GetUtcNow());

    private async Task RunHoldingAsync(JobLease lease, HeldLocks held, PreparedJob prepared, CancellationToken abort)
    {
        var control = new JobControl(held.FenceAsync);
        using var lost = CancellationTokenSource.CreateLinkedTokenSource(abort);

        // Registered after the link, so it runs first: the run sees why before it sees the cancellation.
        using var stopped = abort.Register(() => control.HandOver($"{lease.Consumer} was stopped"));
        var lostReason = (string?)null;
        using var heartbeatStop = new CancellationTokenSource();
        var heartbeat = HeartbeatAsync(lease, held, reason =>
        {
            lostReason = reason;
            control.HandOver(reason);
            lost.Cancel();
        }, () => lost.Cancel(), heartbeatStop.Token);

        Deployment? result = null;
        try
        {
            result = await prepared.RunAsync(control, lost.Token);
        }
        catch (OperationCanceledException) when (lost.IsCancellationRequested && lostReason is null && !abort.IsCancellationRequested)
        {
            // Cancelled on request (the API): the run stopped at its next step; its deployment is recorded cancelled (by the
            // pipeline, or here when the run stopped before the pipeline began).
            result = await _store.GetAsync(lease.Job.Id, CancellationToken.None);
            if (result is { IsFinished: false })
            {
                result.MoveTo(DeploymentState.Cancelled, "cancelled on request before it changed anything", _time.GetUtcNow());
                await _store.SaveAsync(result, CancellationToken.None);
            }
        }
        catch (OperationCanceledException) when (lostReason is not null && !abort.IsCancellationRequested)
        {
            // The lease or a lock was lost: another worker owns the job or the target now; change nothing more.
            LogLost(lease.Job.Id, lostReason);
        }
        finally
        {
            await heartbeatStop.CancelAsync();
            await heartbeat;
            await ReleaseAllAsync(held);
        }

        if (lostReason is not null)
        {
            // Not ours any more: the new holder acks it.
            return;
        }

        if (result is { IsFinished: true })
        {
            await _queue.AckAsync(lease, CancellationToken.None);
        }
        else
        {
            await HandBackAsync(lease, control.HandOverReason ?? "the run ended without finishing its deployment");
        }
    }

    /// <summary>Every third of the shorter lease: touches the job, extends the locks and looks for a cancel request; reports a loss once.</summary>
    private async Task HeartbeatAsync(JobLease lease, HeldLocks held, Action<string> onLost, Action onCancelRequested, CancellationToken stop)
    {
        var period = TimeSpan.FromTicks(Math.Max(TimeSpan.FromMilliseconds(100).Ticks, Math.Min(_options.Visibility.Ticks, _options.LockLease.Ticks) / 3));
        while (!stop.IsCancellationRequested)
        {
            if (!await DelayAsync(period, stop))
            {
                return;
            }

            try
            {
                if (!await _queue.TouchAsync(lease, stop))
                {
                    onLost("the job was taken over by another worker");
                    return;
                }

                if (await held.ExtendAsync(stop) is { } lostLock)
                {
                    onLost(HeldLocks.Lost(lostLock));
                    return;
                }

                if (await _store.IsCancelRequestedAsync(lease.Job.Id, stop))
                {
                    LogCancelRequested(lease.Job.Id);
                    onCancelRequested();
                    return;
                }
            }
            catch (OperationCanceledException) when (stop.IsCancellationRequested)
            {
                return;
            }
            catch (Exception ex) when (ex is not OperationCanceledException)
            {
                // A short outage: the leases outlive a few missed beats; the next beat tries again.
                LogHeartbeatFailed(lease.Job.Id, ex.Message);
            }
        }
    }

    private async Task HandBackAsync(JobLease lease, string reason) =>
        await TryAsync(() => _queue.ReleaseAsync(lease, TimeSpan.Zero, reason, CancellationToken.None));

    private async Task TryAsync(Func<Task> action)
    {
        try
        {
            await action();
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            LogBestEffortFailed(ex.Message);
        }
    }

    private async Task<bool> DelayAsync(TimeSpan delay, CancellationToken cancellationToken)
    {
        try
        {
            await Task.Delay(delay, _time, cancellationToken);
            return true;
        }
        catch (OperationCanceledException)
        {
            return false;
        }
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "The {Environment} queue is not reachable ({Reason}); trying again.")]
    private partial void LogQueueUnavailable(string environment, string reason);

    [LoggerMessage(Level = LogLevel.Error, Message = "Job {Id} failed (delivery {Deliveries}): {Reason}")]
    private partial void LogJobFailed(Guid id, int deliveries, string reason);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Job {Id} ({Consumer}): superseded by deployment {Newer}, which succeeded after it was queued; not run.")]
    private partial void LogSuperseded(Guid id, string consumer, Guid newer);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Job {Id} stopped: {Reason}")]
    private partial void LogLost(Guid id, string reason);

    [LoggerMessage(Level = LogLevel.Information, Message = "Job {Id}: a cancel was requested; stopping the run at its next step.")]
    private partial void LogCancelRequested(Guid id);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Heartbeat of job {Id} failed: {Reason}")]
    private partial void LogHeartbeatFailed(Guid id, string reason);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Best-effort cleanup failed: {Reason}")]
    private partial void LogBestEffortFailed(string reason);
}

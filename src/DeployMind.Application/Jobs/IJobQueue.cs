using System.Diagnostics.CodeAnalysis;

namespace DeployMind.Application.Jobs;

/// <summary>
/// Deployment jobs, one queue per environment. At-least-once: a job taken by a worker stays pending until it is acked;
/// a worker that dies leaves it to be taken over once it has been idle past the visibility timeout; a job that keeps
/// failing ends in the dead-letter list with its last error. Workers keep a long job visible with
/// <see cref="TouchAsync"/>.
/// </summary>
[SuppressMessage("Naming", "CA1711:Identifiers should not have incorrect suffix", Justification = "It is a queue; DESIGN.md names the port IJobQueue.")]
public interface IJobQueue
{
    /// <summary>Adds a job; a job with the same idempotency key already enqueued is returned instead (at most one job per key).</summary>
    Task<EnqueueResult> EnqueueAsync(DeployJob job, CancellationToken cancellationToken);

    /// <summary>
    /// The next job of <paramref name="environment"/> for <paramref name="consumer"/>: first a job idle past the visibility
    /// timeout (a dead worker's, even past the delivery limit: the lease's count tells the worker to give up on it), then manual jobs, then webhook jobs, not before a delay set by <see cref="ReleaseAsync"/>.
    /// Waits up to <paramref name="wait"/> when there is none (never blocking a shared connection); null if none came.
    /// </summary>
    Task<JobLease?> TakeAsync(string environment, string consumer, TimeSpan wait, CancellationToken cancellationToken);

    /// <summary>Keeps a job in progress from being taken over (resets its idle time). False: it was taken over, or is gone.</summary>
    Task<bool> TouchAsync(JobLease lease, CancellationToken cancellationToken);

    /// <summary>The job is finished (whatever its deployment's outcome): it leaves the queue.</summary>
    Task AckAsync(JobLease lease, CancellationToken cancellationToken);

    /// <summary>Hands a job back without counting a failure (shutdown, target locked): it may be taken again after <paramref name="delay"/>.</summary>
    Task ReleaseAsync(JobLease lease, TimeSpan delay, string reason, CancellationToken cancellationToken);

    /// <summary>
    /// The attempt failed with <paramref name="error"/> (an exception, not a failed deployment): the job is taken again after
    /// a backoff (<see cref="QueueOptions.RetryDelay"/> of the lease's deliveries), or, at the delivery limit, moved to the
    /// dead-letter list. True when it was dead-lettered (the caller then ends its deployment).
    /// </summary>
    Task<bool> FailAsync(JobLease lease, string error, CancellationToken cancellationToken);

    /// <summary>Depth, oldest age, in flight and dead letters of <paramref name="environment"/>.</summary>
    Task<QueueStats> StatsAsync(string environment, CancellationToken cancellationToken);

    /// <summary>The dead-lettered jobs of <paramref name="environment"/>, newest first.</summary>
    Task<IReadOnlyList<DeadLetter>> DeadLettersAsync(string environment, int limit, CancellationToken cancellationToken);
}

/// <summary>The job now in the queue, and whether this call added it (false: its idempotency key was seen before).</summary>
public sealed record EnqueueResult(DeployJob Job, bool Added);

/// <summary>A job a consumer holds.</summary>
/// <param name="Job">The job.</param>
/// <param name="Consumer">Who holds it.</param>
/// <param name="Token">The queue's handle of this delivery (a stream entry id, a row id).</param>
/// <param name="Deliveries">How many times it has been taken, this time included.</param>
public sealed record JobLease(DeployJob Job, string Consumer, string Token, int Deliveries);

/// <summary>What a queue holds.</summary>
/// <param name="Environment">The queue.</param>
/// <param name="Waiting">Jobs not taken yet (including delayed ones).</param>
/// <param name="InFlight">Jobs taken and not acked.</param>
/// <param name="DeadLetters">Jobs that failed past the delivery limit.</param>
/// <param name="OldestWaiting">Age of the oldest job not taken yet, if any.</param>
public sealed record QueueStats(string Environment, long Waiting, long InFlight, long DeadLetters, TimeSpan? OldestWaiting);

/// <summary>A job that failed too often, with the last error.</summary>
public sealed record DeadLetter(DeployJob Job, int Deliveries, string LastError, DateTimeOffset At);

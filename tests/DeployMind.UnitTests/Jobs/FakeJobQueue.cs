using DeployMind.Application.Jobs;

namespace DeployMind.UnitTests.Jobs;

/// <summary>
/// <see cref="IJobQueue"/> in memory, for enqueuing only: a job whose idempotency key was enqueued before gives back the
/// first job instead (at most one job per key), as the embedded and Redis queues do.
/// </summary>
internal sealed class FakeJobQueue : IJobQueue
{
    private readonly List<DeployJob> _jobs = [];
    private readonly Lock _gate = new();

    /// <summary>When set, enqueuing fails with it (the queue is down).</summary>
    public Exception? Unreachable { get; set; }

    /// <summary>The jobs enqueued, in order.</summary>
    public IReadOnlyList<DeployJob> Jobs
    {
        get
        {
            lock (_gate)
            {
                return [.. _jobs];
            }
        }
    }

    public Task<EnqueueResult> EnqueueAsync(DeployJob job, CancellationToken cancellationToken)
    {
        if (Unreachable is { } unreachable)
        {
            throw unreachable;
        }

        lock (_gate)
        {
            if (job.IdempotencyKey is { } key && _jobs.Find(j => j.IdempotencyKey == key) is { } first)
            {
                return Task.FromResult(new EnqueueResult(first, Added: false));
            }

            _jobs.Add(job);
            return Task.FromResult(new EnqueueResult(job, Added: true));
        }
    }

    public Task<JobLease?> TakeAsync(string environment, string consumer, TimeSpan wait, CancellationToken cancellationToken) => throw new NotSupportedException();

    public Task<bool> TouchAsync(JobLease lease, CancellationToken cancellationToken) => throw new NotSupportedException();

    public Task AckAsync(JobLease lease, CancellationToken cancellationToken) => throw new NotSupportedException();

    public Task ReleaseAsync(JobLease lease, TimeSpan delay, string reason, CancellationToken cancellationToken) => throw new NotSupportedException();

    public Task<bool> FailAsync(JobLease lease, string error, CancellationToken cancellationToken) => throw new NotSupportedException();

    public Task<QueueStats> StatsAsync(string environment, CancellationToken cancellationToken) => throw new NotSupportedException();

    public Task<IReadOnlyList<DeadLetter>> DeadLettersAsync(string environment, int limit, CancellationToken cancellationToken) => throw new NotSupportedException();
}

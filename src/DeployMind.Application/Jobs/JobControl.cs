namespace DeployMind.Application.Jobs;

/// <summary>
/// What a job's run gets from its worker: the fence to call before each step on its targets, and — when the run is
/// stopped because the worker lost its lease or a lock, or is shutting down — the reason to hand the deployment back
/// to the queue rather than end it cancelled.
/// </summary>
public sealed class JobControl
{
    private readonly Func<CancellationToken, Task<bool>> _fence;
    private string? _handOver;

    public JobControl(Func<CancellationToken, Task<bool>> fence)
    {
        _fence = fence;
    }

    /// <summary>Why the run was handed back, if it was (the first reason given).</summary>
    public string? HandOverReason => Volatile.Read(ref _handOver);

    /// <summary>True while this run's lock tokens are still the newest seen on its targets; false: stop, change nothing more.</summary>
    public Task<bool> FenceAsync(CancellationToken cancellationToken) => _fence(cancellationToken);

    /// <summary>Marks the run as handed back for <paramref name="reason"/> (the first reason wins).</summary>
    public void HandOver(string reason) => Interlocked.CompareExchange(ref _handOver, reason, null);
}

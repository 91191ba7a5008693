using DeployMind.Application.Jobs;
using DeployMind.Domain.Deploy;

namespace DeployMind.Application.Pipeline;

/// <summary>
/// A run's fence on its held locks: before each state change is acted on, are this run's tokens still the newest on every
/// target, and is every lock still held? If not, the reason goes into the timeline and the run is stopped (it changes
/// nothing more; the newer holder owns the target).
/// </summary>
public sealed class LockFence : IPipelineObserver
{
    private readonly HeldLocks _held;
    private readonly CancellationTokenSource _stop;
    private readonly TimeProvider _time;
    private string? _lost;

    public LockFence(HeldLocks held, CancellationTokenSource stop, TimeProvider time)
    {
        _held = held;
        _stop = stop;
        _time = time;
    }

    /// <summary>Why the run was stopped, if it was.</summary>
    public string? LostReason => Volatile.Read(ref _lost);

    /// <summary>The heartbeat's report that a lock was lost: the run stops at once.</summary>
    public void Lost(string reason)
    {
        if (Interlocked.CompareExchange(ref _lost, reason, null) is null)
        {
            _stop.Cancel();
        }
    }

    /// <summary>This fence, then <paramref name="next"/> (when there is one).</summary>
    public IPipelineObserver Then(IPipelineObserver? next) => next is null ? this : new Chain(this, next);

    public async Task ChangedAsync(Deployment deployment, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(deployment);
        if (deployment.IsFinished || deployment.State == DeploymentState.Queued)
        {
            return;
        }

        if (LostReason is { } reason)
        {
            deployment.Note($"stopped: {reason}; another run holds the target now", _time.GetUtcNow());
            return;
        }

        if (!await _held.FenceAsync(CancellationToken.None))
        {
            Lost("a newer holder of a target exists (fencing token refused)");
            deployment.Note($"stopped: {LostReason}; another run holds the target now", _time.GetUtcNow());
        }
    }

    private sealed class Chain(IPipelineObserver first, IPipelineObserver next) : IPipelineObserver
    {
        public async Task ChangedAsync(Deployment deployment, CancellationToken cancellationToken)
        {
            await first.ChangedAsync(deployment, cancellationToken);
            await next.ChangedAsync(deployment, cancellationToken);
        }
    }
}

using DeployMind.Domain.Deploy;

namespace DeployMind.Application.Pipeline;

/// <summary>
/// A run's fence on the locks it holds, checked before each change of its deployment is recorded (see
/// <see cref="DeploymentRunner.Run.Fence"/>): are this run's fencing tokens still the newest on every target, and is
/// every lock still held? Once not, the run is stopped and records nothing more — the newer holder owns the target and
/// the deployment's record, so a stale run never writes a step (not even its own failure) after the newer one acted.
/// </summary>
internal sealed class LockFence
{
    private readonly Func<CancellationToken, Task<bool>> _fence;
    private readonly CancellationTokenSource _stop;
    private readonly Action<string>? _onLost;
    private string? _lost;

    /// <param name="fence">True while the run's tokens are the newest on its targets.</param>
    /// <param name="stop">Cancelled when the fence or a lock is lost: the run stops before its next step.</param>
    /// <param name="onLost">Hears why, once (a worker hands the job back).</param>
    public LockFence(Func<CancellationToken, Task<bool>> fence, CancellationTokenSource stop, Action<string>? onLost = null)
    {
        _fence = fence;
        _stop = stop;
        _onLost = onLost;
    }

    /// <summary>Why the run was stopped, if it was.</summary>
    public string? LostReason => Volatile.Read(ref _lost);

    /// <summary>A lock was lost (the heartbeat says so, or the fence refused): the run stops at once.</summary>
    public void Lost(string reason)
    {
        if (Interlocked.CompareExchange(ref _lost, reason, null) is null)
        {
            _onLost?.Invoke(reason);
            _stop.Cancel();
        }
    }

    /// <summary>Whether the change just made to <paramref name="deployment"/> may be recorded (and acted on).</summary>
    public async Task<bool> AllowsAsync(Deployment deployment, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(deployment);
        if (LostReason is not null)
        {
            return false;
        }

        if (deployment.State == DeploymentState.Queued && !deployment.Events.Any(e => e.IsTransition))
        {
            return true; // Nothing has acted yet.
        }

        if (await _fence(cancellationToken))
        {
            return true;
        }

        Lost("a newer holder of a target exists (fencing token refused)");
        return false;
    }
}

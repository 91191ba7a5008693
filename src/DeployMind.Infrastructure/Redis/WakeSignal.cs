namespace DeployMind.Infrastructure.Redis;

/// <summary>
/// Wakes everyone waiting at once and re-arms itself: take <see cref="Next"/> before looking for work, then wait on it,
/// and a <see cref="Set"/> in between is not missed.
/// </summary>
internal sealed class WakeSignal
{
    private TaskCompletionSource _next = NewSource();
    private volatile bool _subscribed;

    /// <summary>Whether the Redis subscription that sets it is in place.</summary>
    public bool Subscribed
    {
        get => _subscribed;
        set => _subscribed = value;
    }

    /// <summary>Completes at the next <see cref="Set"/>.</summary>
    public Task Next => Volatile.Read(ref _next).Task;

    public void Set() => Interlocked.Exchange(ref _next, NewSource()).TrySetResult();

    private static TaskCompletionSource NewSource() => new(TaskCreationOptions.RunContinuationsAsynchronously);
}

namespace DeployMind.Application.Jobs;

/// <summary>
/// One lock per deploy target, with a lease that expires unless extended (a dead holder's lock frees itself) and a
/// fencing token from a counter that only grows: every step on the target carries it, and a step with a token older
/// than one the target has seen is refused (<see cref="CheckFenceAsync"/>), so a holder that lost its lock cannot
/// change the target any more.
/// </summary>
public interface IDeployLock
{
    /// <summary>Takes the lock if it is free (or expired); null when someone else holds it.</summary>
    Task<LockHandle?> TryAcquireAsync(string target, string owner, TimeSpan ttl, CancellationToken cancellationToken);

    /// <summary>Extends the lease if <paramref name="handle"/> still holds the lock; false when it was lost.</summary>
    Task<bool> ExtendAsync(LockHandle handle, TimeSpan ttl, CancellationToken cancellationToken);

    /// <summary>Frees the lock if <paramref name="handle"/> still holds it; false when it was not the holder any more.</summary>
    Task<bool> ReleaseAsync(LockHandle handle, CancellationToken cancellationToken);

    /// <summary>Who holds the lock of <paramref name="target"/>, if anyone.</summary>
    Task<LockInfo?> GetAsync(string target, CancellationToken cancellationToken);

    /// <summary>Frees the lock whoever holds it (an operator's `deploymind lock release`). False when it was free.</summary>
    Task<bool> ForceReleaseAsync(string target, CancellationToken cancellationToken);

    /// <summary>
    /// Records that a step on <paramref name="target"/> is taken under <paramref name="token"/>: true when no newer token has
    /// been seen on the target (it becomes the newest), false when the step must be refused.
    /// </summary>
    Task<bool> CheckFenceAsync(string target, long token, CancellationToken cancellationToken);
}

/// <summary>A held lock.</summary>
/// <param name="Target">What is locked.</param>
/// <param name="Owner">Who holds it (e.g. "worker-3@host:deployment 3f2a1b9c").</param>
/// <param name="Token">The fencing token of this holding: larger than any earlier holding's of the same target.</param>
/// <param name="Nonce">Identifies this holding for compare-and-extend/-delete.</param>
public sealed record LockHandle(string Target, string Owner, long Token, string Nonce);

/// <summary>Who holds a lock.</summary>
public sealed record LockInfo(string Target, string Owner, long Token, DateTimeOffset? ExpiresAt);

using System.Globalization;

namespace DeployMind.Application.Jobs;

/// <summary>Locks held for a run (<see cref="TargetLocks"/>): fenced before each step, extended in the background, released on dispose.</summary>
public sealed class HeldLocks : IAsyncDisposable
{
    private readonly IDeployLock _locks;
    private readonly TimeSpan _lease;
    private readonly TimeProvider _time;
    private readonly Func<LockHandle, Task> _release;
    private readonly Action<string, string> _extendFailed;
    private readonly CancellationTokenSource _stop = new();
    private Task _heartbeat = Task.CompletedTask;
    private int _disposed;

    internal HeldLocks(IDeployLock locks, IReadOnlyList<LockHandle> handles, TimeSpan lease, TimeProvider time, Func<LockHandle, Task> release, Action<string, string> extendFailed)
    {
        _locks = locks;
        Handles = handles;
        _lease = lease;
        _time = time;
        _release = release;
        _extendFailed = extendFailed;
    }

    public IReadOnlyList<LockHandle> Handles { get; }

    /// <summary>True while these tokens are still the newest seen on every target; false: stop, change nothing more.</summary>
    public async Task<bool> FenceAsync(CancellationToken cancellationToken)
    {
        foreach (var h in Handles)
        {
            if (!await _locks.CheckFenceAsync(h.Target, h.Token, cancellationToken))
            {
                return false;
            }
        }

        return true;
    }

    /// <summary>Extends every lock once: the first one that was lost (another run may hold it now), or null.</summary>
    public async Task<LockHandle?> ExtendAsync(CancellationToken cancellationToken)
    {
        foreach (var h in Handles)
        {
            if (!await _locks.ExtendAsync(h, _lease, cancellationToken))
            {
                return h;
            }
        }

        return null;
    }

    /// <summary>Extends every lock each third of the lease until disposed; <paramref name="onLost"/> hears (once) that one was lost.</summary>
    public void KeepAlive(Action<string> onLost)
    {
        ArgumentNullException.ThrowIfNull(onLost);
        _heartbeat = HeartbeatAsync(onLost, _stop.Token);
    }

    private async Task HeartbeatAsync(Action<string> onLost, CancellationToken stop)
    {
        var period = TimeSpan.FromTicks(Math.Max(TimeSpan.FromMilliseconds(100).Ticks, _lease.Ticks / 3));
        while (!stop.IsCancellationRequested)
        {
            try
            {
                await Task.Delay(period, _time, stop);
                if (await ExtendAsync(stop) is { } lost)
                {
                    onLost(Lost(lost));
                    return;
                }
            }
            catch (OperationCanceledException) when (stop.IsCancellationRequested)
            {
                return;
            }
            catch (Exception ex) when (ex is not OperationCanceledException)
            {
                // A short outage: the lease outlives a missed beat; the next one tries again.
                _extendFailed(string.Join(", ", Handles.Select(h => h.Target)), ex.Message);
            }
        }
    }

    /// <summary>What a run is told when <paramref name="handle"/> was lost.</summary>
    public static string Lost(LockHandle handle)
    {
        ArgumentNullException.ThrowIfNull(handle);
        return string.Create(CultureInfo.InvariantCulture, $"the lock of {handle.Target} (fencing token {handle.Token}) was lost");
    }

    public async ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref _disposed, 1) == 1)
        {
            return;
        }

        await _stop.CancelAsync();
        await _heartbeat;
        foreach (var h in Handles)
        {
            await _release(h);
        }

        _stop.Dispose();
    }
}

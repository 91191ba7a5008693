using System.Globalization;
using DeployMind.Domain;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace DeployMind.Application.Jobs;

/// <summary>
/// Takes the locks of every target a run changes — all or none, in sorted order, so two runs never wait on each other —
/// and keeps them for the run (<see cref="HeldLocks"/>). Every path that changes a target goes through here or through
/// the worker: a CLI deploy or rollback waits for the worker's deploy of the same target, and the other way round.
/// </summary>
public sealed partial class TargetLocks
{
    private readonly IDeployLock _locks;
    private readonly QueueOptions _options;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;

    public TargetLocks(IDeployLock locks, IOptions<QueueOptions> options, TimeProvider time, ILogger<TargetLocks> logger)
        : this(locks, options, time, (ILogger)logger)
    {
    }

    /// <summary>For a use case that logs under its own category (the worker).</summary>
    internal TargetLocks(IDeployLock locks, IOptions<QueueOptions> options, TimeProvider time, ILogger logger)
    {
        ArgumentNullException.ThrowIfNull(options);
        _locks = locks;
        _options = options.Value;
        _time = time;
        _logger = logger;
    }

    /// <summary>How often a waiting run asks again.</summary>
    public TimeSpan PollInterval { get; init; } = TimeSpan.FromMilliseconds(500);

    /// <summary>The lock owner a process's own run is known by: who, where, which process, which deployment.</summary>
    public static string OwnerOf(string who, Guid deployment) => OwnerOf(who, $"deployment {deployment}");

    /// <summary>The lock owner a process's own run is known by: who, where, which process, doing what.</summary>
    public static string OwnerOf(string who, string what) =>
        string.Create(CultureInfo.InvariantCulture, $"{who}@{Environment.MachineName} pid {Environment.ProcessId}: {what}");

    /// <summary>Every lock of <paramref name="targets"/>, or none: null and the target someone else holds (and who) when one is taken.</summary>
    public async Task<(HeldLocks? Held, string? BusyTarget, LockInfo? Holder)> TryAcquireAsync(IEnumerable<string> targets, string owner, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(targets);
        var held = new List<LockHandle>();
        foreach (var target in targets.Distinct(StringComparer.Ordinal).Order(StringComparer.Ordinal))
        {
            var handle = await _locks.TryAcquireAsync(target, owner, _options.LockLease, cancellationToken);
            if (handle is not null)
            {
                held.Add(handle);
                continue;
            }

            foreach (var h in held)
            {
                await ReleaseQuietlyAsync(h);
            }

            return (null, target, await _locks.GetAsync(target, cancellationToken));
        }

        return (new HeldLocks(_locks, held, _options.LockLease, _time, ReleaseQuietlyAsync, LogExtendFailed), null, null);
    }

    /// <summary>
    /// Every lock of <paramref name="targets"/>, waiting while another run holds one: <paramref name="waiting"/> hears whom it
    /// waits for (once per holder); <paramref name="stillWaiting"/>, when given, hears the last of those after every try that
    /// found a lock held (a CLI deploy sends <c>lock_wait</c> from there, <see cref="LockWaitNotice"/>).
    /// </summary>
    /// <exception cref="LockWaitTimeoutException">Still held after <paramref name="maxWait"/>: nothing was changed.</exception>
    public async Task<HeldLocks> AcquireAsync(
        IEnumerable<string> targets, string owner, TimeSpan maxWait, Action<string> waiting, CancellationToken cancellationToken, Action<string>? stillWaiting = null)
    {
        ArgumentNullException.ThrowIfNull(targets);
        ArgumentNullException.ThrowIfNull(waiting);
        var list = targets.ToList();
        var started = _time.GetTimestamp();
        string? lastHolder = null;
        while (true)
        {
            var (held, target, holder) = await TryAcquireAsync(list, owner, cancellationToken);
            if (held is not null)
            {
                return held;
            }

            var who = holder?.Owner ?? "another run (it was freed a moment ago)";
            var reason = $"{LockWaitNotice.Waiting}{target}, held by {who}";
            if (who != lastHolder)
            {
                lastHolder = who;
                waiting(reason);
            }

            stillWaiting?.Invoke(reason);

            if (_time.GetElapsedTime(started) >= maxWait)
            {
                throw new LockWaitTimeoutException(
                    $"The lock of {target} is still held by {who} after {Duration.Format(maxWait)}; nothing was changed. " +
                    $"`deploymind lock status {target}` shows it; wait for that run, or give --lock-wait a longer time.");
            }

            await Task.Delay(PollInterval, _time, cancellationToken);
        }
    }

    private async Task ReleaseQuietlyAsync(LockHandle handle)
    {
        try
        {
            await _locks.ReleaseAsync(handle, CancellationToken.None);
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            // It expires by itself.
            LogReleaseFailed(handle.Target, ex.Message);
        }
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "The lock of {Target} could not be released ({Reason}); it expires by itself.")]
    private partial void LogReleaseFailed(string target, string reason);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Extending the lock of {Target} failed ({Reason}); trying again.")]
    private partial void LogExtendFailed(string target, string reason);
}

using System.Globalization;
using DeployMind.Application.Notifications;
using DeployMind.Application.Reporting;
using DeployMind.Domain.Deploy;

namespace DeployMind.Application.Jobs;

/// <summary>
/// <c>lock_wait</c>, the same for every path that waits for a target's lock (a worker's job handed back while the lock is
/// held, a CLI deploy waiting with <c>--lock-wait</c>): the deployment's timeline notes each
/// <see cref="Waiting"/> reason, and once it has waited longer than <c>notifications.lockWait</c> since the first, the
/// notifier is told — once: the timeline records that it was.
/// </summary>
public static class LockWaitNotice
{
    /// <summary>How a wait for a lock begins in a timeline (TargetLocks' and the worker's words).</summary>
    public const string Waiting = "waiting for the lock of ";

    /// <summary>The note that records that <c>lock_wait</c> was sent.</summary>
    public const string Noticed = "still waiting for a lock: notified";

    /// <summary>
    /// Tells <paramref name="notifier"/> that <paramref name="deployment"/> is still waiting (<paramref name="reason"/>) when it
    /// has waited long enough and was not told yet; true when the timeline got the note that it was.
    /// </summary>
    public static bool Check(IDeploymentNotifier? notifier, Deployment deployment, string reason, DateTimeOffset now)
    {
        ArgumentNullException.ThrowIfNull(deployment);
        if (notifier is null || deployment.Events.Any(e => e.Detail.StartsWith(Noticed, StringComparison.Ordinal)))
        {
            return false;
        }

        var since = deployment.Events.FirstOrDefault(e => !e.IsTransition && e.Detail.StartsWith(Waiting, StringComparison.Ordinal))?.At;
        if (since is not { } first || !notifier.LockWaiting(DeploymentReport.Of(deployment, now), now - first, reason))
        {
            return false;
        }

        deployment.Note(string.Create(CultureInfo.InvariantCulture, $"{Noticed} after {Domain.Duration.Format(now - first)} (lock_wait)"), now);
        return true;
    }
}

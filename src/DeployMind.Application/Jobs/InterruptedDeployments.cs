using System.Globalization;
using DeployMind.Application.Deploy;
using DeployMind.Application.Deploy.Hosts;
using DeployMind.Application.Records;
using DeployMind.Domain.Deploy;
using Microsoft.Extensions.Logging;

namespace DeployMind.Application.Jobs;

/// <summary>
/// Finds deployments whose process is gone — a CLI killed mid-deploy: still "deploying" in the records, but the lock it
/// held is free (or someone else's) and nobody extends it — and ends them <c>failed</c> ("interrupted"), so they never look
/// like they are still running and a rollback never brings their release back. What such a run left on a host it can
/// reach (a container of its release that nginx never routed to) is removed under the target's lock. A worker's
/// deployment is left to its queue: its job is taken over by another worker (or ends in the dead letters, failed).
/// Run by the CLI before <c>status</c>, <c>list</c>, <c>deploy</c> and <c>rollback</c>, and by the server's housekeeping.
/// </summary>
public sealed partial class InterruptedDeployments
{
    /// <summary>The owner prefix of locks held by a CLI process (<see cref="TargetLocks.OwnerOf(string, Guid)"/> with "cli:…").</summary>
    public const string CliOwnerPrefix = "cli:";

    private static readonly DeploymentState[] Active = [DeploymentState.Scanning, DeploymentState.Building, DeploymentState.Deploying, DeploymentState.Verifying];

    private readonly IDeploymentStore _store;
    private readonly IDeployLock _locks;
    private readonly TargetLocks _targetLocks;
    private readonly IDeployHostFactory _hosts;
    private readonly TimeProvider _time;
    private readonly ILogger<InterruptedDeployments> _logger;

    public InterruptedDeployments(
        IDeploymentStore store, IDeployLock locks, TargetLocks targetLocks, IDeployHostFactory hosts, TimeProvider time, ILogger<InterruptedDeployments> logger)
    {
        _store = store;
        _locks = locks;
        _targetLocks = targetLocks;
        _hosts = hosts;
        _time = time;
        _logger = logger;
    }

    /// <summary>Ends every interrupted deployment (failed, "interrupted") and cleans up after it; returns them. Never throws but on cancellation.</summary>
    public async Task<IReadOnlyList<Deployment>> ReconcileAsync(CancellationToken cancellationToken)
    {
        var ended = new List<Deployment>();
        try
        {
            foreach (var state in Active)
            {
                foreach (var deployment in await _store.ListAsync(new DeploymentQuery { State = state, Limit = 100 }, cancellationToken))
                {
                    if (await EndIfInterruptedAsync(deployment, cancellationToken))
                    {
                        ended.Add(deployment);
                    }
                }
            }
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            // Reconciling is housekeeping: a store or lock outage must not stop the command that asked.
            LogReconcileFailed(ex.Message);
        }

        return ended;
    }

    private async Task<bool> EndIfInterruptedAsync(Deployment deployment, CancellationToken cancellationToken)
    {
        // The run's locks: the holding notes of its last owner (a job taken over has the new worker's).
        var holdings = deployment.Events
            .Select(e => LockNotes.TryParse(e.Detail, out var target, out var owner) ? (Target: target, Owner: owner) : default)
            .Where(h => h.Target is { Length: > 0 })
            .ToList();
        if (holdings.Count == 0 || !holdings[^1].Owner.StartsWith(CliOwnerPrefix, StringComparison.Ordinal))
        {
            return false;
        }

        var owner = holdings[^1].Owner;
        var lockedAt = deployment.Events.Last(e => LockNotes.TryParse(e.Detail, out _, out var o) && o == owner).At;
        var targets = holdings.Where(h => h.Owner == owner).Select(h => h.Target).Distinct(StringComparer.Ordinal).ToList();
        foreach (var target in targets)
        {
            if ((await _locks.GetAsync(target, cancellationToken))?.Owner == owner)
            {
                return false; // Still held, so still extended: the run is alive.
            }
        }

        var stage = deployment.State switch
        {
            DeploymentState.Scanning => PipelineStage.Scan,
            DeploymentState.Building => PipelineStage.Build,
            DeploymentState.Verifying => PipelineStage.Verify,
            _ => PipelineStage.Deploy,
        };
        var during = deployment.State.Name();
        var cleanup = await CleanUpAsync(deployment, targets, lockedAt, cancellationToken);
        deployment.Fail(
            stage,
            $"interrupted: the process that ran it ({owner}) stopped during {during} and holds no lock any more; {cleanup}",
            _time.GetUtcNow());
        try
        {
            await _store.SaveAsync(deployment, cancellationToken);
        }
        catch (ConcurrencyConflictException)
        {
            return false; // Someone else recorded it first (another command reconciling, or the run itself after all).
        }

        LogInterrupted(deployment.Id, owner, during);
        return true;
    }

    /// <summary>
    /// Removes the run's never-routed containers from the hosts it locked that can be reached without the app's
    /// configuration: the app's containers created while the run held the host's lock (its release, whether or not the
    /// records had learnt its id before the process died).
    /// </summary>
    private async Task<string> CleanUpAsync(Deployment deployment, IReadOnlyList<string> targets, DateTimeOffset lockedAt, CancellationToken cancellationToken)
    {
        if (deployment.State is DeploymentState.Scanning or DeploymentState.Building)
        {
            return "it had not started anything on its hosts";
        }

        var said = new List<string>();
        foreach (var target in targets)
        {
            if (DeployService.ReachableHostOf(target) is not { } options)
            {
                said.Add($"{target}: not cleaned up here (a named or Kubernetes target needs the app's configuration); the deployment is marked failed, so no rollback chooses its release");
                continue;
            }

            var (held, _, holder) = await _targetLocks.TryAcquireAsync([target], TargetLocks.OwnerOf("reconcile", deployment.Id), cancellationToken);
            if (held is null)
            {
                said.Add($"{target}: busy ({holder?.Owner ?? "another run"}), what the run left goes with that app's next deploy");
                continue;
            }

            await using (held)
            {
                try
                {
                    said.Add($"{target}: {await RemoveUnroutedAsync(_hosts.Create(options), deployment, lockedAt, cancellationToken)}");
                }
                catch (Exception ex) when (ex is Domain.DeployMindException or IOException or InvalidOperationException)
                {
                    said.Add($"{target}: could not be cleaned up ({ex.Message})");
                }
            }
        }

        return string.Join("; ", said);
    }

    private static async Task<string> RemoveUnroutedAsync(DeployHost host, Deployment deployment, DateTimeOffset lockedAt, CancellationToken cancellationToken)
    {
        var app = deployment.App;
        var route = await host.Router.GetAsync(app, cancellationToken);
        var containers = (await host.Runtime.ListAsync(app, cancellationToken))
            .Where(c => c.Label(ContainerLabels.Release) == deployment.ReleaseId
                || (DateTimeOffset.TryParse(c.Label(ContainerLabels.StartedAt), CultureInfo.InvariantCulture, DateTimeStyles.RoundtripKind, out var started) && started >= lockedAt))
            .ToList();
        if (deployment.ReleaseId is null && containers.Select(c => c.Label(ContainerLabels.Release)).Distinct().SingleOrDefault() is { } release)
        {
            // The process died before its release was recorded: the record learns it now, so the history rejects it.
            deployment.RecordRelease(release, deployment.Target ?? host.Name, deployment.Url);
        }

        var routed = containers.Where(c => route is not null && route.Servers.Any(s => s.Address.EndsWith(":" + c.Label(ContainerLabels.Port), StringComparison.Ordinal))).ToList();
        if (routed.Count > 0)
        {
            // Stopping what nginx sends traffic to would be an outage: it stays, and says how to go back.
            return $"its release serves but was never verified ({string.Join(", ", routed.Select(c => c.Name))}): `deploymind rollback` goes back to the last release that succeeded";
        }

        foreach (var container in containers)
        {
            await host.Runtime.StopAsync(container.Name, TimeSpan.FromSeconds(5), cancellationToken);
            await host.Runtime.RemoveAsync(container.Name, cancellationToken);
        }

        return containers.Count == 0
            ? "nothing of its release was left"
            : $"removed {string.Join(", ", containers.Select(c => c.Name))} (never routed)";
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Deployment {Id} was interrupted: {Owner} stopped during {State}; recorded failed.")]
    private partial void LogInterrupted(Guid id, string owner, string state);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Looking for interrupted deployments failed: {Reason}")]
    private partial void LogReconcileFailed(string reason);
}

using DeployMind.Application.Deploy.Hosts;
using DeployMind.Domain;
using DeployMind.Domain.Deploy;

namespace DeployMind.Application.Deploy.Strategies;

/// <summary>
/// Rolling: per host (or batch of hosts), the new container starts beside the old one, must pass N consecutive
/// health checks, then the upstream is switched to it. Old containers keep running until every host has switched,
/// so a failure on a later host puts the already-switched hosts back on the previous release at once; with
/// <see cref="DeployRequest.DeferRetirement"/> they keep running until the caller has verified the new release.
/// </summary>
public sealed class RollingStrategy : IDeploymentStrategy
{
    private readonly ReleaseLauncher _launcher;
    private readonly TimeProvider _time;

    public RollingStrategy(ReleaseLauncher launcher, TimeProvider time)
    {
        _launcher = launcher;
        _time = time;
    }

    public StrategyKind Kind => StrategyKind.Rolling;

    public async Task<DeployOutcome> DeployAsync(DeployRequest request, IDeployObserver observer, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        ArgumentNullException.ThrowIfNull(observer);
        var started = _time.GetTimestamp();
        var switched = new List<(LaunchedRelease Release, RouteSpec? Previous)>();
        var launched = new List<LaunchedRelease>();
        HealthReport? lastHealth = null;
        try
        {
            foreach (var batch in request.Hosts.Chunk(Math.Max(1, request.BatchSize)))
            {
                launched.Clear();
                foreach (var host in batch)
                {
                    var (release, health) = await _launcher.LaunchAsync(host, request, colour: null, observer, cancellationToken);
                    lastHealth = health;
                    if (release is null)
                    {
                        await DiscardAllAsync(launched);
                        await RestoreAsync(request.Release.App, switched, observer);
                        await DiscardAllAsync(switched.Select(s => s.Release));
                        var reason = $"{request.Release.ReleaseId} did not become healthy on {host.Name}: {health.Failure}"
                            + (switched.Count > 0 ? $" Hosts already switched ({string.Join(", ", switched.Select(s => s.Release.Host.Name))}) were put back on the previous release." : string.Empty);
                        return Outcome(DeployStatus.Failed, reason, started, lastHealth, []);
                    }

                    launched.Add(release);
                }

                foreach (var release in launched.ToList())
                {
                    var previous = await ReleaseLauncher.LiveRouteAsync(release.Host, request.Release.App, release.Neighbours, cancellationToken);
                    await release.Host.Router.ApplyAsync(RouteTo(request, release), cancellationToken);
                    switched.Add((release, previous));
                    launched.Remove(release);
                    observer.Step(release.Host.Name, $"traffic switched to {release.Display}");
                }
            }
        }
        catch (Exception ex) when (ex is DeployMindException or OperationCanceledException)
        {
            // Traffic first goes back, then the new containers go: never a route to a removed container.
            await RestoreAsync(request.Release.App, switched, observer);
            await DiscardAllAsync(switched.Select(s => s.Release).Concat(launched));
            if (ex is OperationCanceledException)
            {
                throw;
            }

            return Outcome(DeployStatus.Failed, ex is RouterConfigurationException ? $"The router rejected the new configuration: {ex.Message}" : ex.Message, started, lastHealth, []);
        }

        var handover = new ReleaseSwitch(_launcher, _time, request, switched, request.Drain);
        if (request.DeferRetirement)
        {
            return Outcome(DeployStatus.Succeeded, null, started, lastHealth, [.. switched.Select(s => s.Release.Host.Name)]) with { Switch = handover };
        }

        // Done once the new release serves everywhere and the previous one stopped; pruning old releases is housekeeping
        // after that (still within the deploy and its lock, timed apart, its failures reported, not failing the deploy).
        await handover.StopPreviousAsync(observer, cancellationToken);
        var done = Outcome(DeployStatus.Succeeded, null, started, lastHealth, [.. switched.Select(s => s.Release.Host.Name)]) with { Switch = handover };
        return done with { Housekeeping = await handover.PruneAsync(observer, cancellationToken) };
    }

    /// <summary>The route that sends all of a host's traffic to one release (its web replicas, balanced evenly).</summary>
    internal static RouteSpec RouteTo(DeployRequest request, LaunchedRelease release) =>
        new(request.Release.App, request.ListenPort, [.. release.Addresses.Select(a => new UpstreamServer(a, 1, request.Release.ReleaseId))]) { ServerName = request.ServerName, Domains = request.Domains, Tls = request.Tls };

    /// <summary>Puts switched hosts back on their previous route (best effort on every host, whatever fails).</summary>
    internal static async Task RestoreAsync(string app, IEnumerable<(LaunchedRelease Release, RouteSpec? Previous)> switched, IDeployObserver observer)
    {
        foreach (var (release, previous) in switched.Reverse())
        {
            if (previous is null)
            {
                // A first deploy has nothing to go back to: stop routing rather than point at a removed container.
                await release.Host.Router.RemoveAsync(app, CancellationToken.None);
                continue;
            }

            observer.Step(release.Host.Name, "traffic back to the previous release");
            await release.Host.Router.ApplyAsync(previous, CancellationToken.None);
        }
    }

    private static async Task DiscardAllAsync(IEnumerable<LaunchedRelease> releases)
    {
        foreach (var release in releases)
        {
            await ReleaseLauncher.DiscardAsync(release, CancellationToken.None);
        }
    }

    private DeployOutcome Outcome(DeployStatus status, string? reason, long started, HealthReport? health, IReadOnlyList<string> hosts) =>
        new(status, Kind, reason, _time.GetElapsedTime(started)) { Health = health, HostsSwitched = hosts };
}

using DeployMind.Application.Deploy.Hosts;
using DeployMind.Application.Deploy.Strategies;

namespace DeployMind.Application.Deploy;

/// <summary>
/// The hosts a deploy switched to the new release while the releases that served before still run beside it. Exactly
/// one of two things ends it: <see cref="RetireAsync"/> once the new release is verified (after the drain, the previous
/// containers stop and are kept for rollbacks), or <see cref="RevertAsync"/> when it is not (every host goes back to
/// its previous route at once — nothing has to start again — and after the drain the new containers are removed).
/// </summary>
public sealed class ReleaseSwitch
{
    private readonly ReleaseLauncher _launcher;
    private readonly TimeProvider _time;
    private readonly DeployRequest _request;
    private readonly TimeSpan _retireDrain;
    private bool _toPrune;

    /// <param name="launcher">Retires the previous containers.</param>
    /// <param name="time">Times the drains.</param>
    /// <param name="request">The deploy: its app, its drain (in-flight requests on the new containers before they go) and how many releases to keep.</param>
    /// <param name="hosts">Per host: the new release now serving and the route that served before it (null on a first deploy).</param>
    /// <param name="retireDrain">Time for in-flight requests before the previous containers stop.</param>
    public ReleaseSwitch(ReleaseLauncher launcher, TimeProvider time, DeployRequest request, IReadOnlyList<(LaunchedRelease Release, RouteSpec? Previous)> hosts, TimeSpan retireDrain)
    {
        ArgumentNullException.ThrowIfNull(launcher);
        ArgumentNullException.ThrowIfNull(request);
        ArgumentNullException.ThrowIfNull(hosts);
        _launcher = launcher;
        _time = time;
        _request = request;
        Hosts = hosts;
        _retireDrain = retireDrain;
    }

    /// <summary>Per host: the new release now serving and the route that served before it (null on a first deploy).</summary>
    public IReadOnlyList<(LaunchedRelease Release, RouteSpec? Previous)> Hosts { get; }

    /// <summary>True until it is retired or reverted: the previous releases still run.</summary>
    public bool Pending { get; private set; } = true;

    /// <summary>Whether any host had a release serving before the switch (something to go back to).</summary>
    public bool HasPrevious => Hosts.Any(h => h.Previous is not null);

    /// <summary>The release ids that served before the switch, for messages ("r1"); empty on a first deploy.</summary>
    public IReadOnlyList<string> PreviousReleases =>
        [.. Hosts.SelectMany(h => h.Previous?.Servers ?? []).Select(s => s.Label).Distinct(StringComparer.Ordinal)];

    /// <summary>The new release is kept: after the drain the previous containers stop (kept for rollbacks), then old ones beyond keepReleases go (<see cref="PruneAsync"/>).</summary>
    public async Task RetireAsync(IDeployObserver observer, CancellationToken cancellationToken)
    {
        await StopPreviousAsync(observer, cancellationToken);
        await PruneAsync(observer, cancellationToken);
    }

    /// <summary>
    /// The new release is kept: after the drain the previous containers stop on every host (kept for rollbacks). The
    /// deploy is done then; <see cref="PruneAsync"/> is its housekeeping.
    /// </summary>
    public async Task StopPreviousAsync(IDeployObserver observer, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(observer);
        if (!Pending)
        {
            return;
        }

        Pending = false;
        _toPrune = true;
        foreach (var (release, _) in Hosts)
        {
            await _launcher.StopOthersAsync(_request, release, _retireDrain, observer, cancellationToken);
        }
    }

    /// <summary>
    /// Housekeeping after <see cref="StopPreviousAsync"/>, still within the deploy (and its lock): on every host, releases
    /// beyond the newest keepReleases are removed. A failure is reported to <paramref name="observer"/>, never thrown: the
    /// new release serves whatever happens here. Returns how long it took.
    /// </summary>
    public async Task<TimeSpan> PruneAsync(IDeployObserver observer, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(observer);
        if (!_toPrune)
        {
            // Not retired (pending, or reverted: the previous release is the current one again), or pruned already.
            return TimeSpan.Zero;
        }

        _toPrune = false;
        var started = _time.GetTimestamp();
        foreach (var (release, _) in Hosts)
        {
            await ReleaseLauncher.PruneAsync(_request, release, observer, cancellationToken);
        }

        return _time.GetElapsedTime(started);
    }

    /// <summary>
    /// Notes on every host that the new release served and passed verify: the host's own ledger, which a rollback without
    /// the records reads (<see cref="RollbackService.PreviousReleaseAsync"/>). Only the pipeline calls it, once every stage passed.
    /// </summary>
    public async Task RecordVerifiedAsync(CancellationToken cancellationToken)
    {
        foreach (var (release, _) in Hosts)
        {
            await release.Host.Router.RecordVerifiedAsync(_request.Release.App, _request.Release.ReleaseId, cancellationToken);
        }
    }

    /// <summary>
    /// The new release is rejected: traffic goes back to the previous route on every host (a host without one stops routing
    /// the app rather than point at a removed container); once the nginx workers of the replaced configuration, which may still
    /// be sending requests to them, are gone (at most the drain), the new containers are removed. Not cancellable: it is the way back.
    /// </summary>
    public async Task RevertAsync(IDeployObserver observer)
    {
        ArgumentNullException.ThrowIfNull(observer);
        if (!Pending)
        {
            return;
        }

        Pending = false;
        await RollingStrategy.RestoreAsync(_request.Release.App, Hosts, observer);
        if (_request.Drain > TimeSpan.Zero)
        {
            // Each host's old nginx workers finish their requests to the new containers; at most the drain.
            await Task.WhenAll(Hosts.Select(h => h.Release.Host).DistinctBy(h => h.Name)
                .Select(host => Drain.WaitAsync(host.Router, _request.Drain, _time, CancellationToken.None)));
        }

        foreach (var (release, _) in Hosts)
        {
            observer.Step(release.Host.Name, $"removing {release.Display}");
            await ReleaseLauncher.DiscardAsync(release, CancellationToken.None);
        }
    }
}

using DeployMind.Application.Deploy.Analysis;
using DeployMind.Application.Deploy.Hosts;
using DeployMind.Domain;
using DeployMind.Domain.Deploy;

namespace DeployMind.Application.Deploy.Strategies;

/// <summary>
/// Blue-green: the idle colour gets the new release and must pass its health checks; then the upstream switches to
/// it atomically (one nginx reload). The old colour stays running through the observation window while the new one
/// is health-checked and its error rate read from the access log; a bad window switches straight back, a good one
/// stops the old colour (with <see cref="DeployRequest.DeferRetirement"/>: once the caller has verified the new one).
/// </summary>
internal sealed class BlueGreenStrategy : IDeploymentStrategy
{
    public const string Blue = "blue";
    public const string Green = "green";

    private readonly ReleaseLauncher _launcher;
    private readonly TimeProvider _time;

    public BlueGreenStrategy(ReleaseLauncher launcher, TimeProvider time)
    {
        _launcher = launcher;
        _time = time;
    }

    public StrategyKind Kind => StrategyKind.BlueGreen;

    public async Task<DeployOutcome> DeployAsync(DeployRequest request, IDeployObserver observer, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        ArgumentNullException.ThrowIfNull(observer);
        var started = _time.GetTimestamp();
        var app = request.Release.App;
        var launched = new List<(LaunchedRelease Release, RouteSpec? Previous)>();
        var switched = false;
        HealthReport? lastHealth = null;
        try
        {
            foreach (var host in request.Hosts)
            {
                var idle = await IdleColourAsync(host, app, cancellationToken);
                observer.Step(host.Name, $"deploying to the idle colour ({idle})");
                var (release, health) = await _launcher.LaunchAsync(host, request, idle, observer, cancellationToken);
                lastHealth = health;
                if (release is null)
                {
                    await DiscardAsync(launched);
                    return Outcome(DeployStatus.Failed, $"{request.Release.ReleaseId} ({idle}) did not become healthy on {host.Name}: {health.Failure}", started);
                }

                launched.Add((release, await ReleaseLauncher.LiveRouteAsync(host, app, cancellationToken)));
            }

            // From the first switch on, a failure puts every host back (re-applying an unchanged route is harmless).
            switched = true;
            foreach (var (release, _) in launched)
            {
                await release.Host.Router.ApplyAsync(RollingStrategy.RouteTo(request, release), cancellationToken);
                observer.Step(release.Host.Name, $"switched to {release.Display}");
            }

            // A first deploy has no previous colour to go back to: there is nothing to observe against.
            var verdict = launched.All(l => l.Previous is null) ? null : await ObserveAsync(request, launched, observer, cancellationToken);
            if (verdict is not null)
            {
                await SwitchBackAsync(app, launched, observer);
                await DiscardAsync(launched);
                return Outcome(DeployStatus.RolledBack, $"The new colour misbehaved in the observation window: {verdict}. Traffic is back on the previous colour.", started);
            }
        }
        catch (Exception ex) when (ex is DeployMindException or OperationCanceledException)
        {
            if (switched)
            {
                await SwitchBackAsync(app, launched, observer);
            }

            await DiscardAsync(launched);
            if (ex is OperationCanceledException)
            {
                throw;
            }

            return Outcome(DeployStatus.Failed, ex is RouterConfigurationException ? $"The router rejected the new configuration: {ex.Message}" : ex.Message, started);
        }

        // The old colour was warm through the window: no drain when it stops (now, or once the caller verified the new one).
        var handover = new ReleaseSwitch(_launcher, _time, request, launched, TimeSpan.Zero);
        if (!request.DeferRetirement)
        {
            await handover.RetireAsync(observer, cancellationToken);
        }

        return Outcome(DeployStatus.Succeeded, null, started) with { Health = lastHealth, HostsSwitched = [.. launched.Select(l => l.Release.Host.Name)], Switch = handover };
    }

    /// <summary>The colour not serving now: the opposite of the running container's colour (blue when none).</summary>
    internal static async Task<string> IdleColourAsync(DeployHost host, string app, CancellationToken cancellationToken)
    {
        var route = await ReleaseLauncher.LiveRouteAsync(host, app, cancellationToken);
        var containers = await host.Runtime.ListAsync(app, cancellationToken);
        var live = containers
            .Where(c => c.Running && route is not null && route.Servers.Any(s => s.Address.EndsWith(":" + c.Label(ContainerLabels.Port), StringComparison.Ordinal)))
            .Select(c => c.Label(ContainerLabels.Colour))
            .FirstOrDefault(c => c is not null);
        return live == Blue ? Green : Blue;
    }

    /// <summary>Watches the new colour for the observation window; returns why it is bad, or null when it held.</summary>
    private async Task<string?> ObserveAsync(DeployRequest request, List<(LaunchedRelease Release, RouteSpec? Previous)> launched, IDeployObserver observer, CancellationToken cancellationToken)
    {
        var from = _time.GetUtcNow();
        var until = from + request.ObservationWindow;
        observer.Step("blue-green", $"observing for {request.ObservationWindow.TotalSeconds:0}s; the previous colour stays warm");
        var progress = new StepProgress(_time, from, until);
        var saidGaps = new HashSet<string>(StringComparer.Ordinal);
        return await ObservationLoop.WatchAsync(_time, until, request.Health.Interval, async ct =>
        {
            var seen = new List<UpstreamStats>();
            foreach (var (release, _) in launched)
            {
                if (await ReleaseLauncher.ProbeAsync(release, request.Health, ct) is { } failure)
                {
                    return failure;
                }

                var window = await release.Host.Router.ReadTrafficAsync(request.Release.App, from, _time.GetUtcNow(), ct);
                var own = new TrafficWindow(window.From, window.To, new Dictionary<string, UpstreamStats> { ["new"] = release.StatsIn(window) });
                var result = CanaryAnalysis.Judge(own, "new", null, request.Canary);
                var gaps = window.Gaps.Count == 0 ? string.Empty : $"; not counted: {string.Join("; ", window.Gaps)}";
                if (result.Verdict == CanaryVerdict.Unhealthy)
                {
                    return $"{release.Host.Name}: {result.Reason}{gaps}";
                }

                foreach (var gap in window.Gaps.Where(saidGaps.Add))
                {
                    // The window's figures miss part of it: said once, where the observation is reported.
                    observer.Step("blue-green", $"{release.Host.Name}: not counted: {gap}");
                }

                seen.Add(result.Canary);
            }

            if (progress.Due() is { } left)
            {
                var sum = new UpstreamStats(seen.Sum(s => s.Requests), seen.Sum(s => s.ServerErrors), seen.Count == 0 ? 0 : seen.Max(s => s.P95Milliseconds));
                observer.Progress("blue-green", $"new colour: {StepProgress.Figures(sum, null)}, {left}");
            }

            return null;
        }, cancellationToken);
    }

    private static async Task SwitchBackAsync(string app, List<(LaunchedRelease Release, RouteSpec? Previous)> launched, IDeployObserver observer)
    {
        foreach (var (release, previous) in launched)
        {
            if (previous is not null)
            {
                observer.Step(release.Host.Name, "switching back to the previous colour");
                await release.Host.Router.ApplyAsync(previous, CancellationToken.None);
            }
            else
            {
                // A first deploy has nothing to go back to: stop routing rather than point at a removed container.
                await release.Host.Router.RemoveAsync(app, CancellationToken.None);
            }
        }
    }

    private static async Task DiscardAsync(List<(LaunchedRelease Release, RouteSpec? Previous)> launched)
    {
        foreach (var (release, _) in launched)
        {
            await ReleaseLauncher.DiscardAsync(release, CancellationToken.None);
        }
    }

    private DeployOutcome Outcome(DeployStatus status, string? reason, long started) =>
        new(status, Kind, reason, _time.GetElapsedTime(started));
}

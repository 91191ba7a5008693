using DeployMind.Application.Deploy.Analysis;
using DeployMind.Application.Deploy.Hosts;
using DeployMind.Domain;
using DeployMind.Domain.Deploy;

namespace DeployMind.Application.Deploy.Strategies;

/// <summary>
/// Canary: the new release starts beside the stable one and gets the configured share of traffic step by step
/// (default 10 → 50 → 100). Each step lasts the step duration with active health checks on the canary and the
/// window read so far from the router's access log judged every health interval by <see cref="CanaryAnalysis"/>
/// (unhealthy — an absolute limit, or worse than the stable release beyond a tolerance — or a split that does not
/// match the weights ends the step early); at its end the whole window decides. Unhealthy, a split mismatch or a failed
/// health check puts traffic back on the stable release at once and removes the canary. Undecided (too few requests, or
/// the comparisons still hold their tolerance) is handled as configured (extend, pass, fail); an extension keeps the
/// step's window. At 100% the stable
/// release stops after the drain (with <see cref="DeployRequest.DeferRetirement"/>: once the caller has verified the canary).
/// </summary>
public sealed class CanaryStrategy : IDeploymentStrategy
{
    private readonly ReleaseLauncher _launcher;
    private readonly TimeProvider _time;

    public CanaryStrategy(ReleaseLauncher launcher, TimeProvider time)
    {
        _launcher = launcher;
        _time = time;
    }

    public StrategyKind Kind => StrategyKind.Canary;

    public async Task<DeployOutcome> DeployAsync(DeployRequest request, IDeployObserver observer, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        ArgumentNullException.ThrowIfNull(observer);
        var started = _time.GetTimestamp();
        var app = request.Release.App;
        var canaries = new List<(LaunchedRelease Release, RouteSpec? Stable)>();
        var steps = new List<CanaryStepResult>();
        var reached = 0;
        HealthReport? lastHealth = null;
        try
        {
            foreach (var host in request.Hosts)
            {
                var (release, health) = await _launcher.LaunchAsync(host, request, colour: null, observer, cancellationToken);
                lastHealth = health;
                if (release is null)
                {
                    await RemoveCanariesAsync(canaries, observer);
                    return Outcome(DeployStatus.Failed, $"{request.Release.ReleaseId} did not become healthy on {host.Name}: {health.Failure}", started, steps, 0) with { Health = health };
                }

                canaries.Add((release, await ReleaseLauncher.LiveRouteAsync(host, app, cancellationToken)));
            }

            foreach (var percent in request.Canary.Steps)
            {
                foreach (var (release, stable) in canaries)
                {
                    await release.Host.Router.ApplyAsync(Weighted(request, release, stable, percent), cancellationToken);
                    observer.Step(release.Host.Name, percent == 100 || stable is null ? $"100% of traffic on {release.Display}" : $"canary at {percent}%");
                }

                reached = percent;
                if (percent == 100 || canaries.All(c => c.Stable is null))
                {
                    reached = 100;
                    break;
                }

                // An extended step keeps its window: the judge's comparisons stay valid however long it grows.
                DateTimeOffset? windowStart = null;
                var failed = await CanaryJudge.RunStepAsync(
                    request.Canary, percent, steps, observer, ct => RunStepAsync(request, canaries, percent, windowStart ??= _time.GetUtcNow(), observer, ct), cancellationToken);
                if (failed is not null)
                {
                    await RollBackAsync(canaries, observer);
                    return Outcome(DeployStatus.RolledBack, $"{CanaryJudge.RolledBack(failed, percent, request.Canary)} Traffic is back on the stable release.", started, steps, percent) with { Health = lastHealth };
                }
            }
        }
        catch (Exception ex) when (ex is DeployMindException or OperationCanceledException)
        {
            await RollBackAsync(canaries, observer);
            if (ex is OperationCanceledException)
            {
                throw;
            }

            return Outcome(DeployStatus.Failed, ex is RouterConfigurationException ? $"The router rejected the new configuration: {ex.Message}" : ex.Message, started, steps, reached);
        }

        var handover = new ReleaseSwitch(_launcher, _time, request, canaries, request.Drain);
        if (!request.DeferRetirement)
        {
            await handover.RetireAsync(observer, cancellationToken);
        }

        return Outcome(DeployStatus.Succeeded, null, started, steps, 100) with { Health = lastHealth, HostsSwitched = [.. canaries.Select(c => c.Release.Host.Name)], Switch = handover };
    }

    /// <summary>
    /// Stable servers share 100 − percent, the canary's web replicas share percent; no stable means the canary takes all.
    /// Weights are scaled so the shares are exact whatever the number of servers on each side (percent × stable servers
    /// for each canary replica, (100 − percent) × canary replicas for each stable server).
    /// </summary>
    internal static RouteSpec Weighted(DeployRequest request, LaunchedRelease canary, RouteSpec? stable, int percent)
    {
        var canaryAddresses = canary.Addresses;
        if (stable is null || percent >= 100)
        {
            return RollingStrategy.RouteTo(request, canary);
        }

        var stableServers = stable.Servers.Where(s => !canaryAddresses.Contains(s.Address)).ToList();
        if (stableServers.Count == 0)
        {
            return RollingStrategy.RouteTo(request, canary);
        }

        var canaryWeight = percent * stableServers.Count;
        var stableWeight = (100 - percent) * canaryAddresses.Count;
        return new RouteSpec(
            request.Release.App,
            request.ListenPort,
            [.. stableServers.Select(s => s with { Weight = stableWeight }), .. canaryAddresses.Select(a => new UpstreamServer(a, canaryWeight, request.Release.ReleaseId))])
        { ServerName = request.ServerName, Domains = request.Domains, Tls = request.Tls };
    }

    /// <summary>
    /// One step (or one extension of it): for the step duration, every health interval, check the canary's health and
    /// judge the window so far (from <paramref name="from"/>, the step's start), stopping at once when it is already
    /// unhealthy or the split does not match; then judge the whole window.
    /// </summary>
    private async Task<CanaryStepResult> RunStepAsync(
        DeployRequest request, List<(LaunchedRelease Release, RouteSpec? Stable)> canaries, int percent, DateTimeOffset from, IDeployObserver observer, CancellationToken cancellationToken)
    {
        var until = _time.GetUtcNow() + request.Canary.StepDuration;
        var progress = new StepProgress(_time, _time.GetUtcNow(), until);
        var share = percent / 100.0;
        var early = await ObservationLoop.WatchAsync(_time, until, request.Health.Interval, async ct =>
        {
            foreach (var (release, _) in canaries)
            {
                if (await ReleaseLauncher.ProbeAsync(release, request.Health, ct) is { } failure)
                {
                    var window = await ReadAsync(request.Release.App, canaries, from, _time.GetUtcNow(), ct);
                    var figures = Judge(window, request.Canary, share);
                    return figures with { Verdict = CanaryVerdict.Unhealthy, Reason = $"{failure}; {figures.Reason}" };
                }
            }

            if (_time.GetUtcNow() < until)
            {
                var sofar = await ReadAsync(request.Release.App, canaries, from, _time.GetUtcNow(), ct);
                var judged = Judge(sofar, request.Canary, share);
                if (judged.Verdict is CanaryVerdict.Unhealthy or CanaryVerdict.SampleRatioMismatch)
                {
                    observer.Step("canary", $"{percent}% step: {judged.Verdict} before the step ended: {judged.Reason}");
                    return judged;
                }

                if (progress.Due() is { } left)
                {
                    observer.Progress("canary", $"canary {percent}%: {StepProgress.Figures(judged, request.Canary.MinRequests)}, {left}");
                }
            }

            return null;
        }, cancellationToken);
        if (early is not null)
        {
            return early;
        }

        var read = await ReadAsync(request.Release.App, canaries, from, _time.GetUtcNow(), cancellationToken);
        var result = Judge(read, request.Canary, share);
        observer.Step("canary", $"{percent}% step: {result.Verdict}: {result.Reason}");
        return result;
    }

    /// <summary>The judge's verdict on the window; a window the figures cover only in part says so in the reason.</summary>
    private static CanaryStepResult Judge((TrafficWindow Window, string Canary, string? Stable) read, CanaryPolicy policy, double share)
    {
        var result = CanaryAnalysis.Judge(read.Window, read.Canary, read.Stable, policy, share);
        return read.Window.Gaps.Count == 0 ? result : result with { Reason = $"{result.Reason}; not counted: {string.Join("; ", read.Window.Gaps)}" };
    }

    /// <summary>The window's figures summed over hosts, under two synthetic addresses "canary" and "stable".</summary>
    private static async Task<(TrafficWindow Window, string Canary, string? Stable)> ReadAsync(
        string app, List<(LaunchedRelease Release, RouteSpec? Stable)> canaries, DateTimeOffset from, DateTimeOffset to, CancellationToken cancellationToken)
    {
        var canary = new List<UpstreamStats>();
        var stable = new List<UpstreamStats>();
        var gaps = new List<string>();
        foreach (var (release, stableRoute) in canaries)
        {
            var window = await release.Host.Router.ReadTrafficAsync(app, from, to, cancellationToken);
            canary.Add(release.StatsIn(window));
            gaps.AddRange(window.Gaps.Select(g => $"{release.Host.Name}: {g}"));
            stable.AddRange((stableRoute?.Servers ?? []).Where(s => !release.Addresses.Contains(s.Address)).Select(s => window.For(s.Address)));
        }

        var byUpstream = new Dictionary<string, UpstreamStats> { ["canary"] = Sum(canary), ["stable"] = Sum(stable) };
        return (new TrafficWindow(from, to, byUpstream) { Gaps = gaps }, "canary", "stable");
    }

    private static UpstreamStats Sum(List<UpstreamStats> stats) =>
        new(stats.Sum(s => s.Requests), stats.Sum(s => s.ServerErrors), stats.Count == 0 ? 0 : stats.Max(s => s.P95Milliseconds))
        {
            Latencies = LatencyHistogram.Merge(stats.Select(s => s.Latencies)),
        };

    private static async Task RollBackAsync(List<(LaunchedRelease Release, RouteSpec? Stable)> canaries, IDeployObserver observer)
    {
        foreach (var (release, stable) in canaries)
        {
            if (stable is not null)
            {
                await release.Host.Router.ApplyAsync(stable, CancellationToken.None);
                observer.Step(release.Host.Name, "traffic back on the stable release");
            }
        }

        await RemoveCanariesAsync(canaries, observer);
    }

    private static async Task RemoveCanariesAsync(List<(LaunchedRelease Release, RouteSpec? Stable)> canaries, IDeployObserver observer)
    {
        foreach (var (release, _) in canaries)
        {
            observer.Step(release.Host.Name, $"removing canary {release.Display}");
            await ReleaseLauncher.DiscardAsync(release, CancellationToken.None);
        }
    }

    private DeployOutcome Outcome(DeployStatus status, string? reason, long started, List<CanaryStepResult> steps, int reached) =>
        new(status, Kind, reason, _time.GetElapsedTime(started)) { CanarySteps = steps, CanaryPercentReached = reached };
}

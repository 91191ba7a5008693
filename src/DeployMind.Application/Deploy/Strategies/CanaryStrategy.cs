using System.Security.Cryptography;
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

        // Probe requests carry this deployment's random marker, so nginx can log them apart and users cannot mark theirs.
        var marker = request.Canary.ProbeTraffic is null ? null : Convert.ToHexString(RandomNumberGenerator.GetBytes(16)).ToLowerInvariant();
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
                    var route = Weighted(request, release, stable, percent);
                    await release.Host.Router.ApplyAsync(percent < 100 && stable is not null && marker is not null ? route with { ProbeMarker = marker } : route, cancellationToken);
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
                    request.Canary, percent, steps, observer, ct => RunStepAsync(request, canaries, percent, windowStart ??= _time.GetUtcNow(), marker, observer, ct), cancellationToken);
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
        DeployRequest request, List<(LaunchedRelease Release, RouteSpec? Stable)> canaries, int percent, DateTimeOffset from, string? marker, IDeployObserver observer, CancellationToken cancellationToken)
    {
        var until = _time.GetUtcNow() + request.Canary.StepDuration;
        var progress = new StepProgress(_time, _time.GetUtcNow(), until);
        var share = percent / 100.0;

        // Probe traffic runs for this step (or extension) only: stopped when it ends, early or not, or the deploy is cancelled.
        using var stepOver = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        var probes = request.Canary.ProbeTraffic is { } settings && marker is not null
            ? canaries.Where(c => c.Stable is not null).Select(c => ProbeTrafficSender.SendAsync(c.Release.Host, request, settings, marker, _time, stepOver.Token)).ToList()
            : [];
        if (probes.Count > 0)
        {
            observer.Step("canary", string.Create(
                System.Globalization.CultureInfo.InvariantCulture,
                $"probe traffic: GET {request.Canary.ProbeTraffic!.Path} at {request.Canary.ProbeTraffic.RatePerSecond:0.##}/s through nginx on {probes.Count} host(s), counted apart from users' requests"));
        }

        try
        {
            return await JudgeStepAsync(request, canaries, percent, from, until, progress, share, observer, cancellationToken);
        }
        finally
        {
            await stepOver.CancelAsync();
            await Task.WhenAll(probes);
        }
    }

    private async Task<CanaryStepResult> JudgeStepAsync(
        DeployRequest request, List<(LaunchedRelease Release, RouteSpec? Stable)> canaries, int percent, DateTimeOffset from, DateTimeOffset until, StepProgress progress, double share, IDeployObserver observer, CancellationToken cancellationToken)
    {
        var early = await ObservationLoop.WatchAsync(_time, until, request.Health.Interval, async ct =>
        {
            foreach (var (release, _) in canaries)
            {
                if (await ReleaseLauncher.ProbeAsync(release, request.Health, ct) is { } failure)
                {
                    var figures = await JudgeAsync(request, canaries, from, share, ct);
                    return figures with { Verdict = CanaryVerdict.Unhealthy, Reason = $"{failure}; {figures.Reason}" };
                }
            }

            if (_time.GetUtcNow() < until)
            {
                var judged = await JudgeAsync(request, canaries, from, share, ct);
                if (judged.Verdict is CanaryVerdict.Unhealthy or CanaryVerdict.SampleRatioMismatch)
                {
                    observer.Step("canary", $"{percent}% step: {judged.Verdict} before the step ended: {judged.Reason}");
                    return judged;
                }

                if (progress.Due() is { } left)
                {
                    var probeFigures = judged.Probes is { } p ? $"; probes {StepProgress.Figures(p.Canary, null)}" : string.Empty;
                    observer.Progress("canary", $"canary {percent}%: {StepProgress.Figures(judged, request.Canary.MinRequests)}{probeFigures}, {left}");
                }
            }

            return null;
        }, cancellationToken);
        if (early is not null)
        {
            return early;
        }

        var result = await JudgeAsync(request, canaries, from, share, cancellationToken);
        observer.Step("canary", $"{percent}% step: {result.Verdict}: {result.Reason}");
        return result;
    }

    /// <summary>The window so far judged: users' requests, and with probe traffic the probe requests apart (<see cref="ProbeEvidence"/>).</summary>
    private async Task<CanaryStepResult> JudgeAsync(DeployRequest request, List<(LaunchedRelease Release, RouteSpec? Stable)> canaries, DateTimeOffset from, double share, CancellationToken cancellationToken)
    {
        var to = _time.GetUtcNow();
        var users = await ReadAsync(request.Release.App, canaries, from, to, probes: false, cancellationToken);
        var judged = Judge(users, request.Canary, share);
        if (request.Canary.ProbeTraffic is not { } settings)
        {
            return judged;
        }

        var probes = await ReadAsync(request.Release.App, canaries, from, to, probes: true, cancellationToken);
        return ProbeEvidence.Combine(judged, CanaryAnalysis.Judge(probes.Window, probes.Canary, probes.Stable, request.Canary, share), settings);
    }

    /// <summary>The judge's verdict on the window; a window the figures cover only in part says so in the reason.</summary>
    private static CanaryStepResult Judge((TrafficWindow Window, string Canary, string? Stable) read, CanaryPolicy policy, double share)
    {
        var result = CanaryAnalysis.Judge(read.Window, read.Canary, read.Stable, policy, share);
        return read.Window.Gaps.Count == 0 ? result : result with { Reason = $"{result.Reason}; not counted: {string.Join("; ", read.Window.Gaps)}" };
    }

    /// <summary>The window's figures (users' requests, or the probe requests alone) summed over hosts, under two synthetic addresses "canary" and "stable".</summary>
    private static async Task<(TrafficWindow Window, string Canary, string? Stable)> ReadAsync(
        string app, List<(LaunchedRelease Release, RouteSpec? Stable)> canaries, DateTimeOffset from, DateTimeOffset to, bool probes, CancellationToken cancellationToken)
    {
        var canary = new List<UpstreamStats>();
        var stable = new List<UpstreamStats>();
        var gaps = new List<string>();
        foreach (var (release, stableRoute) in canaries)
        {
            var window = probes
                ? await release.Host.Router.ReadProbeTrafficAsync(app, from, to, cancellationToken)
                : await release.Host.Router.ReadTrafficAsync(app, from, to, cancellationToken);
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

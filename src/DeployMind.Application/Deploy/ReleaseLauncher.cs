using System.Globalization;
using DeployMind.Application.Deploy.Analysis;
using DeployMind.Application.Deploy.Hosts;
using DeployMind.Domain;
using DeployMind.Domain.Deploy;

namespace DeployMind.Application.Deploy;

/// <summary>
/// A release started on a host and found healthy: its web containers (replicas behind nginx, the first one named by
/// <see cref="Container"/> and <see cref="Port"/>) and the containers of its other processes.
/// </summary>
/// <param name="Host">Where it runs.</param>
/// <param name="Container">Its (first) web container's name.</param>
/// <param name="Port">The port that container listens on.</param>
/// <param name="Health">Its health report.</param>
public sealed record LaunchedRelease(DeployHost Host, string Container, int Port, HealthReport Health)
{
    /// <summary>The image it runs, when known (removed with it when it is discarded and nothing else uses it).</summary>
    public string? Image { get; init; }

    /// <summary>Every web replica (the first is <see cref="Container"/>): container and port.</summary>
    public IReadOnlyList<(string Container, int Port)> Replicas
    {
        get => field ?? [(Container, Port)];
        init;
    }

    /// <summary>The containers of its other processes (workers): started with it, not routed.</summary>
    public IReadOnlyList<string> ProcessContainers { get; init; } = [];

    /// <summary>
    /// The app's other containers on the host as listed when the launch began (under the target's lock, so only a crash or
    /// docker's restart policy changes them since), or null when unknown: what the previous route is checked against and
    /// what retirement stops, without listing them again on the deploy's critical path.
    /// </summary>
    public IReadOnlyList<ContainerState>? Neighbours { get; init; }

    public string Address => $"127.0.0.1:{Port.ToString(CultureInfo.InvariantCulture)}";

    /// <summary>Every web replica's upstream address.</summary>
    public IReadOnlyList<string> Addresses => [.. Replicas.Select(r => $"127.0.0.1:{r.Port.ToString(CultureInfo.InvariantCulture)}")];

    /// <summary>Every container of the release on the host: web replicas, then the other processes'.</summary>
    public IReadOnlyList<string> Containers => [.. Replicas.Select(r => r.Container), .. ProcessContainers];

    /// <summary>What it is, for messages: "shop-r2", or "shop-r2 (+2 web replicas, 1 worker container)".</summary>
    public string Display => Replicas.Count == 1 && ProcessContainers.Count == 0
        ? Container
        : string.Create(CultureInfo.InvariantCulture, $"{Container} ({Replicas.Count} web, {ProcessContainers.Count} other)");

    /// <summary>The figures of its web replicas in <paramref name="window"/>, summed (p95: the slowest replica's).</summary>
    public UpstreamStats StatsIn(TrafficWindow window)
    {
        ArgumentNullException.ThrowIfNull(window);
        var stats = Addresses.Select(window.For).ToList();
        return new UpstreamStats(stats.Sum(s => s.Requests), stats.Sum(s => s.ServerErrors), stats.Max(s => s.P95Milliseconds))
        {
            Latencies = Analysis.LatencyHistogram.Merge(stats.Select(s => s.Latencies)),
        };
    }
}

/// <summary>
/// What every strategy does on a host: start a release's containers beside the running ones (its web replicas and its
/// other processes) and wait until the web ones are healthy and the others stayed up (removing them all if not),
/// retire old releases, and keep the last releases for rollbacks.
/// </summary>
public sealed class ReleaseLauncher
{
    private static readonly TimeSpan StayUpPoll = TimeSpan.FromMilliseconds(500);

    /// <summary>The health check interval, at most, for a kept release started again (a rollback's fast path).</summary>
    public static readonly TimeSpan KeptReleaseInterval = TimeSpan.FromMilliseconds(250);
    private readonly HealthChecker _health;
    private readonly TimeProvider _time;

    public ReleaseLauncher(HealthChecker health, TimeProvider time)
    {
        _health = health;
        _time = time;
    }

    /// <summary>
    /// Starts the release on <paramref name="host"/> and waits for it: every web replica healthy, every other process up
    /// for its stay-up time. Null (all its containers removed) when one is not.
    /// </summary>
    public async Task<(LaunchedRelease? Release, HealthReport Health)> LaunchAsync(
        DeployHost host, DeployRequest request, string? colour, IDeployObserver observer, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(host);
        ArgumentNullException.ThrowIfNull(request);
        ArgumentNullException.ThrowIfNull(observer);
        var release = request.Release;
        // The first web container's port is picked beside the listing (the host's listening ports and its containers read at
        // once: one step less on the critical path); a pick that turns out to be a port the app's containers were given is
        // made again.
        var picked = host.Ports.AllocateAsync(new HashSet<int> { request.ListenPort }, cancellationToken);
        StartedContainers started;
        bool keptRelease;
        IReadOnlyList<ContainerState> existing;
        try
        {
            existing = await host.Runtime.ListAsync(release.App, cancellationToken);
            var name = ContainerName(release.App, release.ReleaseId, colour);
            var mine = existing.Where(c => c.Label(ContainerLabels.Release) == release.ReleaseId && c.Label(ContainerLabels.Colour) == colour).ToList();
            if (mine.FirstOrDefault(c => c.Running) is { } live)
            {
                throw new DeployMindException($"Release {release.ReleaseId} of {release.App} is already running on {host.Name} ({live.Name}); deploy a new release id instead of replacing a live container.");
            }

            // A release kept on the host (stopped after an earlier deploy) starts again as it was: the same containers with
            // their environment, ports and labels. That is the rollback fast path; anything else gets fresh containers.
            keptRelease = StartsKept(existing, release, colour);
            started = keptRelease
                ? await StartKeptAsync(host, request.Processes, [.. mine.Where(c => c.Image == release.Image)], observer, cancellationToken)
                : await RunFreshAsync(host, request, colour, name, existing, mine, picked, observer, cancellationToken);
        }
        finally
        {
            // Not left running when it was not needed (a kept release, a refusal); its failure then does not matter.
            await ((Task)picked).ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
        }

        var startedAt = _time.GetTimestamp();
        var all = started.Web.Select(w => w.Container).Concat(started.Others.Select(o => o.Container)).ToList();

        // A kept release served and was verified before: its checks (as many as for any release) are not spaced by the
        // steady-state interval, so a rollback is confirmed within a second of the app answering.
        var health = keptRelease && request.Health.Interval > KeptReleaseInterval
            ? new HealthPolicy(request.Health.Path, KeptReleaseInterval, request.Health.Timeout, request.Health.Successes, request.Health.Deadline)
            : request.Health;
        HealthReport report = new(false, 0, health.Successes, 0, TimeSpan.Zero, null);
        try
        {
            foreach (var (container, port) in started.Web)
            {
                report = await _health.WaitHealthyAsync(
                    host.Probe,
                    new Uri($"http://127.0.0.1:{port.ToString(CultureInfo.InvariantCulture)}"),
                    health,
                    HealthWatch.Container(host.Runtime, container),
                    new ObserverProgress(host.Name, observer),
                    cancellationToken);
                if (!report.Healthy)
                {
                    return await GiveUpAsync(host, release, all, report, $"{container} is not healthy; removing the release's containers (the running release is untouched)", observer);
                }
            }

            foreach (var (container, process, stayUp) in started.Others)
            {
                var down = await StayUpAsync(host, container, startedAt, stayUp, cancellationToken);
                if (down is not null)
                {
                    var failed = report with { Healthy = false, Failure = $"The {process} process did not stay up for {Duration.Format(stayUp)}: {down}" };
                    return await GiveUpAsync(host, release, all, failed, $"{container} ({process}) did not stay up; removing the release's containers (the running release is untouched)", observer);
                }

                observer.Step(host.Name, $"{container} ({process}) is up");
            }
        }
        catch (OperationCanceledException)
        {
            foreach (var container in all)
            {
                await host.Runtime.RemoveAsync(container, CancellationToken.None);
            }

            await RemoveImageIfUnusedAsync(host, release.Image, null, CancellationToken.None);
            throw;
        }

        var (first, firstPort) = started.Web[0];
        observer.Step(host.Name, started.Web.Count == 1
            ? $"{first} is healthy ({report.Summary})"
            : string.Create(CultureInfo.InvariantCulture, $"{started.Web.Count} web replicas are healthy ({report.Summary})"));
        return (new LaunchedRelease(host, first, firstPort, report)
        {
            Image = release.Image,
            Replicas = started.Web,
            ProcessContainers = [.. started.Others.Select(o => o.Container)],
            Neighbours = [.. existing.Where(c => !all.Contains(c.Name, StringComparer.Ordinal))],
        }, report);
    }

    private static async Task<(LaunchedRelease? Release, HealthReport Health)> GiveUpAsync(
        DeployHost host, ReleaseSpec release, IReadOnlyList<string> containers, HealthReport report, string step, IDeployObserver observer)
    {
        observer.Step(host.Name, step);
        foreach (var container in containers)
        {
            await host.Runtime.RemoveAsync(container, CancellationToken.None);
        }

        await RemoveImageIfUnusedAsync(host, release.Image, observer, CancellationToken.None);
        return (null, report);
    }

    /// <summary>Why <paramref name="container"/> did not stay up until <paramref name="stayUp"/> after <paramref name="since"/> (exited, or restarted by its policy), or null when it did.</summary>
    private async Task<string?> StayUpAsync(DeployHost host, string container, long since, TimeSpan stayUp, CancellationToken cancellationToken)
    {
        var liveness = HealthChecker.ContainerLiveness(host.Runtime, container);
        while (true)
        {
            var state = await host.Runtime.InspectAsync(container, cancellationToken);
            if (state is { RestartCount: > 0 })
            {
                var logs = await host.Runtime.LogsAsync(container, 20, cancellationToken);
                var restarts = state.RestartCount.ToString(CultureInfo.InvariantCulture);
                return logs.Count == 0
                    ? $"container {container} crashed and was restarted {restarts} time(s); it printed nothing."
                    : $"container {container} crashed and was restarted {restarts} time(s). Its last {logs.Count} log lines:\n  " + string.Join("\n  ", logs);
            }

            if (state is not { Running: true })
            {
                return await liveness(cancellationToken);
            }

            if (_time.GetElapsedTime(since) >= stayUp)
            {
                return null;
            }

            await Task.Delay(StayUpPoll, _time, cancellationToken);
        }
    }

    private static async Task<StartedContainers> StartKeptAsync(
        DeployHost host, ReleaseProcesses processes, IReadOnlyList<ContainerState> kept, IDeployObserver observer, CancellationToken cancellationToken)
    {
        var web = new List<(string Container, int Port)>();
        var others = new List<(string Container, string Process, TimeSpan StayUp)>();
        foreach (var container in kept.OrderBy(c => c.Process == ReleaseProcesses.Web ? 0 : 1).ThenBy(c => c.Name, StringComparer.Ordinal))
        {
            var port = PortOf(container);
            observer.Step(host.Name, container.Process == ReleaseProcesses.Web
                ? $"starting kept release {container.Name} again on port {port.ToString(CultureInfo.InvariantCulture)}"
                : $"starting kept {container.Process} {container.Name} again");
            await host.Runtime.StartAsync(container.Name, cancellationToken);
            if (container.Process == ReleaseProcesses.Web)
            {
                web.Add((container.Name, port));
            }
            else
            {
                var stayUp = processes.Others.FirstOrDefault(p => p.Name == container.Process)?.StayUp ?? ReleaseProcesses.DefaultStayUp;
                others.Add((container.Name, container.Process, stayUp));
            }
        }

        return new StartedContainers(web, others);
    }

    private async Task<StartedContainers> RunFreshAsync(
        DeployHost host, DeployRequest request, string? colour, string name, IReadOnlyList<ContainerState> existing, IReadOnlyList<ContainerState> stale,
        Task<int> picked, IDeployObserver observer, CancellationToken cancellationToken)
    {
        var release = request.Release;
        foreach (var old in stale)
        {
            await host.Runtime.RemoveAsync(old.Name, cancellationToken);
        }

        var taken = existing.Select(PortOf).Where(p => p > 0).Append(request.ListenPort).ToHashSet();
        var web = new List<(string Container, int Port)>();
        var others = new List<(string Container, string Process, TimeSpan StayUp)>();
        var processes = request.Processes;
        var run = new List<ContainerSpec>();
        for (var replica = 1; replica <= processes.WebReplicas; replica++)
        {
            var port = replica == 1 ? await picked : 0;
            if (port == 0 || taken.Contains(port))
            {
                port = await host.Ports.AllocateAsync(taken, cancellationToken);
            }

            taken.Add(port);
            var container = replica == 1 ? name : string.Create(CultureInfo.InvariantCulture, $"{name}-web-{replica}");
            var labels = Labels(release, colour, ReleaseProcesses.Web, replica);
            labels[ContainerLabels.Port] = port.ToString(CultureInfo.InvariantCulture);
            run.Add(request.Container.Apply(new ContainerSpec(container, release.Image, port) { Environment = release.Environment, Labels = labels, Command = processes.WebCommand }));
            web.Add((container, port));
        }

        foreach (var process in processes.Others)
        {
            for (var replica = 1; replica <= process.Replicas; replica++)
            {
                var container = string.Create(CultureInfo.InvariantCulture, $"{name}-{process.Name}-{replica}");
                var spec = new ContainerSpec(container, release.Image, 0) { Environment = release.Environment, Labels = Labels(release, colour, process.Name, replica), Command = process.Command };
                run.Add(request.Container.Apply(spec));
                others.Add((container, process.Name, process.StayUp));
            }
        }

        var started = new List<string>();
        try
        {
            foreach (var spec in run)
            {
                observer.Step(host.Name, spec.Port > 0
                    ? $"starting {spec.Name} ({release.Image}) on port {spec.Port.ToString(CultureInfo.InvariantCulture)}"
                    : $"starting {spec.Name} ({release.Image}, {spec.Labels[ContainerLabels.Process]})");
                started.Add(spec.Name);
                await host.Runtime.RunAsync(spec, cancellationToken);
            }
        }
        catch
        {
            // One of them could not start: the others of this release go too, so nothing half-started is left.
            foreach (var container in started)
            {
                await host.Runtime.RemoveAsync(container, CancellationToken.None);
            }

            throw;
        }

        return new StartedContainers(web, others);
    }

    private Dictionary<string, string> Labels(ReleaseSpec release, string? colour, string process, int replica)
    {
        var labels = new Dictionary<string, string>
        {
            [ContainerLabels.App] = release.App,
            [ContainerLabels.Release] = release.ReleaseId,
            [ContainerLabels.Image] = release.Image,
            [ContainerLabels.StartedAt] = _time.GetUtcNow().ToString("O", CultureInfo.InvariantCulture),
            [ContainerLabels.Process] = process,
            [ContainerLabels.Replica] = replica.ToString(CultureInfo.InvariantCulture),
        };
        if (release.Commit is not null)
        {
            labels[ContainerLabels.Commit] = release.Commit;
        }

        if (colour is not null)
        {
            labels[ContainerLabels.Colour] = colour;
        }

        return labels;
    }

    private static int PortOf(ContainerState container) =>
        int.TryParse(container.Label(ContainerLabels.Port), NumberStyles.Integer, CultureInfo.InvariantCulture, out var port) ? port : 0;

    private sealed record StartedContainers(IReadOnlyList<(string Container, int Port)> Web, IReadOnlyList<(string Container, string Process, TimeSpan StayUp)> Others);

    /// <summary>One health check of each web replica of a launched release while it is watched: null when they answered well, else what failed.</summary>
    public static async Task<string?> ProbeAsync(LaunchedRelease release, HealthPolicy health, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(release);
        ArgumentNullException.ThrowIfNull(health);
        foreach (var (container, port) in release.Replicas)
        {
            var probe = await release.Host.Probe.GetAsync(new Uri($"http://127.0.0.1:{port.ToString(CultureInfo.InvariantCulture)}{health.Path}"), health.Timeout, cancellationToken);
            if (!probe.Healthy)
            {
                return $"health check of {container} on {release.Host.Name} failed ({probe.Error})";
            }
        }

        return null;
    }

    /// <summary>
    /// Removes a launched release that will not take traffic (a later host failed, the deploy was cancelled or reverted):
    /// all its containers, and its image when no other container on the host was created from it, so a failed
    /// release's image does not pile up.
    /// </summary>
    public static async Task DiscardAsync(LaunchedRelease release, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(release);
        foreach (var container in release.Containers)
        {
            await release.Host.Runtime.RemoveAsync(container, cancellationToken);
        }

        if (release.Image is { } own)
        {
            await RemoveImageIfUnusedAsync(release.Host, own, null, cancellationToken);
        }
    }

    /// <summary>
    /// Removes <paramref name="image"/> from the host unless a container there (running or stopped — a kept release, any
    /// app's) was created from it. Removal is best effort: an image docker will not remove stays.
    /// </summary>
    public static async Task<bool> RemoveImageIfUnusedAsync(DeployHost host, string image, IDeployObserver? observer, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(host);
        if (await host.Runtime.ImageInUseAsync(image, cancellationToken))
        {
            return false;
        }

        observer?.Step(host.Name, $"removing image {image} (no container uses it)");
        await host.Runtime.RemoveImageAsync(image, cancellationToken);
        return true;
    }

    /// <summary>
    /// After traffic left them: <see cref="StopOthersAsync"/>, then <see cref="PruneAsync"/> (releases beyond the newest
    /// <see cref="DeployRequest.KeepReleases"/> removed, a failure there reported, not thrown).
    /// </summary>
    public async Task RetireOthersAsync(DeployRequest request, LaunchedRelease current, TimeSpan drain, IDeployObserver observer, CancellationToken cancellationToken)
    {
        await StopOthersAsync(request, current, drain, observer, cancellationToken);
        await PruneAsync(request, current, observer, cancellationToken);
    }

    /// <summary>
    /// After traffic left them: waits for in-flight requests (until the router says they finished, at most
    /// <paramref name="drain"/>) and stops the app's other running containers (each given the request's stop timeout after
    /// SIGTERM; the previous release's workers too): those of <see cref="LaunchedRelease.Neighbours"/> that ran then (stopping
    /// one that exited since does nothing), or, when unknown, those running now.
    /// </summary>
    public async Task StopOthersAsync(DeployRequest request, LaunchedRelease current, TimeSpan drain, IDeployObserver observer, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        ArgumentNullException.ThrowIfNull(current);
        ArgumentNullException.ThrowIfNull(observer);
        var host = current.Host;
        var own = current.Containers.ToHashSet(StringComparer.Ordinal);
        var containers = current.Neighbours ?? await host.Runtime.ListAsync(request.Release.App, cancellationToken);
        var others = containers.Where(c => !own.Contains(c.Name)).ToList();
        if (others.Any(c => c.Running && c.Process == ReleaseProcesses.Web) && drain > TimeSpan.Zero)
        {
            await Drain.WaitAsync(host.Router, drain, _time, cancellationToken);
        }

        foreach (var old in others.Where(c => c.Running))
        {
            observer.Step(host.Name, $"stopping {old.Name}");
            await host.Runtime.StopAsync(old.Name, request.Container.StopTimeout, cancellationToken);
        }
    }

    /// <summary>
    /// Housekeeping once the new release serves and the others are stopped: removes releases beyond the newest
    /// <see cref="DeployRequest.KeepReleases"/> (all their containers, and their images when nothing else uses them) so the
    /// host does not fill up. The deploy is done whatever happens here: a failure (or the deploy's cancellation) is reported
    /// to <paramref name="observer"/> and ends the pruning, never thrown; what was left is pruned by a later deploy.
    /// </summary>
    /// <param name="request">The deploy: its app and how many releases to keep.</param>
    /// <param name="current">The release now serving (always kept).</param>
    /// <param name="observer">Told what is removed, and what could not be.</param>
    /// <param name="cancellationToken">Stops the pruning (reported), not the deploy.</param>
    /// <returns>False when something could not be removed (or listed).</returns>
    public static async Task<bool> PruneAsync(DeployRequest request, LaunchedRelease current, IDeployObserver observer, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        ArgumentNullException.ThrowIfNull(current);
        ArgumentNullException.ThrowIfNull(observer);
        var host = current.Host;
        IReadOnlyList<ContainerState> containers;
        try
        {
            containers = await host.Runtime.ListAsync(request.Release.App, cancellationToken);
        }
        catch (Exception ex) when (ex is DeployMindException or OperationCanceledException or IOException or TimeoutException)
        {
            observer.Step(host.Name, $"could not list the app's containers to remove old releases ({ex.Message}); the deploy is done and the new release serves: a later deploy removes them");
            return false;
        }

        // A release is all the containers of one release id and colour; the newest ones are kept whole.
        var releases = containers
            .GroupBy(c => (Release: c.Label(ContainerLabels.Release) ?? c.Name, Colour: c.Label(ContainerLabels.Colour)))
            .OrderByDescending(g => g.Max(c => c.Label(ContainerLabels.StartedAt)), StringComparer.Ordinal)
            .ToList();
        var kept = releases.Take(Math.Max(1, request.KeepReleases)).SelectMany(g => g).Select(c => c.Name).Concat(current.Containers).ToHashSet(StringComparer.Ordinal);
        foreach (var stale in releases.SelectMany(g => g).Where(c => !kept.Contains(c.Name)))
        {
            try
            {
                observer.Step(host.Name, $"removing old release {stale.Name}");
                await host.Runtime.RemoveAsync(stale.Name, cancellationToken);
                if (!containers.Any(c => kept.Contains(c.Name) && c.Image == stale.Image))
                {
                    // Another app's container (a preview of the same source) may run it: only an image nothing uses goes.
                    await RemoveImageIfUnusedAsync(host, stale.Image, null, cancellationToken);
                }
            }
            catch (Exception ex) when (ex is DeployMindException or OperationCanceledException or IOException or TimeoutException)
            {
                observer.Step(host.Name, ex is OperationCanceledException
                    ? $"pruning old releases stopped ({stale.Name} and older ones stay until a later deploy); the deploy is done"
                    : $"could not remove old release {stale.Name} ({ex.Message}); the deploy is done and the new release serves: a later deploy removes it, or `docker rm -f {stale.Name}` by hand");
                return false;
            }
        }

        return true;
    }

    /// <summary>
    /// The app's current route on the host, keeping only servers that are the app's running containers; null when
    /// none is (a first deploy, or a route left behind by containers removed by hand). Strategies compare with,
    /// weight against and go back to this route, never to servers that are gone.
    /// </summary>
    public static Task<RouteSpec?> LiveRouteAsync(DeployHost host, string app, CancellationToken cancellationToken) =>
        LiveRouteAsync(host, app, null, cancellationToken);

    /// <summary>
    /// As <see cref="LiveRouteAsync(DeployHost, string, CancellationToken)"/>, checking the route against
    /// <paramref name="containers"/> (the app's containers as listed under the deploy's lock) when given, instead of listing them again.
    /// </summary>
    public static async Task<RouteSpec?> LiveRouteAsync(DeployHost host, string app, IReadOnlyList<ContainerState>? containers, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(host);
        var route = await host.Router.GetAsync(app, cancellationToken);
        if (route is null)
        {
            return null;
        }

        var running = (containers ?? await host.Runtime.ListAsync(app, cancellationToken))
            .Where(c => c.Running)
            .Select(c => "127.0.0.1:" + c.Label(ContainerLabels.Port))
            .ToHashSet(StringComparer.Ordinal);
        var live = route.Servers.Where(s => running.Contains(s.Address)).ToList();
        return live.Count == 0 ? null : live.Count == route.Servers.Count ? route : route with { Servers = live };
    }

    /// <summary>
    /// Whether <see cref="LaunchAsync"/> starts the release's kept containers on the host again as they were (same
    /// environment, ports and labels): all its containers there are from its image and a web one has its port. False when
    /// it runs the image in new containers (none kept, or only some).
    /// </summary>
    public static bool StartsKept(IEnumerable<ContainerState> existing, ReleaseSpec release, string? colour)
    {
        ArgumentNullException.ThrowIfNull(existing);
        ArgumentNullException.ThrowIfNull(release);
        var mine = existing.Where(c => c.Label(ContainerLabels.Release) == release.ReleaseId && c.Label(ContainerLabels.Colour) == colour).ToList();
        var kept = mine.Where(c => c.Image == release.Image).ToList();
        return kept.Count > 0 && kept.Any(c => c.Process == ReleaseProcesses.Web && PortOf(c) > 0) && kept.Count == mine.Count;
    }

    /// <summary>The container name of a release: app, release id and colour.</summary>
    public static string ContainerName(string app, string releaseId, string? colour) =>
        colour is null ? $"{app}-{releaseId}" : $"{app}-{releaseId}-{colour}";

    private sealed class ObserverProgress(string host, IDeployObserver observer) : IProgress<HealthReport>
    {
        public void Report(HealthReport value) => observer.Health(host, value);
    }
}

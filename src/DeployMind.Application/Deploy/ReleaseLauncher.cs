using System.Globalization;
using DeployMind.Application.Deploy.Analysis;
using DeployMind.Application.Deploy.Hosts;
using DeployMind.Domain;
using DeployMind.Domain.Deploy;

namespace DeployMind.Application.Deploy;

/// <summary>A release container started on a host and found healthy.</summary>
/// <param name="Host">Where it runs.</param>
/// <param name="Container">Its container name.</param>
/// <param name="Port">The port it listens on.</param>
/// <param name="Health">Its health report.</param>
public sealed record LaunchedRelease(DeployHost Host, string Container, int Port, HealthReport Health)
{
    /// <summary>The image it runs, when known (removed with it when it is discarded and nothing else uses it).</summary>
    public string? Image { get; init; }

    public string Address => $"127.0.0.1:{Port.ToString(CultureInfo.InvariantCulture)}";
}

/// <summary>
/// What every strategy does on a host: start a release's container beside the running ones and wait until it is
/// healthy (removing it if it never is), retire old containers, and keep the last releases for rollbacks.
/// </summary>
public sealed class ReleaseLauncher
{
    private readonly HealthChecker _health;
    private readonly TimeProvider _time;

    public ReleaseLauncher(HealthChecker health, TimeProvider time)
    {
        _health = health;
        _time = time;
    }

    /// <summary>Starts the release on <paramref name="host"/> and waits for it; null (container removed) when it never got healthy.</summary>
    public async Task<(LaunchedRelease? Release, HealthReport Health)> LaunchAsync(
        DeployHost host, DeployRequest request, string? colour, IDeployObserver observer, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(host);
        ArgumentNullException.ThrowIfNull(request);
        ArgumentNullException.ThrowIfNull(observer);
        var release = request.Release;
        var existing = await host.Runtime.ListAsync(release.App, cancellationToken);
        var taken = existing
            .Select(c => int.TryParse(c.Label(ContainerLabels.Port), NumberStyles.Integer, CultureInfo.InvariantCulture, out var p) ? p : 0)
            .Where(p => p > 0)
            .Append(request.ListenPort)
            .ToHashSet();
        var name = ContainerName(release.App, release.ReleaseId, colour);

        // A release kept on the host (stopped after an earlier deploy) starts again as it was: same environment,
        // port and labels. That is the rollback fast path; anything else gets a fresh container.
        var kept = KeptContainer(existing, name, release.Image);
        int port;
        if (kept is not null && int.TryParse(kept.Label(ContainerLabels.Port), NumberStyles.Integer, CultureInfo.InvariantCulture, out port))
        {
            observer.Step(host.Name, $"starting kept release {name} again on port {port}");
            await host.Runtime.StartAsync(name, cancellationToken);
        }
        else
        {
            if (existing.Any(c => c.Name == name && c.Running))
            {
                throw new DeployMindException($"Release {release.ReleaseId} of {release.App} is already running on {host.Name} ({name}); deploy a new release id instead of replacing a live container.");
            }

            port = await host.Ports.AllocateAsync(taken, cancellationToken);
            if (existing.Any(c => c.Name == name))
            {
                await host.Runtime.RemoveAsync(name, cancellationToken);
            }

            var labels = new Dictionary<string, string>
            {
                [ContainerLabels.App] = release.App,
                [ContainerLabels.Release] = release.ReleaseId,
                [ContainerLabels.Port] = port.ToString(CultureInfo.InvariantCulture),
                [ContainerLabels.StartedAt] = _time.GetUtcNow().ToString("O", CultureInfo.InvariantCulture),
            };
            if (release.Commit is not null)
            {
                labels[ContainerLabels.Commit] = release.Commit;
            }

            if (colour is not null)
            {
                labels[ContainerLabels.Colour] = colour;
            }

            observer.Step(host.Name, $"starting {name} ({release.Image}) on port {port}");
            var spec = request.Container.Apply(new ContainerSpec(name, release.Image, port) { Environment = release.Environment, Labels = labels });
            await host.Runtime.RunAsync(spec, cancellationToken);
        }

        HealthReport report;
        try
        {
            report = await _health.WaitHealthyAsync(
                host.Probe,
                new Uri($"http://127.0.0.1:{port.ToString(CultureInfo.InvariantCulture)}"),
                request.Health,
                HealthWatch.Container(host.Runtime, name),
                new ObserverProgress(host.Name, observer),
                cancellationToken);
        }
        catch (OperationCanceledException)
        {
            await host.Runtime.RemoveAsync(name, CancellationToken.None);
            await RemoveImageIfUnusedAsync(host, release.Image, null, CancellationToken.None);
            throw;
        }

        if (!report.Healthy)
        {
            observer.Step(host.Name, $"{name} is not healthy; removing it (the running release is untouched)");
            await host.Runtime.RemoveAsync(name, CancellationToken.None);
            await RemoveImageIfUnusedAsync(host, release.Image, observer, CancellationToken.None);
            return (null, report);
        }

        observer.Step(host.Name, $"{name} is healthy ({report.Summary})");
        return (new LaunchedRelease(host, name, port, report) { Image = release.Image }, report);
    }

    /// <summary>One health check of a launched release while it is watched: null when it answered well, else what failed.</summary>
    public static async Task<string?> ProbeAsync(LaunchedRelease release, HealthPolicy health, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(release);
        ArgumentNullException.ThrowIfNull(health);
        var probe = await release.Host.Probe.GetAsync(new Uri($"http://{release.Address}{health.Path}"), health.Timeout, cancellationToken);
        return probe.Healthy ? null : $"health check of {release.Container} on {release.Host.Name} failed ({probe.Error})";
    }

    /// <summary>
    /// Removes a launched release that will not take traffic (a later host failed, the deploy was cancelled or reverted),
    /// and its image when no other container on the host was created from it: a failed release's image does not pile up.
    /// </summary>
    public static async Task DiscardAsync(LaunchedRelease release, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(release);
        await release.Host.Runtime.RemoveAsync(release.Container, cancellationToken);
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
    /// After traffic left them: waits for in-flight requests (until the router says they finished, at most
    /// <paramref name="drain"/>), stops the app's other running containers (each given the
    /// request's stop timeout after SIGTERM), and removes releases beyond the newest <see cref="DeployRequest.KeepReleases"/>
    /// (containers and images) so the host does not fill up.
    /// </summary>
    public async Task RetireOthersAsync(DeployRequest request, LaunchedRelease current, TimeSpan drain, IDeployObserver observer, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        ArgumentNullException.ThrowIfNull(current);
        ArgumentNullException.ThrowIfNull(observer);
        var (app, keep) = (request.Release.App, request.KeepReleases);
        var host = current.Host;
        var containers = await host.Runtime.ListAsync(app, cancellationToken);
        var others = containers.Where(c => c.Name != current.Container).ToList();
        if (others.Any(c => c.Running) && drain > TimeSpan.Zero)
        {
            await Drain.WaitAsync(host.Router, drain, _time, cancellationToken);
        }

        foreach (var old in others.Where(c => c.Running))
        {
            observer.Step(host.Name, $"stopping {old.Name}");
            await host.Runtime.StopAsync(old.Name, request.Container.StopTimeout, cancellationToken);
        }

        var newestFirst = containers.OrderByDescending(c => c.Label(ContainerLabels.StartedAt), StringComparer.Ordinal).ToList();
        var kept = newestFirst.Take(Math.Max(1, keep)).Select(c => c.Name).Append(current.Container).ToHashSet();
        foreach (var stale in newestFirst.Where(c => !kept.Contains(c.Name)))
        {
            observer.Step(host.Name, $"removing old release {stale.Name}");
            await host.Runtime.RemoveAsync(stale.Name, cancellationToken);
            if (!containers.Any(c => kept.Contains(c.Name) && c.Image == stale.Image))
            {
                // Another app's container (a preview of the same source) may run it: only an image nothing uses goes.
                await RemoveImageIfUnusedAsync(host, stale.Image, null, cancellationToken);
            }
        }
    }

    /// <summary>
    /// The app's current route on the host, keeping only servers that are the app's running containers; null when
    /// none is (a first deploy, or a route left behind by containers removed by hand). Strategies compare with,
    /// weight against and go back to this route, never to servers that are gone.
    /// </summary>
    public static async Task<RouteSpec?> LiveRouteAsync(DeployHost host, string app, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(host);
        var route = await host.Router.GetAsync(app, cancellationToken);
        if (route is null)
        {
            return null;
        }

        var running = (await host.Runtime.ListAsync(app, cancellationToken))
            .Where(c => c.Running)
            .Select(c => "127.0.0.1:" + c.Label(ContainerLabels.Port))
            .ToHashSet(StringComparer.Ordinal);
        var live = route.Servers.Where(s => running.Contains(s.Address)).ToList();
        return live.Count == 0 ? null : live.Count == route.Servers.Count ? route : route with { Servers = live };
    }

    /// <summary>
    /// The stopped container named <paramref name="name"/> that <see cref="LaunchAsync"/> starts again as it was (same
    /// environment, port and labels) rather than run <paramref name="image"/> in a new container; null when there is none.
    /// </summary>
    public static ContainerState? KeptContainer(IEnumerable<ContainerState> existing, string name, string image) =>
        existing.FirstOrDefault(c => c.Name == name && !c.Running && c.Image == image
            && int.TryParse(c.Label(ContainerLabels.Port), NumberStyles.Integer, CultureInfo.InvariantCulture, out _));

    /// <summary>The container name of a release: app, release id and colour.</summary>
    public static string ContainerName(string app, string releaseId, string? colour) =>
        colour is null ? $"{app}-{releaseId}" : $"{app}-{releaseId}-{colour}";

    private sealed class ObserverProgress(string host, IDeployObserver observer) : IProgress<HealthReport>
    {
        public void Report(HealthReport value) => observer.Health(host, value);
    }
}

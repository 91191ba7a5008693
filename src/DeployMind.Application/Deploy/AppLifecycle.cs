using DeployMind.Application.Deploy.Hosts;
using DeployMind.Application.Records;
using DeployMind.Domain.Deploy;

namespace DeployMind.Application.Deploy;

/// <summary>
/// What runs of an app, after its deploys: every app and environment with its live release (<see cref="OverviewAsync"/>),
/// and on the Docker hosts of one app's environment its containers' output (<see cref="LogsAsync"/>) and stopping and
/// starting them (<see cref="StopAsync"/>, <see cref="StartAsync"/>). The live release is the one the newest successful
/// deployment of the app and environment put out; front doors hold the targets' locks before they change anything.
/// </summary>
public sealed class AppLifecycle
{
    private readonly DeployService _deploys;
    private readonly IDeploymentStore _store;
    private readonly IDeployHostFactory _hosts;

    public AppLifecycle(DeployService deploys, IDeploymentStore store, IDeployHostFactory hosts)
    {
        _deploys = deploys;
        _store = store;
        _hosts = hosts;
    }

    /// <summary>
    /// Every app and environment the records know (previews left out), newest first: the release that serves, where, since
    /// when, and whether its containers run (checked on this machine and on SSH hosts given with <c>--host</c>; a configured
    /// host's name needs its app's configuration, so it is not checked here), and the deployment in progress, if any.
    /// </summary>
    /// <param name="checkHealth">False: <see cref="AppStatus.Health"/> says "not checked" (the dashboard checks apart, with <see cref="HealthAsync"/>).</param>
    /// <param name="cancellationToken">Stops it.</param>
    public async Task<IReadOnlyList<AppStatus>> OverviewAsync(CancellationToken cancellationToken, bool checkHealth = true)
    {
        var recent = await _store.ServingAsync(cancellationToken);
        var result = new List<AppStatus>();
        foreach (var group in recent.Where(d => d.PullRequest is null).GroupBy(d => (d.App, d.Environment)))
        {
            var live = LiveDeployment.Of(group);
            var running = group.Where(d => !d.IsFinished).MaxBy(d => d.CreatedAt);
            if (live is null && running is null)
            {
                continue;
            }

            var health = live is null ? "never deployed" : checkHealth ? await HealthAsync(live.App, live.ReleaseId, live.Target, cancellationToken) : NotChecked;
            result.Add(new AppStatus(group.Key.App, group.Key.Environment, live?.ReleaseId, live?.Target, live?.Commit, live?.UpdatedAt, live?.Url, health)
            {
                LiveDeployment = live?.Id,
                InProgress = running?.Id,
                InProgressState = running?.State,
            });
        }

        return [.. result.OrderBy(s => s.App, StringComparer.Ordinal).ThenBy(s => s.Environment, StringComparer.Ordinal)];
    }

    /// <summary>The app's containers on each of the environment's hosts: the live release's first, then any other that runs.</summary>
    /// <exception cref="Domain.InvalidInputException">The environment runs in Kubernetes, or a host's address is wrong.</exception>
    public async Task<IReadOnlyList<AppContainer>> ContainersAsync(DeployCommand command, string app, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(command);
        var live = await LiveReleaseAsync(app, command.Environment, cancellationToken);
        var result = new List<AppContainer>();
        foreach (var host in _deploys.HostsOf(command))
        {
            var containers = await host.Runtime.ListAsync(app, cancellationToken);
            foreach (var container in containers
                .Where(c => c.Label(ContainerLabels.Release) == live || (c.Running && live is null) || (c.Running && c.Label(ContainerLabels.Release) != live))
                .OrderBy(c => c.Label(ContainerLabels.Release) == live ? 0 : 1).ThenBy(c => c.Name, StringComparer.Ordinal))
            {
                result.Add(new AppContainer(host, container.Name, container.Label(ContainerLabels.Release), container.Running, container.Label(ContainerLabels.Release) == live)
                {
                    Process = container.Process,
                });
            }
        }

        return result;
    }

    /// <summary>
    /// The running containers' output on every host, each line tagged with its host and container: the last
    /// <paramref name="lines"/> lines (written since <paramref name="since"/> when given) of each container of
    /// <paramref name="process"/> (every process when null), and with <paramref name="follow"/> every new line until cancelled.
    /// </summary>
    /// <exception cref="Domain.InvalidInputException">No container of the app (or of that process) runs on the hosts.</exception>
    public async Task LogsAsync(
        DeployCommand command, string app, int lines, bool follow, Action<AppLogLine> line, CancellationToken cancellationToken, string? process = null, DateTimeOffset? since = null)
    {
        ArgumentNullException.ThrowIfNull(line);
        var running = (await ContainersAsync(command, app, cancellationToken)).Where(c => c.Running).ToList();
        var containers = running.Where(c => process is null || c.Process == process).ToList();
        if (containers.Count == 0)
        {
            var hosts = string.Join(", ", _deploys.HostsOf(command).Select(h => h.Name));
            var processes = running.Select(c => c.Process).Distinct(StringComparer.Ordinal).Order(StringComparer.Ordinal).ToList();
            throw new Domain.InvalidInputException(process is not null && processes.Count > 0
                ? $"{app} ({command.Environment}) runs no {process} process on {hosts}; its running processes: {string.Join(", ", processes)}."
                : $"{app} ({command.Environment}) has no running container on {hosts}: `deploymind apps` shows what is deployed where.");
        }

        // Every container at once when following: lines are written as they come, whichever host they come from.
        var query = new ContainerLogQuery(lines, since, follow);
        if (!follow)
        {
            foreach (var container in containers)
            {
                await container.Host.Runtime.StreamLogsAsync(container.Name, query, text => line(new AppLogLine(container.Host.Name, container.Name, text)), cancellationToken);
            }

            return;
        }

        var gate = new Lock();
        await Task.WhenAll(containers.Select(container => container.Host.Runtime.StreamLogsAsync(container.Name, query, text =>
        {
            lock (gate)
            {
                line(new AppLogLine(container.Host.Name, container.Name, text));
            }
        }, cancellationToken)));
    }

    /// <summary>
    /// Runs <paramref name="exec"/> in one running container of the live release (on <paramref name="hostName"/>, else the
    /// first host that has one), without a terminal; its output to <paramref name="line"/>; the command's exit code.
    /// </summary>
    public async Task<int> ExecAsync(DeployCommand command, string app, IReadOnlyList<string> exec, string? hostName, Action<AppLogLine> line, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(line);
        var containers = await ContainersAsync(command, app, cancellationToken);
        var target = containers.Where(c => c.Running && (hostName is null || c.Host.Name == hostName))
            .OrderBy(c => c.Live ? 0 : 1).ThenBy(c => c.Process == ReleaseProcesses.Web ? 0 : 1).FirstOrDefault()
            ?? throw new Domain.InvalidInputException($"{app} ({command.Environment}) has no running container{(hostName is null ? string.Empty : $" on {hostName}")}: `deploymind apps` shows what runs where.");
        return await target.Host.Runtime.ExecAsync(target.Name, exec, text => line(new AppLogLine(target.Host.Name, target.Name, text)), cancellationToken);
    }

    /// <summary>
    /// Runs <paramref name="exec"/> in one running container of the live release attached to the user's terminal
    /// (<c>app exec -i/-t</c>): on <paramref name="hostName"/>, else on the one host that runs the app; its exit code.
    /// </summary>
    /// <exception cref="Domain.InvalidInputException">
    /// Nothing runs (on that host), or the app runs on several hosts and none was named (the message lists them: a terminal
    /// attaches to one container, so it is never picked for the user).
    /// </exception>
    public async Task<int> ExecInteractiveAsync(
        DeployCommand command, string app, IReadOnlyList<string> exec, string? hostName, bool interactive, bool tty, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(command);
        var running = (await ContainersAsync(command, app, cancellationToken)).Where(c => c.Running && (hostName is null || c.Host.Name == hostName)).ToList();
        if (running.Count == 0)
        {
            throw new Domain.InvalidInputException($"{app} ({command.Environment}) has no running container{(hostName is null ? string.Empty : $" on {hostName}")}: `deploymind apps` shows what runs where.");
        }

        var hosts = running.Select(c => c.Host.Name).Distinct(StringComparer.Ordinal).ToList();
        if (hosts.Count > 1)
        {
            throw new Domain.InvalidInputException($"{app} ({command.Environment}) runs on {string.Join(", ", hosts)}: name the host for the session with --host (e.g. --host {hosts[0]}).");
        }

        var target = running.OrderBy(c => c.Live ? 0 : 1).ThenBy(c => c.Process == ReleaseProcesses.Web ? 0 : 1).First();
        return await target.Host.Runtime.ExecInteractiveAsync(target.Name, exec, interactive, tty, cancellationToken);
    }

    /// <summary>Stops every running container of the app on the environment's hosts (nginx then has nothing to send its traffic to); one line per container.</summary>
    public async Task<IReadOnlyList<string>> StopAsync(DeployCommand command, string app, TimeSpan grace, CancellationToken cancellationToken)
    {
        var done = new List<string>();
        foreach (var container in (await ContainersAsync(command, app, cancellationToken)).Where(c => c.Running))
        {
            await container.Host.Runtime.StopAsync(container.Name, grace, cancellationToken);
            done.Add($"{container.Host.Name}: stopped {container.Name}");
        }

        return done;
    }

    /// <summary>Starts the live release's containers again where they are stopped; one line per container.</summary>
    /// <exception cref="Domain.InvalidInputException">No container of the live release is left on any host (deploy it again).</exception>
    public async Task<IReadOnlyList<string>> StartAsync(DeployCommand command, string app, CancellationToken cancellationToken)
    {
        var live = (await ContainersAsync(command, app, cancellationToken)).Where(c => c.Live).ToList();
        if (live.Count == 0)
        {
            throw new Domain.InvalidInputException($"{app} ({command.Environment}) has no container of its live release on {string.Join(", ", _deploys.HostsOf(command).Select(h => h.Name))} to start: deploy it again (`deploymind deploy`).");
        }

        var done = new List<string>();
        foreach (var container in live)
        {
            if (container.Running)
            {
                done.Add($"{container.Host.Name}: {container.Name} already runs");
                continue;
            }

            await container.Host.Runtime.StartAsync(container.Name, cancellationToken);
            done.Add($"{container.Host.Name}: started {container.Name}");
        }

        return done;
    }

    /// <summary>The release the live deployment of the app and environment put out, or null.</summary>
    private async Task<string?> LiveReleaseAsync(string app, string environment, CancellationToken cancellationToken) =>
        (await LiveDeployment.FindAsync(_store, app, environment, cancellationToken))?.ReleaseId;

    /// <summary>What <see cref="OverviewAsync"/> says of health it was asked not to check.</summary>
    public const string NotChecked = "not checked";

    /// <summary>
    /// Whether the release's containers run on the hosts it was recorded on (this machine and SSH hosts; configured hosts'
    /// names need their app's configuration, so they are not checked here): "running on 2/2 host(s)", "down on 1 of 2 host(s)".
    /// </summary>
    public async Task<string> HealthAsync(string app, string? releaseId, string? target, CancellationToken cancellationToken)
    {
        if (target is not { Length: > 0 } || target.StartsWith("k8s ", StringComparison.Ordinal))
        {
            return "in the cluster (not checked here)";
        }

        var names = target.Split(", ", StringSplitOptions.RemoveEmptyEntries);
        var running = 0;
        var checkedHosts = 0;
        foreach (var name in names)
        {
            if (DeployService.ReachableHostOf("docker:" + name) is not { } options)
            {
                continue;
            }

            checkedHosts++;
            try
            {
                var containers = await _hosts.Create(options).Runtime.ListAsync(app, cancellationToken);
                running += containers.Any(c => c.Running && c.Label(ContainerLabels.Release) == releaseId) ? 1 : 0;
            }
            catch (Exception ex) when (ex is Domain.DeployMindException or IOException or InvalidOperationException)
            {
                // Unreachable: counted as not running.
            }
        }

        return checkedHosts == 0
            ? "not checked (configured hosts: `deploymind app logs` in the app's folder reaches them)"
            : running == checkedHosts ? $"running on {running}/{names.Length} host(s)" : $"down on {checkedHosts - running} of {names.Length} host(s)";
    }
}

/// <summary>An app and environment as <c>deploymind apps</c> shows it.</summary>
/// <param name="App">The app.</param>
/// <param name="Environment">The environment.</param>
/// <param name="ReleaseId">The live release (null: never deployed successfully).</param>
/// <param name="Target">Its hosts, or cluster.</param>
/// <param name="Commit">Its commit, when deployed from a repository.</param>
/// <param name="Since">When the deployment that put it there finished.</param>
/// <param name="Url">Where it answers (this machine).</param>
/// <param name="Health">Whether its containers run.</param>
public sealed record AppStatus(string App, string Environment, string? ReleaseId, string? Target, string? Commit, DateTimeOffset? Since, string? Url, string Health)
{
    /// <summary>The deployment that put the live release out.</summary>
    public Guid? LiveDeployment { get; init; }

    /// <summary>A deployment of the app and environment that has not finished.</summary>
    public Guid? InProgress { get; init; }

    public DeploymentState? InProgressState { get; init; }
}

/// <summary>A container of an app on one host.</summary>
/// <param name="Host">The host it runs on.</param>
/// <param name="Name">The container's name.</param>
/// <param name="Release">Its release.</param>
/// <param name="Running">Whether it runs.</param>
/// <param name="Live">It belongs to the live release.</param>
public sealed record AppContainer(DeployHost Host, string Name, string? Release, bool Running, bool Live)
{
    /// <summary>Its process type: web, worker, ….</summary>
    public string Process { get; init; } = ReleaseProcesses.Web;
}

/// <summary>A line of a container's output, tagged with where it comes from.</summary>
public sealed record AppLogLine(string Host, string Container, string Text);

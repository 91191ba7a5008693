using System.Globalization;
using DeployMind.Application.Deploy.Hosts;
using DeployMind.Application.Deploy.Strategies;
using DeployMind.Domain;
using DeployMind.Domain.Deploy;

namespace DeployMind.Application.Deploy.Targets;

/// <summary>
/// Docker hosts behind their own nginx (this machine, SSH hosts): the registered <see cref="IDeploymentStrategy"/>s
/// (rolling, canary, blue-green) over each host's container runtime, router and probe; rollbacks through
/// <see cref="RollbackService"/>. What runs where is read from the hosts' container labels and nginx sites.
/// </summary>
internal sealed class DockerHostsTarget : IDeployTarget
{
    private readonly IReadOnlyList<IDeploymentStrategy> _strategies;
    private readonly RollbackService _rollback;

    public DockerHostsTarget(IEnumerable<IDeploymentStrategy> strategies, RollbackService rollback)
    {
        _strategies = [.. strategies ?? throw new ArgumentNullException(nameof(strategies))];
        _rollback = rollback;
        Strategies = [.. _strategies.Select(s => s.Kind).Distinct().Order()];
    }

    public DeployTargetKind Kind => DeployTargetKind.Docker;

    public IReadOnlyList<StrategyKind> Strategies { get; }

    public async Task<DeployOutcome> DeployAsync(DeployRequest request, StrategyKind strategy, IDeployObserver observer, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        StrategySupport.Ensure(this, strategy);
        foreach (var host in request.Hosts)
        {
            if (!await host.Runtime.ImageExistsAsync(request.Release.Image, cancellationToken))
            {
                throw new DeployMindException(
                    $"The image {request.Release.Image} is not on host {host.Name}, and nothing was changed there. Deploys put it there first (streamed, or pulled from build.registry); see operations.md, \"Getting images to the hosts\".");
            }
        }

        await Domains.SiteCertificates.EnsureAsync(request, observer, cancellationToken);
        return await _strategies.First(s => s.Kind == strategy).DeployAsync(request, observer, cancellationToken);
    }

    public Task<(ReleaseSpec Release, DeployOutcome Outcome)> RollbackAsync(DeployRequest template, IDeployObserver observer, CancellationToken cancellationToken) =>
        _rollback.RollbackAsync(template, observer, cancellationToken);

    public Task<DeployOutcome> RollbackToAsync(DeployRequest template, ReleaseSpec target, IDeployObserver observer, CancellationToken cancellationToken) =>
        _rollback.RollbackToAsync(template, target, observer, cancellationToken);

    public async Task<IReadOnlyList<ReleaseSpec>> ReleasesAsync(DeployRequest template, string app, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(template);
        var releases = new List<ReleaseSpec>();
        foreach (var host in template.Hosts)
        {
            foreach (var container in (await host.Runtime.ListAsync(app, cancellationToken)).OrderByDescending(c => c.Label(ContainerLabels.StartedAt), StringComparer.Ordinal))
            {
                if (container.Label(ContainerLabels.Release) is { } release && !releases.Any(r => r.ReleaseId == release))
                {
                    releases.Add(new ReleaseSpec(app, release, container.Image, container.Label(ContainerLabels.Commit)));
                }
            }
        }

        return releases;
    }

    /// <summary>The app's nginx site first (no traffic reaches it), then its containers. Images stay: another app's release may run the same one.</summary>
    public async Task<IReadOnlyList<string>> RemoveAsync(DeployRequest template, string app, IDeployObserver observer, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(template);
        ArgumentNullException.ThrowIfNull(observer);
        var removed = new List<string>();
        foreach (var host in template.Hosts)
        {
            await host.Router.RemoveAsync(app, cancellationToken);
            var containers = await host.Runtime.ListAsync(app, cancellationToken);
            foreach (var container in containers)
            {
                observer.Step(host.Name, $"removing container {container.Name}");
                await host.Runtime.StopAsync(container.Name, TimeSpan.FromSeconds(5), cancellationToken);
                await host.Runtime.RemoveAsync(container.Name, cancellationToken);
            }

            removed.Add(string.Create(CultureInfo.InvariantCulture, $"{host.Name}: the nginx site and {containers.Count} container(s) of {app}"));
        }

        return removed;
    }

    public async Task<IReadOnlyList<string>> LeftoversAsync(DeployRequest template, string app, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(template);
        var left = new List<string>();
        foreach (var host in template.Hosts)
        {
            var containers = await host.Runtime.ListAsync(app, cancellationToken);
            var site = await host.Router.GetAsync(app, cancellationToken);
            if (containers.Count > 0 || site is not null)
            {
                left.Add($"{host.Name}: {string.Join(", ", containers.Select(c => c.Name))}{(site is null ? string.Empty : " and its nginx site")}");
            }
        }

        return left;
    }
}

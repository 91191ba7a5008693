using System.Globalization;
using DeployMind.Application.Deploy.Hosts;
using DeployMind.Application.Deploy.Secrets;
using DeployMind.Domain;

namespace DeployMind.Application.Deploy.Strategies;

/// <summary>
/// Manual rollback, the fast path: the previous release's image is still on the host (DeployMind keeps the last
/// releases as stopped containers with their labels), so it is started again, health-checked and switched to with the
/// rolling strategy — no build, no scan, no canary analysis. What runs where is read from the host itself.
/// </summary>
internal sealed class RollbackService
{
    private readonly RollingStrategy _rolling;

    public RollbackService(RollingStrategy rolling)
    {
        _rolling = rolling;
    }

    /// <summary>
    /// The release to go back to on <paramref name="host"/>: the newest one older than what serves now that the records say
    /// succeeded; when the records say nothing of the releases kept there, the newest one the host's ledger says was
    /// verified, else the newest one the records did not reject (a failed, rolled-back or interrupted release is never
    /// brought back).
    /// </summary>
    /// <exception cref="DeployMindException">There is no such release on the host.</exception>
    public static async Task<ReleaseSpec> PreviousReleaseAsync(DeployHost host, string app, ReleaseHistory history, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(host);
        ArgumentNullException.ThrowIfNull(history);
        var route = await host.Router.GetAsync(app, cancellationToken);
        var containers = await host.Runtime.ListAsync(app, cancellationToken);
        var servingContainers = containers
            .Where(c => c.Running && route is not null && route.Servers.Any(s => s.Address.EndsWith(":" + c.Label(ContainerLabels.Port), StringComparison.Ordinal)))
            .ToList();
        var serving = servingContainers.Select(c => c.Label(ContainerLabels.Release)).ToHashSet();

        // "Previous" is older than what serves now: rolling back twice goes further back, not forward again.
        var servingSince = servingContainers.Select(c => c.Label(ContainerLabels.StartedAt) ?? string.Empty).DefaultIfEmpty("\uffff").Min(StringComparer.Ordinal)!;
        var candidates = new List<ReleaseSpec>();
        foreach (var candidate in containers.OrderByDescending(c => c.Label(ContainerLabels.StartedAt), StringComparer.Ordinal))
        {
            var release = candidate.Label(ContainerLabels.Release);
            if (release is null || serving.Contains(release) || !history.MayServe(release)
                || string.CompareOrdinal(candidate.Label(ContainerLabels.StartedAt) ?? string.Empty, servingSince) >= 0
                || candidates.Any(c => c.ReleaseId == release)
                || !await host.Runtime.ImageExistsAsync(candidate.Image, cancellationToken))
            {
                continue;
            }

            candidates.Add(new ReleaseSpec(app, release, candidate.Image, candidate.Label(ContainerLabels.Commit)));
        }

        // The records first; then the host's ledger of verified releases (a release that never served is not in it, e.g. one
        // a killed deploy left behind); then, for releases from before the ledger, the newest one kept.
        var verified = candidates.Count > 0 ? await host.Router.VerifiedAsync(app, cancellationToken) : [];
        var chosen = candidates.FirstOrDefault(c => history.SucceededWith(c.ReleaseId))
            ?? candidates.FirstOrDefault(c => verified.Contains(c.ReleaseId, StringComparer.Ordinal))
            ?? candidates.FirstOrDefault();
        if (chosen is not null)
        {
            return chosen;
        }

        var rejected = history.Rejected.Count > 0 ? $" Releases the records say failed or never served ({history.Rejected.Count}) are never brought back." : string.Empty;
        throw new DeployMindException(
            $"There is no earlier release of {app} on {host.Name} to roll back to (DeployMind keeps the last releases as stopped containers labelled {ContainerLabels.App}={app}).{rejected}");
    }

    /// <summary>Rolls every host to <paramref name="target"/>, a release recorded earlier (its kept container starts again, else its image runs anew).</summary>
    /// <exception cref="DeployMindException">The release's image is gone from a host; nothing was changed.</exception>
    public async Task<DeployOutcome> RollbackToAsync(DeployRequest template, ReleaseSpec target, IDeployObserver observer, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(template);
        ArgumentNullException.ThrowIfNull(target);
        ArgumentNullException.ThrowIfNull(observer);
        foreach (var host in template.Hosts)
        {
            if (!await host.Runtime.ImageExistsAsync(target.Image, cancellationToken))
            {
                throw new DeployMindException(
                    $"The image {target.Image} of release {target.ReleaseId} is no longer on host {host.Name} (DeployMind keeps the last releases per host: environments.<name>.keepReleases); deploy that commit again instead.");
            }
        }

        observer.Step(template.Hosts[0].Name, string.Create(CultureInfo.InvariantCulture, $"rolling back to {target.ReleaseId} ({target.Image})"));
        target = await WithVariablesAsync(template, target, observer, cancellationToken);
        return await _rolling.DeployAsync(template with { Release = target }, observer, cancellationToken);
    }

    /// <summary>Rolls every host back to the previous release found on the first host.</summary>
    public async Task<(ReleaseSpec Release, DeployOutcome Outcome)> RollbackAsync(DeployRequest template, IDeployObserver observer, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(template);
        ArgumentNullException.ThrowIfNull(observer);
        var target = await PreviousReleaseAsync(template.Hosts[0], template.Release.App, template.History, cancellationToken);
        observer.Step(template.Hosts[0].Name, string.Create(CultureInfo.InvariantCulture, $"rolling back to {target.ReleaseId} ({target.Image})"));
        var outcome = await _rolling.DeployAsync(template with { Release = await WithVariablesAsync(template, target, observer, cancellationToken) }, observer, cancellationToken);
        return (target, outcome);
    }

    /// <summary>
    /// <paramref name="target"/> with the variables it needs. A host that keeps the release's stopped container starts it
    /// again as it was, its variables included; a host that does not (the container was removed, only the image is left)
    /// runs the image in a new container, which gets the app's variables as a deploy would: resolved now from the app's
    /// configuration (<see cref="DeployRequest.FreshVariables"/>), else the template's own. Only then is a secret store
    /// read, and a secret that cannot be resolved stops the rollback here, before any host changes.
    /// </summary>
    /// <exception cref="MissingSecretException">A secret is in no source (the message names it and where it was looked for); nothing was changed.</exception>
    private static async Task<ReleaseSpec> WithVariablesAsync(DeployRequest template, ReleaseSpec target, IDeployObserver observer, CancellationToken cancellationToken)
    {
        var fresh = new List<string>();
        foreach (var host in template.Hosts)
        {
            if (!ReleaseLauncher.StartsKept(await host.Runtime.ListAsync(target.App, cancellationToken), target, colour: null))
            {
                fresh.Add(host.Name);
            }
        }

        if (fresh.Count == 0)
        {
            return target;
        }

        var where = string.Join(", ", fresh);
        if (template.FreshVariables is not { } resolve)
        {
            return target with { Environment = template.Release.Environment };
        }

        observer.Step(fresh[0], $"the kept container of {target.ReleaseId} is gone on {where}: it starts in a new container with the app's variables (env) resolved now");
        try
        {
            return target with { Environment = await resolve(cancellationToken) };
        }
        catch (MissingSecretException ex)
        {
            throw new MissingSecretException($"Release {target.ReleaseId} must start in a new container on {where} (its kept container is gone) and cannot: {ex.Message}", ex);
        }
    }
}

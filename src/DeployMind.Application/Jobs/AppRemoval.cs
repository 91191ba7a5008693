using DeployMind.Application.Deploy;
using DeployMind.Application.Records;
using DeployMind.Application.Reporting;
using DeployMind.Domain;
using DeployMind.Domain.Deploy;
using Microsoft.Extensions.Logging.Abstractions;

namespace DeployMind.Application.Jobs;

/// <summary>
/// Removes an app (or a pull request's preview) from its environment's hosts or cluster, recorded as a deployment of its
/// own: its nginx site first, so no traffic reaches it, then its containers, then (when asked) the images its releases ran;
/// it ends succeeded only when nothing of it is left. Used by a closed pull request's job and by <c>deploymind app remove</c>;
/// the caller holds the targets' locks.
/// </summary>
public sealed class AppRemoval
{
    private readonly DeployService _deploys;
    private readonly IDeploymentStore _store;
    private readonly TimeProvider _time;
    private readonly IDeploymentReporter _reporter;

    public AppRemoval(DeployService deploys, IDeploymentStore store, TimeProvider time, IDeploymentReporter reporter)
    {
        _deploys = deploys;
        _store = store;
        _time = time;
        _reporter = reporter;
    }

    /// <summary>Removes <paramref name="app"/>, recording it on <paramref name="deployment"/> (already added to the records).</summary>
    /// <param name="command">Where: the environment, and the hosts or cluster.</param>
    /// <param name="app">The app's instance name (a preview's <c>&lt;app&gt;-pr-&lt;n&gt;</c>).</param>
    /// <param name="deployment">The record of the removal.</param>
    /// <param name="what">What is removed, for the record: "the preview shop-pr-7", "the app shop".</param>
    /// <param name="removeImages">Also remove the images of its releases on Docker hosts (an image another container uses stays).</param>
    /// <param name="observer">Receives each step, beside the deployment's log; null for the log only.</param>
    /// <param name="note">Why it is removed this way, added to the first entry of the timeline (a preview removed with this machine's settings).</param>
    /// <param name="cancellationToken">Stops it (recorded as cancelled).</param>
    public Task<Deployment> RemoveAsync(
        DeployCommand command, string app, Deployment deployment, string what, bool removeImages, IDeployObserver? observer, string? note, CancellationToken cancellationToken) =>
        RemoveAsync(command, app, deployment, what, new RemovalScope { Images = removeImages }, observer, note, cancellationToken);

    /// <summary>
    /// Removes <paramref name="app"/> as <see cref="RemoveAsync(DeployCommand, string, Deployment, string, bool, IDeployObserver?, string?, CancellationToken)"/>
    /// does, with what else goes in <paramref name="scope"/>: images, named volumes (after the containers are gone; one
    /// another container still mounts stays, and the record says by which). A pull request's preview also loses the
    /// accessories it booted, with their volumes (they are its own).
    /// </summary>
    public async Task<Deployment> RemoveAsync(
        DeployCommand command, string app, Deployment deployment, string what, RemovalScope scope, IDeployObserver? observer, string? note, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(command);
        ArgumentNullException.ThrowIfNull(scope);
        var removeImages = scope.Images;
        ArgumentNullException.ThrowIfNull(deployment);
        deployment.MoveTo(DeploymentState.Deploying, note is null ? $"removing {what}" : $"removing {what} ({note})", _time.GetUtcNow());
        await _store.SaveAsync(deployment, cancellationToken);
        _reporter.Report(DeploymentReport.Of(deployment, _time.GetUtcNow()));
        try
        {
            await using var log = new DeploymentLog(_store, deployment.Id, _time, NullLogger.Instance);
            var steps = log.Observe(observer);
            var images = removeImages && _deploys.TargetKindOf(command) == Deploy.Targets.DeployTargetKind.Docker
                ? (await _deploys.ReleasesAsync(command, app, cancellationToken)).Select(r => r.Image).Where(i => i.Length > 0).Distinct(StringComparer.Ordinal).ToList()
                : [];
            // A preview's own volumes (named after it, never production's) go with it: found on its containers before they go.
            var docker = _deploys.TargetKindOf(command) == Deploy.Targets.DeployTargetKind.Docker;
            var previewVolumes = new List<(Deploy.Hosts.DeployHost Host, string Volume)>();
            if (docker && command.PullRequest is not null)
            {
                foreach (var host in _deploys.HostsOf(command))
                {
                    foreach (var container in await host.Runtime.ListAsync(app, cancellationToken))
                    {
                        previewVolumes.AddRange((await host.Runtime.VolumesOfAsync(container.Name, cancellationToken))
                            .Where(v => v.StartsWith(app + "-", StringComparison.Ordinal))
                            .Select(v => (host, v)));
                    }
                }
            }

            var removed = await _deploys.RemoveAsync(command, app, steps, cancellationToken);
            foreach (var (host, volume) in previewVolumes.Distinct())
            {
                steps.Step("remove", $"{host.Name}: the preview's volume: {await host.Runtime.RemoveVolumeAsync(volume, cancellationToken)}");
            }

            if (images.Count > 0)
            {
                foreach (var host in _deploys.HostsOf(command))
                {
                    foreach (var image in images)
                    {
                        await host.Runtime.RemoveImageAsync(image, cancellationToken);
                    }
                }

                steps.Step("remove", $"removed the images {string.Join(", ", images)} where no other container uses them");
            }

            var volumeLines = new List<string>();
            if (docker && command.PullRequest is not null)
            {
                foreach (var host in _deploys.HostsOf(command))
                {
                    foreach (var line in await Accessories.RemovePreviewInstancesAsync(host, app, cancellationToken))
                    {
                        steps.Step("remove", line);
                    }
                }
            }

            if (docker && (scope.Volumes.Count > 0 || scope.BindMounts.Count > 0))
            {
                foreach (var host in _deploys.HostsOf(command))
                {
                    var results = new List<string>();
                    foreach (var volume in scope.Volumes)
                    {
                        results.Add((await host.Runtime.RemoveVolumeAsync(volume, cancellationToken)).ToString());
                    }

                    results.AddRange(scope.BindMounts.Select(folder => $"{folder} kept: a host folder (bind mount) is never removed"));
                    steps.Step("remove", $"{host.Name}: volumes: {string.Join("; ", results)}");
                    volumeLines.Add($"{host.Name}: {string.Join("; ", results)}");
                }
            }

            deployment.MoveTo(DeploymentState.Verifying, $"removed {string.Join("; ", removed)}", _time.GetUtcNow());
            await _store.SaveAsync(deployment, cancellationToken);
            var left = await _deploys.LeftoversAsync(command, app, cancellationToken);
            if (left.Count == 0)
            {
                var volumes = volumeLines.Count == 0 ? string.Empty : $"; volumes: {string.Join(" | ", volumeLines)}";
                var gone = docker ? "no container or nginx site of it is left" : "no object DeployMind made for it is left in the cluster";
                deployment.MoveTo(DeploymentState.Succeeded, $"{what} removed: {gone}{volumes}", _time.GetUtcNow());
            }
            else
            {
                deployment.Fail(PipelineStage.Verify, $"{what} is not fully removed: {string.Join("; ", left)}; run the removal again or remove them by hand", _time.GetUtcNow());
            }
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            deployment.MoveTo(DeploymentState.Cancelled, $"cancelled while removing {what}; run the removal again", _time.GetUtcNow());
        }
        catch (Exception ex) when (ex is DeployMindException or InvalidOperationException or IOException)
        {
            deployment.Fail(PipelineStage.Deploy, $"{what} could not be removed: {ex.Message}", _time.GetUtcNow());
        }

        await _store.SaveAsync(deployment, CancellationToken.None);
        _reporter.Report(DeploymentReport.Of(deployment, _time.GetUtcNow()));
        return deployment;
    }
}

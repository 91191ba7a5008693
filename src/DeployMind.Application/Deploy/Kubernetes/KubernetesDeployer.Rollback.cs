using System.Globalization;
using DeployMind.Domain;
using DeployMind.Domain.Deploy;

namespace DeployMind.Application.Deploy.Kubernetes;

public sealed partial class KubernetesDeployer
{
    /// <summary>
    /// The fast path back to the release before the one serving: a blue-green app's idle colour (kept at zero pods) is
    /// scaled up and the Service switched to it; otherwise the stable Deployment goes back to its previous revision.
    /// </summary>
    /// <exception cref="DeployMindException">There is nothing earlier in the cluster to go back to.</exception>
    public async Task<(ReleaseSpec Release, DeployOutcome Outcome)> RollbackAsync(DeployRequest template, IDeployObserver observer, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(template);
        ArgumentNullException.ThrowIfNull(observer);
        var started = _time.GetTimestamp();
        var cluster = _clusters.Connect(Settings(template));
        var app = template.Release.App;
        if (await LiveColourAsync(cluster, app, cancellationToken) is { } live)
        {
            var idle = await cluster.GetDeploymentAsync(KubernetesNames.Deployment(app, KubernetesNames.Other(live)), cancellationToken)
                ?? throw new DeployMindException($"There is no {KubernetesNames.Deployment(app, KubernetesNames.Other(live))} in {cluster.Display} to switch back to; deploy the earlier commit again.");
            var release = new ReleaseSpec(app, idle.ReleaseId ?? "(unknown)", idle.Image ?? "(unknown)", null);
            return (release, await SwitchToIdleAsync(cluster, template, live, idle, observer, started, cancellationToken));
        }

        var revisions = await cluster.RevisionsAsync(app, cancellationToken);
        var current = revisions.Count > 0 ? revisions[0] : null;
        var previous = revisions.Skip(1).FirstOrDefault(r => r.ReleaseId != current?.ReleaseId || r.Image != current?.Image)
            ?? throw new DeployMindException($"{app} in {cluster.Display} has no earlier revision to roll back to (`kubectl rollout history deployment/{app} -n {Settings(template).Namespace}` shows them).");
        var target = new ReleaseSpec(app, previous.ReleaseId ?? $"revision-{previous.Number.ToString(CultureInfo.InvariantCulture)}", previous.Image ?? "(unknown)", previous.Commit);
        return (target, await UndoToAsync(cluster, template, previous, observer, started, cancellationToken));
    }

    /// <summary>The releases of <paramref name="app"/> the cluster keeps (revisions of its Deployment), newest first.</summary>
    public async Task<IReadOnlyList<ReleaseSpec>> ReleasesAsync(DeployRequest template, string app, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(template);
        var cluster = _clusters.Connect(Settings(template));
        var revisions = await cluster.RevisionsAsync(app, cancellationToken);
        return [.. revisions.Select(r => new ReleaseSpec(app, r.ReleaseId ?? $"revision-{r.Number.ToString(CultureInfo.InvariantCulture)}", r.Image ?? "(unknown)", r.Commit))];
    }

    /// <summary>
    /// Back to <paramref name="target"/>, a release recorded earlier: the fast path when the cluster still has it (the idle
    /// colour, or a revision of the stable Deployment with its image); otherwise its image is deployed again with a
    /// rolling update (blue-green: without an observation window).
    /// </summary>
    public async Task<DeployOutcome> RollbackToAsync(DeployRequest template, ReleaseSpec target, IDeployObserver observer, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(template);
        ArgumentNullException.ThrowIfNull(target);
        ArgumentNullException.ThrowIfNull(observer);
        var started = _time.GetTimestamp();
        var cluster = _clusters.Connect(Settings(template));
        var app = target.App;
        var request = template with { Release = target };

        // Recorded images are the built names; the cluster knows them under the registry prefix (pushed when they were deployed).
        var image = KubernetesNames.PulledImage(target.Image, Settings(template).Registry);
        observer.Step(cluster.Display, $"rolling back to {target.ReleaseId} ({image})");
        try
        {
            if (await LiveColourAsync(cluster, app, cancellationToken) is { } live)
            {
                var idle = await cluster.GetDeploymentAsync(KubernetesNames.Deployment(app, KubernetesNames.Other(live)), cancellationToken);
                if (idle is not null && (idle.ReleaseId == target.ReleaseId || idle.Image == image))
                {
                    return await SwitchToIdleAsync(cluster, request, live, idle, observer, started, cancellationToken);
                }

                var colour = Workload(request, image);
                await ReleaseSecretAsync(cluster, request, colour, observer, cancellationToken);
                return await BlueGreenAsync(cluster, request, colour, TimeSpan.Zero, observer, started, cancellationToken);
            }

            var revision = (await cluster.RevisionsAsync(app, cancellationToken)).Skip(1).FirstOrDefault(r => r.ReleaseId == target.ReleaseId || r.Image == image);
            if (revision is not null)
            {
                // The revision's pod template names the Secret it was released with, kept as long as the revision is.
                return await UndoToAsync(cluster, request, revision, observer, started, cancellationToken);
            }

            var workload = Workload(request, image);
            await ReleaseSecretAsync(cluster, request, workload, observer, cancellationToken);
            return await RollingAsync(cluster, workload, StrategyKind.Rolling, observer, started, cancellationToken);
        }
        catch (KubernetesConflictException ex)
        {
            return new DeployOutcome(DeployStatus.Failed, StrategyKind.Rolling, ex.Message, _time.GetElapsedTime(started));
        }
    }

    private async Task<DeployOutcome> UndoToAsync(IKubernetesCluster cluster, DeployRequest request, KubernetesRevision revision, IDeployObserver observer, long started, CancellationToken cancellationToken)
    {
        var app = request.Release.App;
        observer.Step(cluster.Display, string.Create(CultureInfo.InvariantCulture, $"{app}: rolling back to revision {revision.Number} ({revision.ReleaseId ?? revision.Image})"));
        await cluster.RollbackAsync(app, revision, cancellationToken);
        var selector = revision.ReleaseId is { } release ? KubernetesNames.ReleaseSelector(app, release) : KubernetesNames.Selector(KubernetesNames.DeploymentSelector(app, KubernetesVariant.Stable));
        var rollout = await _rollouts.WaitAsync(cluster, app, selector, Settings(request).RolloutDeadline, PollInterval(request.Health), observer, cancellationToken);
        return rollout.Complete
            ? Succeeded(StrategyKind.Rolling, cluster, rollout, started)
            : Failed(StrategyKind.Rolling, string.Create(CultureInfo.InvariantCulture, $"the rollback of {app} to revision {revision.Number} did not roll out: {rollout.Failure}"), rollout, started);
    }

    private async Task<DeployOutcome> SwitchToIdleAsync(
        IKubernetesCluster cluster, DeployRequest request, KubernetesVariant live, KubernetesDeploymentStatus idle, IDeployObserver observer, long started, CancellationToken cancellationToken)
    {
        var app = request.Release.App;
        var colour = KubernetesNames.Other(live);
        var liveName = KubernetesNames.Deployment(app, live);
        var replicas = Math.Max(Settings(request).Replicas, (await cluster.GetDeploymentAsync(liveName, cancellationToken))?.Replicas ?? 0);
        observer.Step(cluster.Display, string.Create(CultureInfo.InvariantCulture, $"scaling {idle.Name} ({idle.ReleaseId ?? idle.Image}) to {replicas} pod(s)"));
        await cluster.ScaleAsync(idle.Name, replicas, cancellationToken);
        var selector = idle.ReleaseId is { } release ? KubernetesNames.ReleaseSelector(app, release) : KubernetesNames.Selector(KubernetesNames.DeploymentSelector(app, colour));
        var rollout = await _rollouts.WaitAsync(cluster, idle.Name, selector, Settings(request).RolloutDeadline, PollInterval(request.Health), observer, cancellationToken);
        if (!rollout.Complete)
        {
            await cluster.ScaleAsync(idle.Name, 0, CancellationToken.None);
            return Failed(StrategyKind.Rolling, $"{idle.Name} did not become ready again: {rollout.Failure}; the Service stays on {KubernetesNames.Value(live)}.", rollout, started);
        }

        observer.Step(cluster.Display, $"switching the Service {app} to {KubernetesNames.Value(colour)}");
        var workload = new KubernetesWorkload(app, idle.Image ?? request.Release.Image, idle.ReleaseId ?? request.Release.ReleaseId, Settings(request), request.Health)
        {
            Variant = colour,
            LiveColour = colour,
        };
        await cluster.ApplyAsync(workload, KubernetesParts.Service | KubernetesParts.Autoscaler, cancellationToken);
        await cluster.ScaleAsync(liveName, 0, cancellationToken);
        return Succeeded(StrategyKind.Rolling, cluster, rollout, started);
    }
}

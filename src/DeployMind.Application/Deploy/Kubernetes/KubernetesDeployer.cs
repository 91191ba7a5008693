using System.Globalization;
using DeployMind.Domain;
using DeployMind.Domain.Deploy;

namespace DeployMind.Application.Deploy.Kubernetes;

/// <summary>
/// Deploys a release to a Kubernetes namespace with the environment's strategy and rolls it back: the decision logic of
/// rolling (the native RollingUpdate), canary (an "&lt;app&gt;-canary" Deployment behind the same Service, sized for each
/// step) and blue-green (two Deployments by colour, the Service's selector switched). Every call to the cluster goes
/// through <see cref="IKubernetesCluster"/>; time comes from the injected <see cref="TimeProvider"/>.
/// </summary>
public sealed partial class KubernetesDeployer
{
    private readonly IKubernetesClusterFactory _clusters;
    private readonly IImagePublisher _publisher;
    private readonly KubernetesRollouts _rollouts;
    private readonly TimeProvider _time;

    public KubernetesDeployer(IKubernetesClusterFactory clusters, IImagePublisher publisher, TimeProvider time)
    {
        _clusters = clusters;
        _publisher = publisher;
        _rollouts = new KubernetesRollouts(time);
        _time = time;
    }

    /// <summary>Deploys <paramref name="request"/>'s release (its <see cref="DeployRequest.Kubernetes"/> says where).</summary>
    public async Task<DeployOutcome> DeployAsync(DeployRequest request, StrategyKind strategy, IDeployObserver observer, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        ArgumentNullException.ThrowIfNull(observer);
        var settings = Settings(request);
        var started = _time.GetTimestamp();
        try
        {
            var cluster = _clusters.Connect(settings);
            var image = await PullableImageAsync(request.Release.Image, settings, cluster, observer, cancellationToken);
            var workload = Workload(request, image);

            // The release's Secret exists before any Deployment reads it; when it cannot be created, nothing else changes.
            await ReleaseSecretAsync(cluster, request, workload, observer, cancellationToken);
            var outcome = strategy switch
            {
                StrategyKind.Canary => await CanaryAsync(cluster, request, workload, observer, started, cancellationToken),
                StrategyKind.BlueGreen => await BlueGreenAsync(cluster, request, workload, request.ObservationWindow, observer, started, cancellationToken),
                StrategyKind.Rolling => await RollingAsync(cluster, workload, StrategyKind.Rolling, observer, started, cancellationToken),

                // Never a silent fallback to rolling: KubernetesTarget refuses what it does not list before anything changes.
                _ => throw new ArgumentOutOfRangeException(nameof(strategy), strategy, $"strategy {strategy.Name()} is not supported by kubernetes targets"),
            };
            await PruneSecretsAsync(cluster, workload, observer, cancellationToken);
            return outcome;
        }
        catch (DeployMindException ex)
        {
            return new DeployOutcome(DeployStatus.Failed, strategy, ex.Message, _time.GetElapsedTime(started));
        }
    }

    /// <summary>The workload of a request's release (its image replaced by <paramref name="image"/>); with <c>env.secret</c>, its pods read the release's Secret.</summary>
    public static KubernetesWorkload Workload(DeployRequest request, string image)
    {
        ArgumentNullException.ThrowIfNull(request);
        var settings = Settings(request);
        var release = request.Release;
        return new KubernetesWorkload(release.App, image, release.ReleaseId, settings, request.Health)
        {
            Commit = release.Commit,
            ReleaseSecret = settings.Secrets.Count > 0 ? KubernetesNames.ReleaseSecret(release.App, release.ReleaseId) : null,
        };
    }

    private static KubernetesSettings Settings(DeployRequest request) =>
        request.Kubernetes ?? throw new InvalidOperationException("The request has no Kubernetes target.");

    /// <summary>The image as the cluster pulls it: pushed under the registry prefix when one is configured.</summary>
    private async Task<string> PullableImageAsync(string image, KubernetesSettings settings, IKubernetesCluster cluster, IDeployObserver observer, CancellationToken cancellationToken)
    {
        if (settings.Registry is not { } registry || image.StartsWith(registry + "/", StringComparison.Ordinal))
        {
            return image;
        }

        observer.Step(cluster.Display, $"pushing {image} to {registry}");
        var pushed = await _publisher.PublishAsync(image, registry, cancellationToken);
        observer.Step(cluster.Display, $"pushed {pushed}");
        return pushed;
    }

    /// <summary>
    /// Rolling: the stable Deployment gets the new template (RollingUpdate, maxSurge 1, maxUnavailable 0) and the rollout is
    /// waited for. A rollout that fails is put back to the previous revision (its pods never stopped serving).
    /// </summary>
    private async Task<DeployOutcome> RollingAsync(
        IKubernetesCluster cluster, KubernetesWorkload workload, StrategyKind kind, IDeployObserver observer, long started, CancellationToken cancellationToken)
    {
        var name = workload.DeploymentName;
        var before = await cluster.GetDeploymentAsync(name, cancellationToken);
        observer.Step(cluster.Display, $"applying {name} ({workload.Image}) with server-side apply");
        await cluster.ApplyAsync(workload, KubernetesParts.All, cancellationToken);
        await SizeAsync(cluster, workload, before, cancellationToken);

        var rollout = await WaitAsync(cluster, workload, name, observer, cancellationToken);
        if (rollout.Complete)
        {
            return Succeeded(kind, cluster, rollout, started);
        }

        var reason = $"{name} did not roll out: {rollout.Failure}";
        if (before is not null)
        {
            var back = await UndoAsync(cluster, workload, observer, cancellationToken);
            reason += back is null ? "; there was no earlier revision to put back" : $"; {name} is back on revision {back.Number} ({back.ReleaseId ?? back.Image})";
        }

        return Failed(kind, reason, rollout, started);
    }

    /// <summary>
    /// Replicas are never in an applied manifest (the autoscaler, when there is one, owns them): a new Deployment is
    /// scaled to <c>replicas</c>; an existing one follows a changed <c>replicas</c> only when nothing autoscales it.
    /// </summary>
    private static async Task SizeAsync(IKubernetesCluster cluster, KubernetesWorkload workload, KubernetesDeploymentStatus? before, CancellationToken cancellationToken)
    {
        var wanted = workload.Settings.Replicas;
        var current = before?.Replicas ?? 1;
        if (current != wanted && (before is null || workload.Settings.Autoscaling is null))
        {
            await cluster.ScaleAsync(workload.DeploymentName, wanted, cancellationToken);
        }
    }

    /// <summary>
    /// Puts the workload's Deployment back on its newest revision that is not the workload's release and waits for that
    /// rollout (the previous pods kept serving; this takes the failed ones away); null when there is no such revision.
    /// </summary>
    private async Task<KubernetesRevision?> UndoAsync(IKubernetesCluster cluster, KubernetesWorkload workload, IDeployObserver observer, CancellationToken cancellationToken)
    {
        var deployment = workload.DeploymentName;
        var revisions = await cluster.RevisionsAsync(deployment, cancellationToken);
        var current = revisions.Count > 0 ? revisions[0] : null;
        var previous = revisions.Skip(1).FirstOrDefault(r => r.ReleaseId != workload.ReleaseId && (r.ReleaseId is not null || r.Image != current?.Image));
        if (previous is null)
        {
            return null;
        }

        observer.Step(cluster.Display, string.Create(CultureInfo.InvariantCulture, $"{deployment}: rolling back to revision {previous.Number} ({previous.ReleaseId ?? previous.Image})"));
        await cluster.RollbackAsync(deployment, previous, cancellationToken);
        var selector = previous.ReleaseId is { } release
            ? KubernetesNames.ReleaseSelector(workload.App, release)
            : KubernetesNames.Selector(KubernetesNames.DeploymentSelector(workload.App, workload.Variant));
        var back = await _rollouts.WaitAsync(cluster, deployment, selector, workload.Settings.RolloutDeadline, PollInterval(workload.Health), observer, cancellationToken);
        if (!back.Complete)
        {
            observer.Step(cluster.Display, $"{deployment}: the rollback's rollout did not finish: {back.Failure}");
        }

        return previous;
    }

    private Task<RolloutResult> WaitAsync(IKubernetesCluster cluster, KubernetesWorkload workload, string deployment, IDeployObserver observer, CancellationToken cancellationToken) =>
        _rollouts.WaitAsync(
            cluster, deployment, KubernetesNames.ReleaseSelector(workload.App, workload.ReleaseId), workload.Settings.RolloutDeadline, PollInterval(workload.Health), observer, cancellationToken);

    private static TimeSpan PollInterval(HealthPolicy health) => health.Interval;

    private DeployOutcome Succeeded(StrategyKind kind, IKubernetesCluster cluster, RolloutResult rollout, long started, int canaryPercent = 0) =>
        new(DeployStatus.Succeeded, kind, null, _time.GetElapsedTime(started))
        {
            Health = Report(rollout),
            HostsSwitched = [$"k8s {cluster.Display}"],
            CanaryPercentReached = canaryPercent,
        };

    private DeployOutcome Failed(StrategyKind kind, string reason, RolloutResult? rollout, long started, DeployStatus status = DeployStatus.Failed) =>
        new(status, kind, reason, _time.GetElapsedTime(started)) { Health = rollout is null ? null : Report(rollout) };

    /// <summary>The rollout as a health report: ready pods of the wanted ones.</summary>
    private static HealthReport Report(RolloutResult rollout) => new(
        rollout.Complete, rollout.Last?.ReadyReplicas ?? 0, rollout.Last?.Replicas ?? 0, rollout.Polls, rollout.Elapsed, rollout.Failure);
}

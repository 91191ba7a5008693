using DeployMind.Application.Deploy.Kubernetes;
using DeployMind.Domain;
using DeployMind.Domain.Deploy;

namespace DeployMind.Application.Deploy.Targets;

/// <summary>
/// A namespace of a Kubernetes cluster (<see cref="DeployRequest.Kubernetes"/> says which): <see cref="KubernetesDeployer"/>'s
/// rolling (the native RollingUpdate), canary (a second Deployment behind the same Service) and blue-green (the Service's
/// selector switched), and its rollbacks to earlier revisions or the idle colour.
/// </summary>
internal sealed class KubernetesTarget : IDeployTarget
{
    private readonly KubernetesDeployer _deployer;

    public KubernetesTarget(KubernetesDeployer deployer)
    {
        _deployer = deployer;
    }

    public DeployTargetKind Kind => DeployTargetKind.Kubernetes;

    public IReadOnlyList<StrategyKind> Strategies { get; } = [StrategyKind.Rolling, StrategyKind.Canary, StrategyKind.BlueGreen];

    public Task<DeployOutcome> DeployAsync(DeployRequest request, StrategyKind strategy, IDeployObserver observer, CancellationToken cancellationToken)
    {
        StrategySupport.Ensure(this, strategy);
        return _deployer.DeployAsync(request, strategy, observer, cancellationToken);
    }

    public Task<(ReleaseSpec Release, DeployOutcome Outcome)> RollbackAsync(DeployRequest template, IDeployObserver observer, CancellationToken cancellationToken) =>
        _deployer.RollbackAsync(template, observer, cancellationToken);

    public Task<DeployOutcome> RollbackToAsync(DeployRequest template, ReleaseSpec target, IDeployObserver observer, CancellationToken cancellationToken) =>
        _deployer.RollbackToAsync(template, target, observer, cancellationToken);

    public Task<IReadOnlyList<ReleaseSpec>> ReleasesAsync(DeployRequest template, string app, CancellationToken cancellationToken) =>
        _deployer.ReleasesAsync(template, app, cancellationToken);

    /// <summary>Not carried out on a cluster: only previews are removed, and previews run on Docker hosts.</summary>
    /// <exception cref="InvalidInputException">Always.</exception>
    public Task<IReadOnlyList<string>> RemoveAsync(DeployRequest template, string app, IDeployObserver observer, CancellationToken cancellationToken) =>
        throw NotOnClusters(template, app);

    /// <summary>Not carried out on a cluster: only previews are removed, and previews run on Docker hosts.</summary>
    /// <exception cref="InvalidInputException">Always.</exception>
    public Task<IReadOnlyList<string>> LeftoversAsync(DeployRequest template, string app, CancellationToken cancellationToken) =>
        throw NotOnClusters(template, app);

    private static InvalidInputException NotOnClusters(DeployRequest template, string app) =>
        new($"removing {app} is not supported by kubernetes targets ({template?.Kubernetes?.Display}): previews run on Docker hosts; remove its objects with kubectl.");
}

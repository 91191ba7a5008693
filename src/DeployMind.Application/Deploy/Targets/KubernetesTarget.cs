using DeployMind.Application.Deploy.Kubernetes;
using DeployMind.Domain.Deploy;

namespace DeployMind.Application.Deploy.Targets;

/// <summary>
/// A namespace of a Kubernetes cluster (<see cref="DeployRequest.Kubernetes"/> says which): <see cref="KubernetesDeployer"/>'s
/// rolling (the native RollingUpdate), canary (a second Deployment behind the same Service) and blue-green (the Service's
/// selector switched), its rollbacks to earlier revisions or the idle colour, and the removal of the app's objects.
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

    /// <summary>Every object DeployMind made for the app in the namespace, its release Secrets included.</summary>
    public Task<IReadOnlyList<string>> RemoveAsync(DeployRequest template, string app, IDeployObserver observer, CancellationToken cancellationToken) =>
        _deployer.RemoveAsync(template, app, observer, cancellationToken);

    public Task<IReadOnlyList<string>> LeftoversAsync(DeployRequest template, string app, CancellationToken cancellationToken) =>
        _deployer.LeftoversAsync(template, app, cancellationToken);
}

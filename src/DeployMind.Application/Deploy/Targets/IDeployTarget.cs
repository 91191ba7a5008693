using DeployMind.Domain.Deploy;

namespace DeployMind.Application.Deploy.Targets;

/// <summary>
/// One kind of place a release is deployed to (Docker hosts, a Kubernetes namespace): how a strategy replaces the running
/// release there, how it goes back, and what is there. <see cref="DeployService"/> chooses the target once from the
/// environment's configuration and delegates; a new kind of target is a new implementation registered beside these.
/// </summary>
public interface IDeployTarget
{
    DeployTargetKind Kind { get; }

    /// <summary>The strategies this kind of target carries out; any other is refused before anything changes (<see cref="StrategySupport"/>).</summary>
    IReadOnlyList<StrategyKind> Strategies { get; }

    /// <summary>Deploys an image that is already built with <paramref name="strategy"/>; a deploy that fails or is rolled back is an outcome.</summary>
    /// <exception cref="Domain.DeployMindException">The release cannot reach the target (e.g. the image is missing on a host); nothing was changed.</exception>
    Task<DeployOutcome> DeployAsync(DeployRequest request, StrategyKind strategy, IDeployObserver observer, CancellationToken cancellationToken);

    /// <summary>Goes back to the release before the one serving, found on the target itself (fast path: no build, no analysis).</summary>
    /// <exception cref="Domain.DeployMindException">There is nothing earlier to go back to.</exception>
    Task<(ReleaseSpec Release, DeployOutcome Outcome)> RollbackAsync(DeployRequest template, IDeployObserver observer, CancellationToken cancellationToken);

    /// <summary>Goes back to <paramref name="target"/>, a release recorded earlier.</summary>
    Task<DeployOutcome> RollbackToAsync(DeployRequest template, ReleaseSpec target, IDeployObserver observer, CancellationToken cancellationToken);

    /// <summary>The releases of <paramref name="app"/> kept on the target, newest first (what a fast rollback can go back to, the serving one included).</summary>
    Task<IReadOnlyList<ReleaseSpec>> ReleasesAsync(DeployRequest template, string app, CancellationToken cancellationToken);

    /// <summary>Removes app <paramref name="app"/> (a closed pull request's preview); what was removed, one line per place.</summary>
    Task<IReadOnlyList<string>> RemoveAsync(DeployRequest template, string app, IDeployObserver observer, CancellationToken cancellationToken);

    /// <summary>What is left of app <paramref name="app"/>, one line per place that has any.</summary>
    Task<IReadOnlyList<string>> LeftoversAsync(DeployRequest template, string app, CancellationToken cancellationToken);
}

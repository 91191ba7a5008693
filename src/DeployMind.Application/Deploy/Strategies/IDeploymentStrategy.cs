using DeployMind.Domain.Deploy;

namespace DeployMind.Application.Deploy.Strategies;

/// <summary>One way of replacing the running release with a new one (decision logic here; I/O through the host's ports).</summary>
public interface IDeploymentStrategy
{
    StrategyKind Kind { get; }

    /// <summary>Deploys; a deploy that fails or is rolled back is an outcome, not an exception, and leaves the previous release serving.</summary>
    Task<DeployOutcome> DeployAsync(DeployRequest request, IDeployObserver observer, CancellationToken cancellationToken);
}

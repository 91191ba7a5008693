using DeployMind.Domain.Deploy;

namespace DeployMind.Application.Pipeline;

/// <summary>Receives every change of a deployment (to record it, to report it).</summary>
public interface IPipelineObserver
{
    Task ChangedAsync(Deployment deployment, CancellationToken cancellationToken);
}

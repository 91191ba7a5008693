using DeployMind.Application.Jobs;
using DeployMind.Domain.Deploy;

namespace DeployMind.Server.Metrics;

/// <summary>Counts and times the deployments the server's workers finish.</summary>
internal sealed class MeteredJobRunner(IJobRunner inner) : IJobRunner
{
    public Task<IReadOnlyList<string>> TargetsAsync(DeployJob job, CancellationToken cancellationToken) => inner.TargetsAsync(job, cancellationToken);

    public async Task<Deployment> RunAsync(DeployJob job, JobControl control, CancellationToken cancellationToken)
    {
        var deployment = await inner.RunAsync(job, control, cancellationToken);
        if (deployment.IsFinished)
        {
            var outcome = deployment.State.Name();
            ServerMetrics.DeploymentsFinished.WithLabels(deployment.Environment, outcome).Inc();
            ServerMetrics.DeploymentDuration.WithLabels(deployment.Environment, outcome).Observe((deployment.UpdatedAt - deployment.CreatedAt).TotalSeconds);
        }

        return deployment;
    }
}

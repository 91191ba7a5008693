using DeployMind.Application.Jobs;
using DeployMind.Domain.Deploy;

namespace DeployMind.Server.Metrics;

/// <summary>Counts and times the deployments the server's workers finish.</summary>
internal sealed class MeteredJobRunner(IJobRunner inner) : IJobRunner
{
    public async Task<PreparedJob> PrepareAsync(DeployJob job, CancellationToken cancellationToken)
    {
        var prepared = await inner.PrepareAsync(job, cancellationToken);
        return new PreparedJob(
            prepared.Targets,
            async (control, token) =>
            {
                var deployment = await prepared.RunAsync(control, token);
                if (deployment.IsFinished)
                {
                    var outcome = deployment.State.Name();
                    ServerMetrics.DeploymentsFinished.WithLabels(deployment.Environment, outcome).Inc();
                    ServerMetrics.DeploymentDuration.WithLabels(deployment.Environment, outcome).Observe((deployment.UpdatedAt - deployment.CreatedAt).TotalSeconds);
                }

                return deployment;
            },
            prepared);
    }
}

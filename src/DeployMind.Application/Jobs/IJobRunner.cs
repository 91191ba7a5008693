using DeployMind.Domain.Deploy;

namespace DeployMind.Application.Jobs;

/// <summary>
/// Runs one job's deployment to its end (source, configuration, pipeline, records): what the worker calls once it holds
/// the job and its targets' locks. The front door that hosts the worker composes it (each job reads its own app
/// configuration).
/// </summary>
public interface IJobRunner
{
    /// <summary>
    /// Runs the job's deployment (already recorded, <c>queued</c>) and returns it: finished, or back in <c>queued</c> when it
    /// was handed back. Before every step on a target it calls <see cref="JobControl.FenceAsync"/>; when that answers false
    /// (a newer holder exists) the run stops and hands the deployment back.
    /// </summary>
    Task<Deployment> RunAsync(DeployJob job, JobControl control, CancellationToken cancellationToken);
}

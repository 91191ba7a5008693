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
    /// Runs the job's deployment (already recorded, <c>queued</c>) and returns it in a terminal state. Before every step on a
    /// target it calls <paramref name="fence"/>; when that answers false (a newer holder exists) the run stops.
    /// </summary>
    Task<Deployment> RunAsync(DeployJob job, Func<CancellationToken, Task<bool>> fence, CancellationToken cancellationToken);
}

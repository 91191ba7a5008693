using DeployMind.Domain.Deploy;

namespace DeployMind.Application.Jobs;

/// <summary>Runs one job's deployment (the worker holds the job's locks meanwhile).</summary>
public interface IJobRunner
{
    /// <summary>
    /// The targets the job changes, to lock before <see cref="RunAsync"/>: the job's own when it names them, else read from
    /// the app's configuration (which may mean fetching the source). Changes nothing. Empty when the job cannot run at
    /// all (its source is unusable): <see cref="RunAsync"/> then records why.
    /// </summary>
    Task<IReadOnlyList<string>> TargetsAsync(DeployJob job, CancellationToken cancellationToken);

    /// <summary>Runs the job's recorded deployment to a finished state (or hands it back through <paramref name="control"/>).</summary>
    Task<Deployment> RunAsync(DeployJob job, JobControl control, CancellationToken cancellationToken);
}

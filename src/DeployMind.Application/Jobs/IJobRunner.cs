using DeployMind.Domain.Deploy;

namespace DeployMind.Application.Jobs;

/// <summary>Prepares and runs jobs for a worker (which holds the job's locks while it runs).</summary>
public interface IJobRunner
{
    /// <summary>
    /// Prepares <paramref name="job"/>: its targets, to lock before it runs — the job's own when it names them, else read
    /// from the app's configuration (which means fetching the source, kept for the run). Changes nothing. Targets are
    /// empty when the job cannot run at all (its source is unusable): the run then records why. The worker disposes
    /// what it prepared, run or not.
    /// </summary>
    Task<PreparedJob> PrepareAsync(DeployJob job, CancellationToken cancellationToken);
}

/// <summary>A job ready to lock and run: its targets, the run, and what preparing it fetched (released on dispose).</summary>
public sealed class PreparedJob : IDisposable
{
    private readonly Func<JobControl, CancellationToken, Task<Deployment>> _run;
    private readonly IDisposable? _resources;

    /// <param name="targets">What the run changes, locked first.</param>
    /// <param name="run">Runs the job's recorded deployment to a finished state (or hands it back through the control).</param>
    /// <param name="resources">What the preparation holds for the run (a fetched source), disposed with this.</param>
    public PreparedJob(IReadOnlyList<string> targets, Func<JobControl, CancellationToken, Task<Deployment>> run, IDisposable? resources = null)
    {
        ArgumentNullException.ThrowIfNull(targets);
        ArgumentNullException.ThrowIfNull(run);
        (Targets, _run, _resources) = (targets, run, resources);
    }

    public IReadOnlyList<string> Targets { get; }

    /// <summary>
    /// The app it deploys, when preparing read it from the app's configuration (a webhook's job, whose record names only the
    /// repository until it runs); null: the deployment record's app. A newer succeeded deployment of this app supersedes it.
    /// </summary>
    public string? App { get; init; }

    /// <summary>The strategy the app's configuration deploys it with, when preparing read it; null: the deployment record's.</summary>
    public StrategyKind? Strategy { get; init; }

    /// <summary>
    /// What is wrong with the app's configuration but was allowed (keys no setting has, with --allow-unknown-keys), each
    /// with where it is written; also noted on the deployment when it runs.
    /// </summary>
    public IReadOnlyList<string> Warnings { get; init; } = [];

    /// <summary>Runs the job (once its targets are locked).</summary>
    public Task<Deployment> RunAsync(JobControl control, CancellationToken cancellationToken) => _run(control, cancellationToken);

    public void Dispose() => _resources?.Dispose();
}

namespace DeployMind.Application.Reporting;

/// <summary>
/// Tells the outside world how a deployment is going (GitHub commit statuses, the pull request's report comment, the
/// Deployments API). Reporting never slows or fails a deployment: <see cref="Report"/> only queues; sending, retries and
/// rate limits happen in the background, and a report that cannot be sent is recorded in the deployment's log.
/// </summary>
public interface IDeploymentReporter
{
    /// <summary>Queues a report of the deployment as it is now (a snapshot is taken at once); returns immediately.</summary>
    void Report(DeploymentReport report);

    /// <summary>Waits until every queued report was sent or given up, or until <paramref name="cancellationToken"/> fires.</summary>
    Task FlushAsync(CancellationToken cancellationToken);
}

/// <summary>The reporter used when nothing is configured to report to: reports go nowhere.</summary>
internal sealed class NoReporter : IDeploymentReporter
{
    /// <inheritdoc />
    public void Report(DeploymentReport report)
    {
    }

    /// <inheritdoc />
    public Task FlushAsync(CancellationToken cancellationToken) => Task.CompletedTask;
}

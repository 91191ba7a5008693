namespace DeployMind.Application.Reporting;

/// <summary>
/// The process's reporters as one (GitHub, the notifications): every state change is handed to each, in order. A
/// reporter only queues, so this never waits; one that throws does not keep the change from the others.
/// </summary>
public sealed class DeploymentReporters : IDeploymentReporter
{
    private readonly IReadOnlyList<IDeploymentReporter> _reporters;

    public DeploymentReporters(IEnumerable<IDeploymentReporter> reporters)
    {
        ArgumentNullException.ThrowIfNull(reporters);
        _reporters = [.. reporters];
    }

    /// <summary>The reporters, in the order they are called.</summary>
    public IReadOnlyList<IDeploymentReporter> Reporters => _reporters;

    /// <inheritdoc />
    public void Report(DeploymentReport report)
    {
        foreach (var reporter in _reporters)
        {
            try
            {
                reporter.Report(report);
            }
#pragma warning disable CA1031 // Reporting never fails a deployment.
            catch (Exception)
#pragma warning restore CA1031
            {
                // Each reporter logs its own problems; a broken one must not stop the others.
            }
        }
    }

    /// <inheritdoc />
    public Task FlushAsync(CancellationToken cancellationToken) => Task.WhenAll(_reporters.Select(r => r.FlushAsync(cancellationToken)));
}

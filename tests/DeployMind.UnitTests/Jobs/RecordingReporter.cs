using System.Collections.Concurrent;
using DeployMind.Application.Reporting;

namespace DeployMind.UnitTests.Jobs;

/// <summary>Keeps every report it is given.</summary>
internal sealed class RecordingReporter : IDeploymentReporter
{
    private readonly ConcurrentQueue<DeploymentReport> _reports = new();

    public IReadOnlyList<DeploymentReport> Reports => [.. _reports];

    public void Report(DeploymentReport report) => _reports.Enqueue(report);

    public Task FlushAsync(CancellationToken cancellationToken) => Task.CompletedTask;
}

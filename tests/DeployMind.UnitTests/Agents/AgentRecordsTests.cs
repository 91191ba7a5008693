using DeployMind.Application.Agents;
using DeployMind.Application.Pipeline;
using DeployMind.Application.Reporting;
using DeployMind.Domain.Deploy;
using DeployMind.Infrastructure.Persistence;
using DeployMind.UnitTests.Configuration;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;

namespace DeployMind.UnitTests.Agents;

/// <summary>A deployment run by the <see cref="DeploymentRunner"/> records each agent's explanation in the store, as <c>status</c> reads them.</summary>
public sealed class AgentRecordsTests : IDisposable
{
    private readonly DirectoryInfo _dir = Directory.CreateTempSubdirectory("dm-agent-records-");

    public void Dispose()
    {
        Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
        _dir.Delete(recursive: true);
    }

    [Fact]
    public async Task RunAsync_WithoutAModel_RecordsTheFourRuleBasedExplanationsInOrder()
    {
        using var store = new EfDeploymentStore(Options.Create(new DatabaseOptions { Path = Path.Combine(_dir.FullName, "deploymind.db") }));
        var harness = new AgentHarness(new AiOptions(), endpoint: null);
        var reports = StageAgentTests.Passing();
        var stages = reports.Select(r => (IPipelineStage)new FixedStage(r.Key, r.Value)).ToList();
        var orchestrator = new PipelineOrchestrator(stages, harness.Agents, harness.Redactor, Options.Create(new PipelineOptions()), TimeProvider.System, new FakeConfigurationLocator());
        var runner = new DeploymentRunner(orchestrator, store, new NoReporter(), TimeProvider.System, NullLogger<DeploymentRunner>.Instance);
        var deployment = AgentHarness.NewDeployment();

        await runner.RunAsync(new DeploymentRunner.Run(deployment, _dir.FullName), CancellationToken.None);

        Assert.Equal(DeploymentState.Succeeded, deployment.State);
        var recorded = await store.GetExplanationsAsync(deployment.Id, CancellationToken.None);
        Assert.Equal(
            [("scan", "security-agent"), ("build", "build-agent"), ("deploy", "deploy-agent"), ("verify", "deploy-agent")],
            recorded.Select(x => (x.Stage, x.Agent)));
        Assert.All(recorded, x => Assert.Equal(("rules", "none"), (x.Model, x.Verdict)));
        Assert.StartsWith("Every host (1) answered the verify path through nginx 3 time(s) in a row", recorded[3].Text, StringComparison.Ordinal);
    }

    private sealed class FixedStage(PipelineStage stage, StageReport report) : IPipelineStage
    {
        public PipelineStage Stage => stage;

        public Task<StageReport> RunAsync(PipelineContext context, CancellationToken cancellationToken) => Task.FromResult(report);
    }
}

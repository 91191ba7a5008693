using DeployMind.Application.Configuration;
using DeployMind.Application.Pipeline;
using DeployMind.Domain;
using DeployMind.Domain.Deploy;
using DeployMind.UnitTests.Configuration;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.Time.Testing;

namespace DeployMind.UnitTests.Pipeline;

public sealed class PipelineTests
{
    private readonly FakeTimeProvider _time = new(new DateTimeOffset(2026, 11, 26, 12, 0, 0, TimeSpan.Zero));

    public static TheoryData<DeploymentState, DeploymentState> IllegalTransitions()
    {
        var data = new TheoryData<DeploymentState, DeploymentState>();
        foreach (var from in Enum.GetValues<DeploymentState>())
        {
            foreach (var to in Enum.GetValues<DeploymentState>())
            {
                if (!DeploymentStates.CanMove(from, to) && to != DeploymentState.Failed)
                {
                    data.Add(from, to);
                }
            }
        }

        return data;
    }

    [Theory]
    [MemberData(nameof(IllegalTransitions))]
    public void MoveTo_IllegalTransition_IsRefusedAndChangesNothing(DeploymentState from, DeploymentState to)
    {
        var deployment = At(from);
        var events = deployment.Events.Count;

        Assert.Throws<IllegalTransitionException>(() => deployment.MoveTo(to, "x", _time.GetUtcNow()));
        Assert.Equal(from, deployment.State);
        Assert.Equal(events, deployment.Events.Count);
    }

    [Theory]
    [InlineData(DeploymentState.Succeeded)]
    [InlineData(DeploymentState.Failed)]
    [InlineData(DeploymentState.RolledBack)]
    [InlineData(DeploymentState.Cancelled)]
    [InlineData(DeploymentState.Superseded)]
    public void Fail_FromTerminalState_IsRefused(DeploymentState terminal)
    {
        var deployment = At(terminal);

        Assert.True(terminal.IsTerminal());
        Assert.Throws<IllegalTransitionException>(() => deployment.Fail(PipelineStage.Deploy, "late", _time.GetUtcNow()));
    }

    [Fact]
    public async Task RunAsync_AllStagesPass_SucceedsThroughEveryStateWithEvents()
    {
        var ran = new List<PipelineStage>();
        var orchestrator = Orchestrator(Stage(PipelineStage.Scan, ran), Stage(PipelineStage.Build, ran), Stage(PipelineStage.Deploy, ran), Stage(PipelineStage.Verify, ran));
        var observed = new Recorder();

        var deployment = await orchestrator.RunAsync(Context(), observed, CancellationToken.None);

        Assert.Equal(DeploymentState.Succeeded, deployment.State);
        Assert.Equal([PipelineStage.Scan, PipelineStage.Build, PipelineStage.Deploy, PipelineStage.Verify], ran);
        Assert.Equal(
            [DeploymentState.Scanning, DeploymentState.Building, DeploymentState.Deploying, DeploymentState.Verifying, DeploymentState.Succeeded],
            deployment.Events.Where(e => e.IsTransition).Select(e => e.To));

        // Each passed stage leaves its report as a note in its own state; the observer sees transitions and notes.
        Assert.Equal(
            ["scan passed: ok", "build passed: ok", "deploy passed: ok", "verify passed: ok"],
            deployment.Events.Where(e => !e.IsTransition).Select(e => e.Detail));
        Assert.All(deployment.Events.Where(e => !e.IsTransition), e => Assert.Equal(e.From, e.To));
        Assert.Equal(9, observed.States.Count);
    }

    [Fact]
    public async Task RunAsync_ScanHalts_FailsAtScanAndBuildsNothing()
    {
        var ran = new List<PipelineStage>();
        var orchestrator = Orchestrator(
            Stage(PipelineStage.Scan, ran, _ => Task.FromResult(StageReport.Halted("1 critical finding: DMS001 AWS access key in config/app.env:3"))),
            Stage(PipelineStage.Build, ran));

        var deployment = await orchestrator.RunAsync(Context(), null, CancellationToken.None);

        Assert.Equal(DeploymentState.Failed, deployment.State);
        Assert.Equal(PipelineStage.Scan, deployment.FailedStage);
        Assert.Contains("DMS001", deployment.Reason, StringComparison.Ordinal);
        Assert.Equal([PipelineStage.Scan], ran);
    }

    [Fact]
    public async Task RunAsync_StageOverItsDeadline_FailsNamingTheDeadline()
    {
        var ran = new List<PipelineStage>();
        var orchestrator = Orchestrator(Stage(PipelineStage.Build, ran, async token =>
        {
            await Task.Delay(TimeSpan.FromHours(2), _time, token);
            return StageReport.Passed("never");
        }));

        var run = orchestrator.RunAsync(Context(), null, CancellationToken.None);
        for (var i = 0; i < 100 && !run.IsCompleted; i++)
        {
            await Task.Delay(1);
            _time.Advance(TimeSpan.FromMinutes(10));
        }

        var deployment = await run;
        Assert.Equal(DeploymentState.Failed, deployment.State);
        Assert.Equal(PipelineStage.Build, deployment.FailedStage);
        Assert.Contains("did not finish within its deadline of 30m", deployment.Reason, StringComparison.Ordinal);
    }

    [Fact]
    public async Task RunAsync_HandedOverDuringBuild_GoesBackToQueuedNotCancelled()
    {
        var ran = new List<PipelineStage>();
        using var cts = new CancellationTokenSource();
        var orchestrator = Orchestrator(
            Stage(PipelineStage.Build, ran, async token =>
            {
                await cts.CancelAsync();
                token.ThrowIfCancellationRequested();
                return StageReport.Passed("never");
            }),
            Stage(PipelineStage.Deploy, ran));
        var context = new PipelineContext(NewDeployment(), "/tmp/app") { HandOverReason = () => "the lock of docker:local was lost" };

        var deployment = await orchestrator.RunAsync(context, null, cts.Token);

        Assert.Equal(DeploymentState.Queued, deployment.State);
        Assert.False(deployment.IsFinished);
        Assert.Equal("handed back during Build: the lock of docker:local was lost", deployment.Events[^1].Detail);
        Assert.Equal([PipelineStage.Build], ran);
    }

    [Fact]
    public async Task RunAsync_CancelledDuringDeploy_EndsCancelledWithoutLaterStages()
    {
        var ran = new List<PipelineStage>();
        using var cts = new CancellationTokenSource();
        var orchestrator = Orchestrator(
            Stage(PipelineStage.Deploy, ran, async token =>
            {
                await cts.CancelAsync();
                token.ThrowIfCancellationRequested();
                return StageReport.Passed("never");
            }),
            Stage(PipelineStage.Verify, ran));

        var deployment = await orchestrator.RunAsync(Context(), null, cts.Token);

        Assert.Equal(DeploymentState.Cancelled, deployment.State);
        Assert.Contains("cancelled during Deploy", deployment.Reason, StringComparison.Ordinal);
        Assert.Equal([PipelineStage.Deploy], ran);
    }

    [Fact]
    public async Task RunAsync_DeployRolledBack_EndsRolledBackWithTheReason()
    {
        var orchestrator = Orchestrator(Stage(PipelineStage.Deploy, [], _ => Task.FromResult(StageReport.RolledBack("Canary unhealthy at 10%"))));

        var deployment = await orchestrator.RunAsync(Context(), null, CancellationToken.None);

        Assert.Equal(DeploymentState.RolledBack, deployment.State);
        Assert.Equal("Canary unhealthy at 10%", deployment.Reason);
    }

    [Fact]
    public async Task RunAsync_StageThrowsUserFacingError_FailsWithItsMessage()
    {
        var orchestrator = Orchestrator(Stage(PipelineStage.Build, [], _ => throw new DeployMindException("The Docker engine is not reachable")));

        var deployment = await orchestrator.RunAsync(Context(), null, CancellationToken.None);

        Assert.Equal((DeploymentState.Failed, PipelineStage.Build), (deployment.State, deployment.FailedStage!.Value));
        Assert.Equal("The Docker engine is not reachable", deployment.Reason);
    }

    [Fact]
    public async Task RunAsync_StageRejectsASetting_FailsWithWhereTheSettingIsWritten()
    {
        var locator = new FakeConfigurationLocator().Add("environments:production:target:docker:port", ConfigurationLocation.InFile("deploymind.yml", 7, 15));
        var orchestrator = Orchestrator(locator, Stage(PipelineStage.Deploy, [], _ => throw new InvalidInputException("environments.production.target.docker.port: 0 is not a port (1-65535).")));

        var deployment = await orchestrator.RunAsync(Context(), null, CancellationToken.None);

        Assert.Equal((DeploymentState.Failed, PipelineStage.Deploy), (deployment.State, deployment.FailedStage!.Value));
        Assert.Equal("deploymind.yml:7:15: environments.production.target.docker.port: 0 is not a port (1-65535).", deployment.Reason);
    }

    private PipelineOrchestrator Orchestrator(params IPipelineStage[] stages) => Orchestrator(new FakeConfigurationLocator(), stages);

    private PipelineOrchestrator Orchestrator(IConfigurationLocator locator, params IPipelineStage[] stages) =>
        new(stages, Options.Create(new PipelineOptions()), _time, locator);

    private PipelineContext Context() => new(NewDeployment(), "/tmp/app");

    private Deployment NewDeployment() => new(Guid.NewGuid(), "shop", "production", StrategyKind.Canary, "cli:test", _time.GetUtcNow());

    /// <summary>A deployment brought to <paramref name="state"/> through legal transitions.</summary>
    private Deployment At(DeploymentState state)
    {
        var d = NewDeployment();
        var path = new[] { DeploymentState.Scanning, DeploymentState.Building, DeploymentState.Deploying, DeploymentState.Verifying };
        switch (state)
        {
            case DeploymentState.Queued:
                return d;
            case DeploymentState.Failed:
                d.Fail(PipelineStage.Scan, "x", _time.GetUtcNow());
                return d;
            case DeploymentState.Cancelled:
            case DeploymentState.Superseded:
                d.MoveTo(state, "x", _time.GetUtcNow());
                return d;
            default:
                foreach (var step in path)
                {
                    d.MoveTo(step, "x", _time.GetUtcNow());
                    if (step == state || (state == DeploymentState.RolledBack && step == DeploymentState.Deploying))
                    {
                        break;
                    }
                }

                if (state is DeploymentState.Succeeded or DeploymentState.RolledBack)
                {
                    d.MoveTo(state, "x", _time.GetUtcNow());
                }

                return d;
        }
    }

    private static FakeStage Stage(PipelineStage stage, List<PipelineStage> ran, Func<CancellationToken, Task<StageReport>>? run = null) =>
        new(stage, ran, run ?? (_ => Task.FromResult(StageReport.Passed("ok"))));

    private sealed class FakeStage(PipelineStage stage, List<PipelineStage> ran, Func<CancellationToken, Task<StageReport>> run) : IPipelineStage
    {
        public PipelineStage Stage => stage;

        public Task<StageReport> RunAsync(PipelineContext context, CancellationToken cancellationToken)
        {
            ran.Add(stage);
            return run(cancellationToken);
        }
    }

    private sealed class Recorder : IPipelineObserver
    {
        public List<DeploymentState> States { get; } = [];

        public Task ChangedAsync(Deployment deployment, CancellationToken cancellationToken)
        {
            States.Add(deployment.State);
            return Task.CompletedTask;
        }
    }
}

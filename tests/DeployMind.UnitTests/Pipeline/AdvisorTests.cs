using DeployMind.Application.Deploy;
using DeployMind.Application.Pipeline;
using DeployMind.Application.Security;
using DeployMind.Domain.Deploy;
using DeployMind.UnitTests.Configuration;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.Time.Testing;

namespace DeployMind.UnitTests.Pipeline;

/// <summary>
/// The advisor hook on fake stages: what an advisor may decide (a halt after a stage that passed, notes) and what it may
/// not (pass a failed stage, change the outcome by throwing or hanging). The real stages' reports: <see cref="StageReportTests"/>.
/// </summary>
public sealed class AdvisorTests
{
    private readonly FakeTimeProvider _time = new(new DateTimeOffset(2026, 12, 6, 12, 0, 0, TimeSpan.Zero));

    [Fact]
    public async Task RunAsync_AdvisorHaltsAfterScan_FailsAtScanNamingTheAdvisorAndBuildsNothing()
    {
        var ran = new List<PipelineStage>();
        var advisor = new ScriptedAdvisor("security-advisor", (stage, _) => stage == PipelineStage.Scan
            ? AdvisorVerdict.Halt("a private key is committed under a name the rules do not know", "one file looks like a key")
            : AdvisorVerdict.None);
        var orchestrator = Orchestrator([advisor], Stage(PipelineStage.Scan, ran), Stage(PipelineStage.Build, ran), Stage(PipelineStage.Deploy, ran));
        var context = Context();

        var deployment = await orchestrator.RunAsync(context, null, CancellationToken.None);

        Assert.Equal((DeploymentState.Failed, PipelineStage.Scan), (deployment.State, deployment.FailedStage!.Value));
        Assert.Equal("the advisor security-advisor halted the deployment after scan: a private key is committed under a name the rules do not know", deployment.Reason);
        Assert.Equal([PipelineStage.Scan], ran);
        Assert.Equal([PipelineStage.Scan], advisor.Seen.Select(s => s.Stage));
        Assert.Equal(
            ["scan passed: ok", "scan advisor security-advisor: one file looks like a key"],
            deployment.Events.Where(e => !e.IsTransition).Select(e => e.Detail));
        var advice = Assert.Single(context.Advice);
        Assert.Equal((PipelineStage.Scan, "security-advisor", true), (advice.Stage, advice.Advisor, advice.Applied));
    }

    [Fact]
    public async Task RunAsync_FirstAdvisorHalts_LaterAdvisorsAreStillHeardAndTheFirstHaltDecides()
    {
        var first = new ScriptedAdvisor("first", (_, _) => AdvisorVerdict.Halt("first reason"));
        var second = new ScriptedAdvisor("second", (_, _) => AdvisorVerdict.Halt("second reason"));
        var orchestrator = Orchestrator([first, second], Stage(PipelineStage.Build, []));
        var context = Context();

        var deployment = await orchestrator.RunAsync(context, null, CancellationToken.None);

        Assert.Equal("the advisor first halted the deployment after build: first reason", deployment.Reason);
        Assert.Contains(deployment.Events, e => e.Detail == "build advisor second would halt too: second reason");
        Assert.Equal([true, false], context.Advice.Select(a => a.Applied));
    }

    [Theory]
    [InlineData(StageOutcome.Halted)]
    [InlineData(StageOutcome.RolledBack)]
    public async Task RunAsync_StageFailed_AnAdvisorCannotTurnItIntoAPass(StageOutcome failure)
    {
        var failed = failure == StageOutcome.Halted ? StageReport.Halted("3 blocking findings") : StageReport.RolledBack("canary unhealthy at 10%");
        var ran = new List<PipelineStage>();
        var lenient = new ScriptedAdvisor("lenient", (_, _) => AdvisorVerdict.Note("these findings look like test fixtures; fine to ship"));
        var strict = new ScriptedAdvisor("strict", (_, _) => AdvisorVerdict.Halt("agreed, stop"));
        var orchestrator = Orchestrator([lenient, strict], Stage(PipelineStage.Deploy, ran, _ => Task.FromResult(failed)), Stage(PipelineStage.Verify, ran));
        var context = Context();

        var deployment = await orchestrator.RunAsync(context, null, CancellationToken.None);

        Assert.Equal(failure == StageOutcome.Halted ? DeploymentState.Failed : DeploymentState.RolledBack, deployment.State);
        Assert.Equal(failed.Summary, deployment.Reason);
        Assert.Equal([PipelineStage.Deploy], ran);
        Assert.Same(failed, lenient.Seen.Single().Report);
        Assert.Contains(deployment.Events, e => e.Detail == "deploy advisor lenient: these findings look like test fixtures; fine to ship");
        Assert.Contains(deployment.Events, e => e.Detail == "deploy advisor strict would halt too: agreed, stop");
        Assert.DoesNotContain(context.Advice, a => a.Applied);

        // The notes come before the end, which stays the stage's.
        Assert.True(deployment.Events[^1].IsTransition);
    }

    [Fact]
    public async Task RunAsync_AdvisorThrows_IsANoteAndTheDeploymentStillSucceeds()
    {
        var broken = new ScriptedAdvisor("broken", (_, _) => throw new InvalidOperationException("the model answered garbage"));
        var after = new ScriptedAdvisor("after", (_, _) => AdvisorVerdict.None);
        var orchestrator = Orchestrator([broken, after], Stage(PipelineStage.Scan, []), Stage(PipelineStage.Build, []), Stage(PipelineStage.Deploy, []), Stage(PipelineStage.Verify, []));
        var context = Context();

        var deployment = await orchestrator.RunAsync(context, null, CancellationToken.None);

        Assert.Equal(DeploymentState.Succeeded, deployment.State);
        Assert.Equal(4, after.Seen.Count);
        Assert.Contains(deployment.Events, e => e.Detail == "verify advisor broken: failed (InvalidOperationException: the model answered garbage); the outcome is the stage's");
        Assert.Equal(4, context.Advice.Count(a => a.Advisor == "broken" && !a.Verdict.Halts));
    }

    [Fact]
    public async Task RunAsync_AdvisorPastItsTimeout_IsANoteAndTheDeploymentStillSucceeds()
    {
        // It ignores its token: the orchestrator does not wait for it past pipeline.advisorTimeout either.
        var hanging = new ScriptedAdvisor("hanging", (_, _) => AdvisorVerdict.Halt("never heard"), delay: TimeSpan.FromHours(1), ignoreToken: true, time: _time);
        var orchestrator = Orchestrator([hanging], new PipelineOptions { AdvisorTimeout = "5s" }, Stage(PipelineStage.Scan, []), Stage(PipelineStage.Build, []));

        var run = orchestrator.RunAsync(Context(), null, CancellationToken.None);
        for (var i = 0; i < 1000 && !run.IsCompleted; i++)
        {
            await Task.Delay(1);
            _time.Advance(TimeSpan.FromSeconds(1));
        }

        var deployment = await run;
        Assert.Equal(DeploymentState.Succeeded, deployment.State);
        Assert.Equal(
            ["scan advisor hanging: did not answer within 5s (pipeline.advisorTimeout); the outcome is the stage's", "build advisor hanging: did not answer within 5s (pipeline.advisorTimeout); the outcome is the stage's"],
            deployment.Events.Where(e => e.Detail.Contains("advisor", StringComparison.Ordinal)).Select(e => e.Detail));
    }

    [Fact]
    public async Task RunAsync_AdvisorNotesAndReason_AreRecordedRedactedOnOneLine()
    {
        var leaky = new ScriptedAdvisor("leaky", (_, _) => AdvisorVerdict.Halt("the token s3cr3t-t0ken-value\nis live", "saw s3cr3t-t0ken-value in the log"));
        var orchestrator = new PipelineOrchestrator(
            [Stage(PipelineStage.Build, [])], [leaky], new MaskingRedactor("s3cr3t-t0ken-value"), Options.Create(new PipelineOptions()), _time, new FakeConfigurationLocator());
        var context = Context();

        var deployment = await orchestrator.RunAsync(context, null, CancellationToken.None);

        Assert.Equal("the advisor leaky halted the deployment after build: the token *** is live", deployment.Reason);
        Assert.Contains(deployment.Events, e => e.Detail == "build advisor leaky: saw *** in the log");
        Assert.DoesNotContain(deployment.Events, e => e.Detail.Contains("s3cr3t", StringComparison.Ordinal));
        Assert.Equal("the token *** is live", context.Advice.Single().Verdict.HaltReason);
    }

    [Fact]
    public async Task RunAsync_AdvisorHaltsAfterADeployWithoutAPendingSwitch_TheDeployStageRollsItBack()
    {
        // A Kubernetes rollout has no pending switch: the deploy stage itself takes the release back.
        var deploy = new RevertibleDeployStage();
        var advisor = new ScriptedAdvisor("deploy-advisor", (stage, _) => stage == PipelineStage.Deploy ? AdvisorVerdict.Halt("p95 doubled") : AdvisorVerdict.None);
        var ran = new List<PipelineStage>();
        var orchestrator = Orchestrator([advisor], deploy, Stage(PipelineStage.Verify, ran));

        var deployment = await orchestrator.RunAsync(Context(), null, CancellationToken.None);

        Assert.Equal((DeploymentState.Failed, PipelineStage.Deploy), (deployment.State, deployment.FailedStage!.Value));
        Assert.Equal("the advisor deploy-advisor halted the deployment after deploy: p95 doubled; rolled back to r1", deployment.Reason);
        Assert.Equal(1, deploy.Reverted);
        Assert.Empty(ran);
    }

    [Fact]
    public async Task RunAsync_AdvisorHaltsAfterAStageThatFailed_NothingIsRolledBackTwice()
    {
        var deploy = new RevertibleDeployStage(StageReport.Halted("the new release never got healthy"));
        var advisor = new ScriptedAdvisor("deploy-advisor", (_, _) => AdvisorVerdict.Halt("also bad"));
        var orchestrator = Orchestrator([advisor], deploy);

        var deployment = await orchestrator.RunAsync(Context(), null, CancellationToken.None);

        Assert.Equal("the new release never got healthy", deployment.Reason);
        Assert.Equal(0, deploy.Reverted);
    }

    [Fact]
    public async Task RunAsync_CancelledWhileAnAdvisorThinks_EndsCancelledBeforeTheNextStage()
    {
        using var cts = new CancellationTokenSource();
        var ran = new List<PipelineStage>();
        var advisor = new ScriptedAdvisor("slow", (_, _) =>
        {
            cts.Cancel();
            return AdvisorVerdict.None;
        }, delay: TimeSpan.FromHours(1));
        var orchestrator = Orchestrator([advisor], Stage(PipelineStage.Scan, ran), Stage(PipelineStage.Build, ran));

        var deployment = await orchestrator.RunAsync(Context(), null, cts.Token);

        Assert.Equal(DeploymentState.Cancelled, deployment.State);
        Assert.StartsWith("cancelled after Scan", deployment.Reason, StringComparison.Ordinal);
        Assert.Equal([PipelineStage.Scan], ran);
    }

    [Fact]
    public async Task RunAsync_Reports_AreKeptInTheContextInStageOrderForLaterStagesAndAdvisors()
    {
        var seenByBuild = new List<PipelineStage>();
        var advisor = new ScriptedAdvisor("reader", (_, context) => AdvisorVerdict.Note($"{context.Reports.Count} report(s) so far"));
        var orchestrator = Orchestrator(
            [advisor],
            Stage(PipelineStage.Scan, [], _ => Task.FromResult(StageReport.Passed("clean"))),
            new FakeStage(PipelineStage.Build, [], (context, _) =>
            {
                seenByBuild.AddRange(context.Reports.Keys);
                return Task.FromResult(StageReport.Passed("built"));
            }));
        var context = Context();

        await orchestrator.RunAsync(context, null, CancellationToken.None);

        Assert.Equal([PipelineStage.Scan], seenByBuild);
        Assert.Equal([PipelineStage.Scan, PipelineStage.Build], context.Reports.Keys);
        Assert.Equal(["clean", "built"], context.Reports.Values.Select(r => r.Summary));
        Assert.Equal(["1 report(s) so far", "2 report(s) so far"], context.Advice.Select(a => a.Verdict.Notes.Single()));
        Assert.Null(context.Report<ScanStageReport>());
    }

    [Fact]
    public async Task RunAsync_UnreadableAdvisorTimeout_FailsBeforeAnyStageNamingTheKey()
    {
        var ran = new List<PipelineStage>();
        var advisor = new ScriptedAdvisor("any", (_, _) => AdvisorVerdict.None);
        var orchestrator = Orchestrator([advisor], new PipelineOptions { AdvisorTimeout = "soon" }, Stage(PipelineStage.Scan, ran));

        var deployment = await orchestrator.RunAsync(Context(), null, CancellationToken.None);

        Assert.Equal((DeploymentState.Failed, PipelineStage.Scan), (deployment.State, deployment.FailedStage!.Value));
        Assert.StartsWith("pipeline.advisorTimeout: ", deployment.Reason, StringComparison.Ordinal);
        Assert.Empty(ran);
        Assert.Empty(advisor.Seen);
    }

    private PipelineOrchestrator Orchestrator(IPipelineAdvisor[] advisors, params IPipelineStage[] stages) => Orchestrator(advisors, new PipelineOptions(), stages);

    private PipelineOrchestrator Orchestrator(IPipelineAdvisor[] advisors, PipelineOptions options, params IPipelineStage[] stages) =>
        new(stages, advisors, new MaskingRedactor(), Options.Create(options), _time, new FakeConfigurationLocator());

    private PipelineContext Context() => new(new Deployment(Guid.NewGuid(), "shop", "production", StrategyKind.Rolling, "cli:test", _time.GetUtcNow()), "/tmp/app");

    private static FakeStage Stage(PipelineStage stage, List<PipelineStage> ran, Func<CancellationToken, Task<StageReport>>? run = null) =>
        new(stage, ran, (_, token) => run is null ? Task.FromResult(StageReport.Passed("ok")) : run(token));

    private sealed class FakeStage(PipelineStage stage, List<PipelineStage> ran, Func<PipelineContext, CancellationToken, Task<StageReport>> run) : IPipelineStage
    {
        public PipelineStage Stage => stage;

        public Task<StageReport> RunAsync(PipelineContext context, CancellationToken cancellationToken)
        {
            ran.Add(stage);
            return run(context, cancellationToken);
        }
    }

    /// <summary>A deploy that serves without a pending switch (as on Kubernetes), and can be rolled back.</summary>
    private sealed class RevertibleDeployStage(StageReport? report = null) : IPipelineStage, IRevertibleStage
    {
        public int Reverted { get; private set; }

        public PipelineStage Stage => PipelineStage.Deploy;

        public Task<StageReport> RunAsync(PipelineContext context, CancellationToken cancellationToken)
        {
            var failed = report is { Outcome: not StageOutcome.Passed };
            context.Outcome = new DeployOutcome(failed ? DeployStatus.Failed : DeployStatus.Succeeded, StrategyKind.Rolling, null, TimeSpan.FromSeconds(3));
            return Task.FromResult(report ?? StageReport.Passed("r2 serves all traffic on staging/shop"));
        }

        public Task<string> RevertAsync(PipelineContext context, CancellationToken cancellationToken)
        {
            Reverted++;
            return Task.FromResult("; rolled back to r1");
        }
    }

    /// <summary>Answers by script, after an optional delay on the fake clock; records what it was shown.</summary>
    private sealed class ScriptedAdvisor(string name, Func<PipelineStage, PipelineContext, AdvisorVerdict> answer, TimeSpan? delay = null, bool ignoreToken = false, TimeProvider? time = null) : IPipelineAdvisor
    {
        public List<(PipelineStage Stage, StageReport Report)> Seen { get; } = [];

        public string Name => name;

        public async Task<AdvisorVerdict> AdviseAsync(PipelineStage stage, StageReport report, PipelineContext context, CancellationToken cancellationToken)
        {
            Seen.Add((stage, report));
            var verdict = answer(stage, context);
            if (delay is { } wait)
            {
                await Task.Delay(wait, time ?? TimeProvider.System, ignoreToken ? CancellationToken.None : cancellationToken);
            }

            return verdict;
        }
    }

    private sealed class MaskingRedactor(params string[] secrets) : ITextRedactor
    {
        public string Redact(string text) => secrets.Aggregate(text, (t, s) => t.Replace(s, "***", StringComparison.Ordinal));
    }
}

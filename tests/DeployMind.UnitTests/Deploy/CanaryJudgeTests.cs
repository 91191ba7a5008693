using DeployMind.Application.Deploy;
using DeployMind.Application.Deploy.Analysis;
using DeployMind.Application.Deploy.Hosts;
using DeployMind.Domain.Deploy;

namespace DeployMind.UnitTests.Deploy;

public sealed class CanaryJudgeTests
{
    private static readonly CanaryStepResult TooFew =
        new(CanaryVerdict.InsufficientData, new UpstreamStats(3, 0, 40), new UpstreamStats(30, 0, 20), "only 3 canary requests (at least 50 needed to judge)");

    [Fact]
    public void RolledBack_InsufficientDataWithFail_NamesTheSettingsTheFiguresAndTheTrafficNeeded()
    {
        var policy = Policy(InsufficientDataAction.Fail);

        var message = CanaryJudge.RolledBack(TooFew, 10, policy);

        // 50 canary requests in 30 s at 10% of the traffic: 50 / 30 / 0.1 ≈ 16.7 requests/s in all.
        Assert.Contains("the canary saw 3 of the 50 requests canary.minRequests asks for in 30s at 10% (the app got 33 in all)", message, StringComparison.Ordinal);
        Assert.Contains("about 17 requests/s must reach the app for a step of 30s", message, StringComparison.Ordinal);
        Assert.Contains("or lower canary.minRequests, lengthen canary.stepDuration, or set canary.onInsufficientData: pass", message, StringComparison.Ordinal);
        Assert.Contains("canary.onInsufficientData is fail; the choices are extend, pass and fail", message, StringComparison.Ordinal);
        Assert.StartsWith("Canary insufficient data: ", message, StringComparison.Ordinal);
    }

    [Fact]
    public void RolledBack_InsufficientDataAfterExtensions_SaysHowOftenTheStepRan()
    {
        var message = CanaryJudge.RolledBack(TooFew, 10, Policy(InsufficientDataAction.Extend));

        Assert.Contains("canary.onInsufficientData is extend and the step ran 3 times (canary.maxExtensions: 2)", message, StringComparison.Ordinal);
    }

    [Fact]
    public void RolledBack_Unhealthy_KeepsTheFigures()
    {
        var unhealthy = TooFew with { Verdict = CanaryVerdict.Unhealthy, Reason = "error rate 30.0% is above the limit 5.0%" };

        Assert.Equal("Canary unhealthy at 10%: error rate 30.0% is above the limit 5.0%.", CanaryJudge.RolledBack(unhealthy, 10, Policy(InsufficientDataAction.Fail)));
    }

    [Theory]
    [InlineData(50, 30, 10, "about 17 requests/s")]
    [InlineData(20, 300, 10, "about 40 requests/min")] // the defaults: 20 in 5 min at 10%
    [InlineData(20, 60, 50, "about 40 requests/min")]
    [InlineData(100, 60, 50, "about 3.4 requests/s")] // 3.33…, rounded up: "about" must not promise too little
    public void TooLittleTraffic_NeededRate_IsCanaryRequestsOverTheStepOverTheShare(int minRequests, int stepSeconds, int percent, string expected)
    {
        var policy = new CanaryPolicy([percent, 100], TimeSpan.FromSeconds(stepSeconds), 0.05, minRequests, InsufficientDataAction.Extend);

        Assert.Contains(expected, CanaryJudge.TooLittleTraffic(TooFew, policy, percent), StringComparison.Ordinal);
    }

    [Fact]
    public async Task RunStepAsync_PassOnInsufficientData_AdvancesAndSaysWhatItSawWithoutSuggestingPass()
    {
        var steps = new List<string>();
        var observer = new Recorder(steps);

        var failed = await CanaryJudge.RunStepAsync(Policy(InsufficientDataAction.Pass), 10, [], observer, _ => Task.FromResult(TooFew), CancellationToken.None);

        Assert.Null(failed);
        var line = Assert.Single(steps);
        Assert.Contains("the canary saw 3 of the 50 requests", line, StringComparison.Ordinal);
        Assert.Contains("canary.onInsufficientData is pass", line, StringComparison.Ordinal);
        Assert.DoesNotContain("set canary.onInsufficientData: pass", line, StringComparison.Ordinal);
    }

    [Fact]
    public async Task RunStepAsync_ExtendOnInsufficientData_SaysWhichExtensionRunsAndWhy()
    {
        var steps = new List<string>();

        var judged = new List<CanaryStepResult>();
        var failed = await CanaryJudge.RunStepAsync(Policy(InsufficientDataAction.Extend), 10, judged, new Recorder(steps), _ => Task.FromResult(TooFew), CancellationToken.None);

        // The step's result as judged, tagged with its weight for the records (each judgement of the extended step).
        Assert.Equal(TooFew with { Percent = 10 }, failed);
        Assert.All(judged, s => Assert.Equal(10, s.Percent));
        Assert.Equal(2, steps.Count);
        Assert.Contains("about 17 requests/s must reach the app", steps[0], StringComparison.Ordinal);
        Assert.EndsWith("the step runs again (1 of canary.maxExtensions 2)", steps[0], StringComparison.Ordinal);
        Assert.EndsWith("the step runs again (2 of canary.maxExtensions 2)", steps[1], StringComparison.Ordinal);
    }

    private static CanaryPolicy Policy(InsufficientDataAction action) => new([10, 50, 100], TimeSpan.FromSeconds(30), 0.05, 50, action);

    private sealed class Recorder(List<string> steps) : IDeployObserver
    {
        public void Step(string host, string message) => steps.Add(message);

        public void Health(string host, HealthReport report)
        {
        }

        public void Progress(string host, string message)
        {
        }
    }
}

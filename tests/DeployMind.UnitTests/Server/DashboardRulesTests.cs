using DeployMind.Application.Deploy.Analysis;
using DeployMind.Application.Deploy.Hosts;
using DeployMind.Application.Records;
using DeployMind.Domain.Deploy;
using DeployMind.Server.Dashboard;

namespace DeployMind.UnitTests.Server;

/// <summary>The dashboard's small rules: where signing in may send someone, and what a canary step records.</summary>
public sealed class DashboardRulesTests
{
    [Theory]
    [InlineData("/", "/")]
    [InlineData("/deployments?state=failed", "/deployments?state=failed")]
    [InlineData("/deployments/3f2a1b9c", "/deployments/3f2a1b9c")]
    [InlineData("//evil.example.com/", "/")]
    [InlineData("/\\evil.example.com", "/")]
    [InlineData("https://evil.example.com/", "/")]
    [InlineData("/redirect?to=https://evil.example.com", "/")]
    [InlineData("deployments", "/")]
    [InlineData("", "/")]
    [InlineData(null, "/")]
    public void SigningIn_ReturnsOnlyToAPathOfThisSite(string? asked, string expected) => Assert.Equal(expected, DashboardSession.LocalPath(asked));

    [Fact]
    public void ACanaryStep_IsRecordedWithItsFiguresTheObservedShareAndTheLimitsItWasJudgedAgainst()
    {
        var policy = new CanaryPolicy([10, 50, 100], TimeSpan.FromMinutes(1), 0.05, 20, InsufficientDataAction.Extend, maxP95Milliseconds: 750)
        {
            MaxErrorRateIncrease = 0.02,
            MaxLatencyIncrease = 0.3,
        };
        var step = new CanaryStepResult(CanaryVerdict.SampleRatioMismatch, new UpstreamStats(30, 3, 41), new UpstreamStats(970, 9, 38), "split 3.0% of 1000 requests (expected 10%)")
        {
            Percent = 10,
            Decision = new CanaryDecision("split", null, null, null, null, null),
        };

        var recorded = RecordedCanaryStep.Of(step, policy);

        Assert.Equal(10, recorded.Percent);
        Assert.Equal(("sample_ratio_mismatch", "split"), (recorded.Verdict, recorded.Rule));
        Assert.Equal(0.03, recorded.ObservedShare!.Value, 6);
        Assert.Equal(new RecordedUpstream(30, 3, 41), recorded.Canary);
        Assert.Equal(0.1, recorded.Canary.ErrorRate, 6);
        Assert.Equal((0.05, 0.02, 750.0, 0.3), (recorded.MaxErrorRate, recorded.MaxErrorRateIncrease, recorded.MaxP95Milliseconds!.Value, recorded.MaxLatencyIncrease));
        Assert.Null(RecordedCanaryStep.Of(step with { Canary = UpstreamStats.Empty, Stable = UpstreamStats.Empty }, policy).ObservedShare);
    }
}

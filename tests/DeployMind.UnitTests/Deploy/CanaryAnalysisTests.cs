using DeployMind.Application.Deploy.Analysis;
using DeployMind.Application.Deploy.Hosts;
using DeployMind.Domain;
using DeployMind.Domain.Deploy;

namespace DeployMind.UnitTests.Deploy;

public sealed class CanaryAnalysisTests
{
    private const string Canary = "127.0.0.1:2";
    private const string Stable = "127.0.0.1:1";
    private static readonly CanaryPolicy Policy = new([10, 50, 100], TimeSpan.FromSeconds(5), 0.05, 20, InsufficientDataAction.Extend);

    [Theory]
    [InlineData(100, 0, CanaryVerdict.Healthy)]
    [InlineData(100, 5, CanaryVerdict.Healthy)] // exactly at the limit passes
    [InlineData(100, 6, CanaryVerdict.Unhealthy)]
    [InlineData(19, 0, CanaryVerdict.InsufficientData)]
    [InlineData(0, 0, CanaryVerdict.InsufficientData)]
    [InlineData(6, 5, CanaryVerdict.Unhealthy)] // errors beyond noise fail before the sample is complete
    [InlineData(10, 1, CanaryVerdict.InsufficientData)] // one error in ten could still be noise at 20 requests
    public void Judge_ErrorRates_GiveVerdict(int requests, int errors, CanaryVerdict expected)
    {
        var window = Window(new UpstreamStats(900, 3, 12), new UpstreamStats(requests, errors, 15));

        var result = CanaryAnalysis.Judge(window, Canary, Stable, Policy);

        Assert.Equal(expected, result.Verdict);
        Assert.Contains($"canary {errors}/{requests} 5xx", result.Reason, StringComparison.Ordinal);
        Assert.Contains("stable 3/900 5xx", result.Reason, StringComparison.Ordinal);
    }

    [Fact]
    public void Judge_SlowCanary_FailsOnP95WhenConfigured()
    {
        var policy = new CanaryPolicy([10, 100], TimeSpan.FromSeconds(5), 0.05, 20, InsufficientDataAction.Fail, maxP95Milliseconds: 250);

        var result = CanaryAnalysis.Judge(Window(new UpstreamStats(900, 0, 20), new UpstreamStats(100, 0, 900)), Canary, Stable, policy);

        Assert.Equal(CanaryVerdict.Unhealthy, result.Verdict);
        Assert.Contains("p95 latency 900 ms is above the limit 250 ms", result.Reason, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(new[] { 10, 50 }, "end at 100")]
    [InlineData(new[] { 50, 10, 100 }, "rise")]
    [InlineData(new[] { 0, 100 }, "rise from 1")]
    public void CanaryPolicy_BadSteps_NamesTheKey(int[] steps, string expected)
    {
        var ex = Assert.Throws<InvalidInputException>(() => new CanaryPolicy(steps, TimeSpan.FromMinutes(1), 0.05, 20, InsufficientDataAction.Extend));

        Assert.Contains("canary.steps", ex.Message, StringComparison.Ordinal);
        Assert.Contains(expected, ex.Message, StringComparison.Ordinal);
    }

    private static TrafficWindow Window(UpstreamStats stable, UpstreamStats canary) =>
        new(DateTimeOffset.UnixEpoch, DateTimeOffset.UnixEpoch.AddMinutes(1), new Dictionary<string, UpstreamStats> { [Stable] = stable, [Canary] = canary });
}

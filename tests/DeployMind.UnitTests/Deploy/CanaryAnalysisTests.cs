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
    [InlineData(100, 0, CanaryVerdict.InsufficientData)] // within the limits, but 100 requests cannot show it is within 1 point of the stable
    [InlineData(100, 5, CanaryVerdict.InsufficientData)] // exactly at the absolute limit is not beyond it
    [InlineData(100, 6, CanaryVerdict.InsufficientData)] // 6% against a 5% limit is noise at 100 requests (guard Λ 0.026)
    [InlineData(100, 15, CanaryVerdict.Unhealthy)] // 15% is not (Λ 110.7 ≥ 100)
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
    public void Judge_CanaryAtFourPointNineWhileStableAtPointOne_IsUnhealthyByTheComparison()
    {
        // Under the absolute limit of 5%, but 4.8 points worse than the stable in the same window.
        var result = CanaryAnalysis.Judge(Window(new UpstreamStats(9000, 9, 12), new UpstreamStats(1000, 49, 15)), Canary, Stable, Policy, 0.1);

        Assert.Equal(CanaryVerdict.Unhealthy, result.Verdict);
        Assert.Equal("canary.maxErrorRateIncrease", result.Decision!.Rule);
        Assert.Equal(SequentialTestOutcome.Worse, result.Decision.Errors!.Outcome);
        Assert.Contains("worse than the stable's 0.1% by more than canary.maxErrorRateIncrease", result.Reason, StringComparison.Ordinal);
        Assert.Contains("5xx increase +4.80 pts", result.Reason, StringComparison.Ordinal);
    }

    [Fact]
    public void Judge_StableFailingSixPercentAndAnEqualCanary_IsHealthyOnceTheWindowIsLargeEnough()
    {
        var policy = new CanaryPolicy([10, 100], TimeSpan.FromMinutes(5), 0.2, 20, InsufficientDataAction.Extend);

        var result = CanaryAnalysis.Judge(Window(new UpstreamStats(180_000, 10_800, 12), new UpstreamStats(20_000, 1_200, 15)), Canary, Stable, policy, 0.1);

        Assert.Equal(CanaryVerdict.Healthy, result.Verdict);
        Assert.Equal(SequentialTestOutcome.WithinTolerance, result.Decision!.Errors!.Outcome);
        Assert.True(result.Decision.Errors.Upper <= 0.01, result.Reason);
        Assert.Contains("no response times to compare", result.Reason, StringComparison.Ordinal);
    }

    [Fact]
    public void Judge_Undecided_SaysHowManyMoreRequestsAndWhen()
    {
        // 100 canary requests in the minute so far: 100/60 per second.
        var result = CanaryAnalysis.Judge(Window(new UpstreamStats(900, 3, 12), new UpstreamStats(100, 0, 15)), Canary, Stable, Policy, 0.1);

        Assert.Equal(CanaryVerdict.InsufficientData, result.Verdict);
        var needed = Assert.IsType<int>(result.Decision!.CanaryRequestsNeeded);
        Assert.True(needed > 0);
        Assert.Equal(needed / (100 / 60.0), result.Decision.Eta!.Value.TotalSeconds, 3);
        Assert.Contains($"need {needed} more canary requests, about ", result.Reason, StringComparison.Ordinal);

        // At that many more requests with the same rates the comparison decides.
        var scale = (100.0 + needed) / 100;
        var later = ErrorRateComparison.Compare((int)(100 * scale), 0, (int)(900 * scale), (int)Math.Round(3 * scale), 0.01, 0.01);
        Assert.Equal(SequentialTestOutcome.WithinTolerance, later.Outcome);
    }

    [Fact]
    public void Judge_SplitFarFromTheWeight_IsASampleRatioMismatch()
    {
        var result = CanaryAnalysis.Judge(Window(new UpstreamStats(1900, 0, 12), new UpstreamStats(100, 0, 15)), Canary, Stable, Policy, 0.1);

        Assert.Equal(CanaryVerdict.SampleRatioMismatch, result.Verdict);
        Assert.Equal("split", result.Decision!.Rule);
        Assert.True(result.Decision.Split!.Mismatch);
        Assert.Contains("the canary got 5.0% of the requests, not the 10% it was given", result.Reason, StringComparison.Ordinal);
        Assert.Equal(CanaryStepAction.RollBack, CanaryJudge.Next(result, Policy with { }, 0));
        Assert.StartsWith("Canary sample ratio mismatch at 10%: ", CanaryJudge.RolledBack(result, 10, Policy), StringComparison.Ordinal);
    }

    [Fact]
    public void Judge_SplitNotCheckable_SaysSoInTheFiguresAndTheDecision()
    {
        // The same lopsided counts as a mismatch above, from a router that splits by connection: not a verdict, but said.
        var result = CanaryAnalysis.Judge(Window(new UpstreamStats(1900, 0, 12), new UpstreamStats(100, 0, 15)), Canary, Stable, Policy, splitNotChecked: "balances connections");

        Assert.NotEqual(CanaryVerdict.SampleRatioMismatch, result.Verdict);
        Assert.Null(result.Decision!.Split);
        Assert.Equal("balances connections", result.Decision.SplitNotChecked);
        Assert.Contains("split not checked: balances connections", result.Reason, StringComparison.Ordinal);

        // Where the split is checked, nothing says it was not.
        var checkedSplit = CanaryAnalysis.Judge(Window(new UpstreamStats(900, 0, 12), new UpstreamStats(100, 0, 15)), Canary, Stable, Policy, 0.1, "unused");
        Assert.NotNull(checkedSplit.Decision!.Split);
        Assert.Null(checkedSplit.Decision.SplitNotChecked);
        Assert.DoesNotContain("split not checked", checkedSplit.Reason, StringComparison.Ordinal);
    }

    [Fact]
    public void Judge_CanaryHalfAgainAsSlow_IsUnhealthyByTheLatencyComparison()
    {
        var random = new Random(11);
        LatencyHistogram Sample(int n, double median) =>
            LatencyHistogram.Of(Enumerable.Range(0, n).Select(_ => median * Math.Exp(0.3 * Math.Sqrt(-2 * Math.Log(1 - random.NextDouble())) * Math.Cos(2 * Math.PI * random.NextDouble()))));
        var stable = new UpstreamStats(18_000, 0, 160) { Latencies = Sample(18_000, 100) };
        var canary = new UpstreamStats(2_000, 0, 240) { Latencies = Sample(2_000, 150) };

        var result = CanaryAnalysis.Judge(Window(stable, canary), Canary, Stable, Policy, 0.1);

        Assert.Equal(CanaryVerdict.Unhealthy, result.Verdict);
        Assert.Equal("canary.maxLatencyIncrease", result.Decision!.Rule);
        Assert.Equal(SequentialTestOutcome.WithinTolerance, result.Decision.Errors!.Outcome);
        Assert.Equal(SequentialTestOutcome.Worse, result.Decision.Latency!.Outcome);
        Assert.Contains("slower than the stable's by more than canary.maxLatencyIncrease (20%)", result.Reason, StringComparison.Ordinal);
    }

    [Fact]
    public void Judge_Result_SerializesItsFiguresForTheRecords()
    {
        var stable = new UpstreamStats(900, 3, 12) { Latencies = LatencyHistogram.Of([10, 12, 14]) };
        var canary = new UpstreamStats(100, 0, 15) { Latencies = LatencyHistogram.Of([11, 13]) };

        var json = System.Text.Json.JsonSerializer.Serialize(CanaryAnalysis.Judge(Window(stable, canary), Canary, Stable, Policy, 0.1));

        Assert.Contains("\"Decision\":{\"Rule\":\"comparison\",\"Errors\":{\"CanaryRequests\":100,\"CanaryErrors\":0,\"StableRequests\":900,\"StableErrors\":3,", json, StringComparison.Ordinal);
        Assert.Contains("\"Latency\":{\"CanaryP95\":", json, StringComparison.Ordinal);
        Assert.Contains("\"Split\":{\"CanaryRequests\":100,\"StableRequests\":900,\"ExpectedShare\":0.1,\"ObservedShare\":0.1,", json, StringComparison.Ordinal);
        Assert.Contains("\"CanaryRequestsNeeded\":", json, StringComparison.Ordinal);
        Assert.DoesNotContain("Latencies", json, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("maxErrorRateIncrease", 0.0)]
    [InlineData("maxLatencyIncrease", -1.0)]
    [InlineData("confidence", 1.0)]
    public void CanaryOptions_BadTolerance_NamesTheKey(string key, double value)
    {
        var options = new DeployMind.Application.Configuration.CanaryOptions();
        switch (key)
        {
            case "maxErrorRateIncrease": options.MaxErrorRateIncrease = value; break;
            case "maxLatencyIncrease": options.MaxLatencyIncrease = value; break;
            default: options.Confidence = value; break;
        }

        var ex = Assert.Throws<InvalidInputException>(() => options.ToPolicy("environments.production.canary"));

        Assert.StartsWith($"environments.production.canary.{key} ", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void CanaryOptions_Tolerances_ReachThePolicy()
    {
        var policy = new DeployMind.Application.Configuration.CanaryOptions { MaxErrorRateIncrease = 0.02, MaxLatencyIncrease = 0.5, Confidence = 0.95 }.ToPolicy("canary");

        Assert.Equal((0.02, 0.5, 0.95), (policy.MaxErrorRateIncrease, policy.MaxLatencyIncrease, policy.Confidence));
        Assert.Equal((0.01, 0.2, 0.99), (CanaryPolicy.Default.MaxErrorRateIncrease, CanaryPolicy.Default.MaxLatencyIncrease, CanaryPolicy.Default.Confidence));
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

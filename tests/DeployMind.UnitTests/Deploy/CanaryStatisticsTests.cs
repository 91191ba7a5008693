using DeployMind.Application.Deploy.Analysis;

namespace DeployMind.UnitTests.Deploy;

/// <summary>The judge's statistics against published figures and reference computations written out here.</summary>
public sealed class CanaryStatisticsTests
{
    [Theory]
    [InlineData(1.959963985, 0.975)]
    [InlineData(-3.0, 0.0013498980)] // tables: Φ(−3) = 0.0013499
    [InlineData(0.0, 0.5)]
    [InlineData(2.326347874, 0.99)]
    public void Cdf_KnownQuantiles_MatchTables(double z, double expected) =>
        Assert.Equal(expected, StandardNormal.Cdf(z), 6);

    [Theory]
    [InlineData(3.841458821, 0.05)] // χ²₁ critical values
    [InlineData(6.634896601, 0.01)]
    [InlineData(10.82756617, 0.001)]
    public void ChiSquare1Tail_CriticalValues_GiveTheirLevel(double x, double p) =>
        Assert.Equal(p, StandardNormal.ChiSquare1Tail(x), 1e-3 * p);

    [Fact]
    public void Radius_Reference_MatchesTheClosedForm()
    {
        // v = 1e-4, τ = 0.01, α = 0.05: r² = v(v+τ²)/τ² · (2 ln 20 + ln 2) = 2e-4 · 6.684607 = 1.336921e-3 → r = 0.0365639.
        Assert.Equal(0.0365639487, AlwaysValid.Radius(1e-4, 0.01, 0.05), 9);
    }

    [Fact]
    public void LogLikelihoodRatio_Reference_MatchesTheClosedForm()
    {
        // ½ ln(v/(v+τ²)) + τ²(θ̂−θ₀)²/(2v(v+τ²)) = ½ ln ½ + 1e-4·9e-4/(2·1e-4·2e-4) = −0.346574 + 2.25.
        Assert.Equal(1.9034264097, AlwaysValid.LogLikelihoodRatio(0.03, 0, 1e-4, 0.01), 9);
    }

    [Theory]
    [InlineData(0.05, 1e-4)]
    [InlineData(0.01, 3e-6)]
    public void Radius_Boundary_IsWhereTheStatisticReachesOneOverAlpha(double alpha, double variance)
    {
        // The confidence sequence is the inversion of the test: at θ₀ = θ̂ ± r, Λ(θ₀) is exactly 1/α.
        var r = AlwaysValid.Radius(variance, 0.01, alpha);

        Assert.Equal(Math.Log(1 / alpha), AlwaysValid.LogLikelihoodRatio(0.02 + r, 0.02, variance, 0.01), 9);
        Assert.True(AlwaysValid.LogLikelihoodRatio(0.02 + (r * 0.99), 0.02, variance, 0.01) < Math.Log(1 / alpha));
    }

    [Fact]
    public void ScaleToDecide_UndecidedInterval_IsTheSampleAtWhichTheIntervalLeavesTheTolerance()
    {
        var k = AlwaysValid.ScaleToDecide(0.005, 0.01, 1e-4, 0.01, 0.01)!.Value;

        Assert.True(k > 1);
        Assert.Equal(0.005, AlwaysValid.Radius(1e-4 / k, 0.01, 0.01), 6);
        Assert.Null(AlwaysValid.ScaleToDecide(0.01, 0.01, 1e-4, 0.01, 0.01));
    }

    [Fact]
    public void ErrorRateComparison_Reference_GivesTheFiguresAndDecision()
    {
        // Canary 100/1000 (10%), stable 500/10000 (5%), tolerance 1 point, α = 0.01. Written out:
        // θ̂ = 0.05; p̃c = 100.5/1001, p̃s = 500.5/10001; v = p̃c(1−p̃c)/1000 + p̃s(1−p̃s)/10000 = 9.507357e-5;
        // r = √(v(v+τ²)/τ² · (2 ln 100 + ln((v+τ²)/v))) = 0.0429125 → interval [0.0070875, 0.0929125]: it holds the
        // tolerance 0.01, so undecided; Λ(0.01) = 52.15 < 100.
        var c = ErrorRateComparison.Compare(1000, 100, 10000, 500, 0.01, 0.01);

        Assert.Equal(0.05, c.Difference, 12);
        Assert.Equal(0.0070875492, c.Lower, 8);
        Assert.Equal(0.0929124508, c.Upper, 8);
        Assert.Equal(52.1516851655, c.Statistic, 6);
        Assert.Equal(100, c.Threshold, 9);
        Assert.Equal(SequentialTestOutcome.Undecided, c.Outcome);
        Assert.NotNull(c.ScaleToDecide);
        Assert.InRange(c.ScaleToDecide!.Value, 1.0001, 3);
    }

    [Fact]
    public void ErrorRateComparison_ClearCases_DecideBothWays()
    {
        Assert.Equal(SequentialTestOutcome.Worse, ErrorRateComparison.Compare(4000, 400, 36000, 1800, 0.01, 0.01).Outcome); // 10% vs 5%
        Assert.Equal(SequentialTestOutcome.WithinTolerance, ErrorRateComparison.Compare(20000, 1000, 180000, 9000, 0.01, 0.01).Outcome); // 5% vs 5%
        Assert.Equal(SequentialTestOutcome.Undecided, ErrorRateComparison.Compare(100, 5, 900, 45, 0.01, 0.01).Outcome);
    }

    [Fact]
    public void ErrorRateComparison_NoCanaryErrorsInASmallSample_IsNotWithinToleranceYet()
    {
        // 0 of 180 happens 6.7% of the time to a canary failing 1.5% (e^−2.7): not evidence that it is within 1 point of
        // a stable at 0.5%. The canary's variance is taken at the tolerance (q = p̃s + δ), not at its own empty count.
        var c = ErrorRateComparison.Compare(180, 0, 1620, 8, 0.01, 0.01);

        Assert.Equal(SequentialTestOutcome.Undecided, c.Outcome);
        Assert.True(c.Upper > 0.01);
    }

    [Theory]
    // Λ = (1/20) Σ_j (q_j/p₀)^x ((1−q_j)/(1−p₀))^(n−x), q_j = p₀ + (1−p₀)·j/21, written out for p₀ = 0.05:
    [InlineData(6, 5, 88008.98727)] // 5 errors in 6 requests: beyond the limit from the start
    [InlineData(10, 1, 0.25940639)]
    [InlineData(100, 6, 0.02642072)]
    [InlineData(100, 15, 110.676785)]
    public void ErrorRateGuard_Reference_MatchesTheMixture(int requests, int errors, double expected) =>
        Assert.Equal(expected, ErrorRateGuard.Statistic(requests, errors, 0.05), expected * 1e-6);

    [Fact]
    public void ErrorRateGuard_CanaryAtTheLimit_RarelyTripsHoweverOftenItLooks()
    {
        // Ville's inequality in practice: 2,000 canaries failing exactly 5%, each looked at after every request up to
        // 2,000 requests; the guard at α = 0.01 may trip in at most 1% of them (plus sampling noise).
        var random = new Random(3);
        var tripped = 0;
        for (var run = 0; run < 2000; run++)
        {
            var errors = 0;
            for (var n = 1; n <= 2000; n++)
            {
                errors += random.NextDouble() < 0.05 ? 1 : 0;
                if (n % 10 == 0 && ErrorRateGuard.Breached(n, errors, 0.05, 0.01))
                {
                    tripped++;
                    break;
                }
            }
        }

        Assert.InRange(tripped, 0, 30);
    }

    [Fact]
    public void MannWhitney_SmallSample_MatchesTheHandCount()
    {
        // canary {1, 2, 3} ms, stable {2, 4} ms: pairs where the canary is slower: (3>2) = 1, ties (2=2) = ½ → U = 1.5.
        // One tie group of size 2 in the pooled sample: Σ(t³ − t) = 6.
        var (u, ties) = LatencyComparison.MannWhitney(LatencyHistogram.Of([1, 2, 3]), LatencyHistogram.Of([2, 4]), shift: 0);

        Assert.Equal(1.5, u);
        Assert.Equal(6, ties);
    }

    [Fact]
    public void MannWhitney_Shift_ScalesTheCanaryDownByWholeBins()
    {
        // 119 ms moved down 9 bins of 2% (×1/1.195 ≈ 99.6 ms) lands in the bin of 100 ms: a tie with the stable's 100 ms.
        Assert.Equal(9, LatencyHistogram.Shift(1.2));
        var (u, _) = LatencyComparison.MannWhitney(LatencyHistogram.Of([119]), LatencyHistogram.Of([100]), LatencyHistogram.Shift(1.2));

        Assert.Equal(0.5, u);
    }

    [Fact]
    public void LatencyComparison_TieCorrectedZ_MatchesTheReference()
    {
        // canary {1,2,3}, stable {2,4}: U = 1.5, mean n₁n₂/2 = 3, var U = n₁n₂/12 · ((N+1) − Σ(t³−t)/(N(N−1)))
        // = 6/12 · (6 − 6/20) = 2.85 → z = (1.5 − 3)/√2.85 = −0.888523.
        var c = LatencyComparison.Compare(LatencyHistogram.Of([1, 2, 3]), LatencyHistogram.Of([2, 4]), 0.0001, 0.01);

        Assert.Equal(-0.888523, c.Z, 5);
        Assert.Equal(0.25, c.Estimate, 12);
        Assert.Equal(SequentialTestOutcome.Undecided, c.Outcome);
    }

    [Fact]
    public void LatencyComparison_HalfAgainAsSlow_IsWorseThanTwentyPercentAndEqualIsWithin()
    {
        var random = new Random(7);
        double LogNormal(double median) => median * Math.Exp(0.4 * Normal(random));
        var stable = LatencyHistogram.Of(Enumerable.Range(0, 9000).Select(_ => LogNormal(100)));
        var slow = LatencyHistogram.Of(Enumerable.Range(0, 1000).Select(_ => LogNormal(150)));
        var same = LatencyHistogram.Of(Enumerable.Range(0, 1000).Select(_ => LogNormal(100)));

        var worse = LatencyComparison.Compare(slow, stable, 0.2, 0.01);
        var within = LatencyComparison.Compare(same, stable, 0.2, 0.01);

        Assert.Equal(SequentialTestOutcome.Worse, worse.Outcome);
        Assert.InRange(worse.CanaryP95 / worse.StableP95, 1.35, 1.65);
        Assert.Equal(SequentialTestOutcome.WithinTolerance, within.Outcome);
    }

    [Fact]
    public void SampleRatioCheck_PublishedExample_IsAMismatch()
    {
        // Kohavi, Tang, Xu, Trustworthy Online Controlled Experiments (2020), ch. 3: 821,588 vs 815,482 users in a
        // 50/50 experiment, "the p-value is 1.8E-6". χ² = (821588 − 818535)² / (1637070 · ¼) = 22.774.
        // Always-valid threshold: v = ¼/1637070, (v+τ²)/τ² · (2 ln 1000 + ln((v+τ²)/v)) = 20.332 at τ = 0.01.
        var check = SampleRatioCheck.Check(821588, 815482, 0.5);

        Assert.Equal(22.774369, check.ChiSquare, 5);
        Assert.Equal(1.8e-6, check.PValue, 1e-7);
        Assert.Equal(20.332412, check.Threshold, 5);
        Assert.True(check.Mismatch);
    }

    [Theory]
    [InlineData(100, 900, false)] // exactly 10%
    [InlineData(70, 930, false)] // χ² 10.0: suspicious at one look, not beyond the always-valid threshold (27.67)
    [InlineData(50, 950, true)] // χ² 27.78 ≥ 27.67
    public void SampleRatioCheck_TenPercentSplit_DecidesByTheAlwaysValidThreshold(int canary, int stable, bool mismatch) =>
        Assert.Equal(mismatch, SampleRatioCheck.Check(canary, stable, 0.1).Mismatch);

    [Fact]
    public void LatencyHistogram_Percentile_IsWithinABinOfTheNearestRank()
    {
        var values = Enumerable.Range(1, 1000).Select(i => (double)i).ToList();
        var h = LatencyHistogram.Of(values);

        Assert.Equal(1000, h.Count);
        Assert.InRange(h.Percentile(95), 950 / 1.02, 950 * 1.02);
    }

    private static double Normal(Random random) =>
        Math.Sqrt(-2 * Math.Log(1 - random.NextDouble())) * Math.Cos(2 * Math.PI * random.NextDouble());
}

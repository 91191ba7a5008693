using System.Globalization;

namespace DeployMind.Application.Deploy.Analysis;

/// <summary>
/// The canary's response times against the stable's in the same window: a Mann–Whitney rank comparison of the canary's
/// times divided by (1 + λ), λ = <c>canary.maxLatencyIncrease</c>, with the stable's, judged sequentially.
/// <para>
/// θ = P(X_c/(1+λ) &gt; X_s) − ½ (ties count a half), estimated by θ̂ = U/(n_c n_s) − ½ where U is the Mann–Whitney
/// statistic of the scaled canary sample over the stable one (H. B. Mann, D. R. Whitney, Ann. Math. Statist. 18, 1947).
/// θ ≤ 0 means the canary is no slower than the stable slowed by λ, all through the distribution (p50, p95 and p99
/// alike for a slow-down that scales every request). Under θ = 0 the estimate has variance
/// v = ((N + 1) − Σ(t³ − t)/(N(N − 1))) / (12 n_c n_s), N = n_c + n_s, t the size of each group of ties (the classical
/// tie-corrected variance of U divided by (n_c n_s)²), and is asymptotically normal, so the always-valid interval of
/// <see cref="AlwaysValid"/> applies with τ = 0.1: <see cref="SequentialTestOutcome.Worse"/> when θ̂ − r &gt; 0,
/// <see cref="SequentialTestOutcome.WithinTolerance"/> when θ̂ + r ≤ 0. Times are compared in the 2% bins of
/// <see cref="LatencyHistogram"/>; the scaling is the nearest whole number of bins.
/// </para>
/// </summary>
/// <param name="CanaryP95">The canary's p95 (from the histogram), ms.</param>
/// <param name="StableP95">The stable's p95 (from the histogram), ms.</param>
/// <param name="Tolerance">λ.</param>
/// <param name="Estimate">θ̂ + ½: the share of (canary, stable) pairs in which the scaled canary request was slower.</param>
/// <param name="Lower">θ̂ − r + ½ (at least 0).</param>
/// <param name="Upper">θ̂ + r + ½ (at most 1).</param>
/// <param name="Z">The Mann–Whitney z of the scaled comparison (fixed-horizon; shown, not decided on).</param>
/// <param name="Statistic">Λ(0).</param>
/// <param name="Threshold">1/α.</param>
/// <param name="Outcome">The decision.</param>
/// <param name="ScaleToDecide">How many times the present sample the test needs at the present figures (1: decided; null: not at these figures).</param>
public sealed record LatencyComparison(
    double CanaryP95,
    double StableP95,
    double Tolerance,
    double Estimate,
    double Lower,
    double Upper,
    double Z,
    double Statistic,
    double Threshold,
    SequentialTestOutcome Outcome,
    double? ScaleToDecide)
{
    /// <summary>The mixture scale for θ (a tenth of all pairs changing order).</summary>
    public const double Tau = 0.1;

    /// <summary>Compares the histograms; both need values.</summary>
    public static LatencyComparison Compare(LatencyHistogram canary, LatencyHistogram stable, double tolerance, double alpha)
    {
        ArgumentNullException.ThrowIfNull(canary);
        ArgumentNullException.ThrowIfNull(stable);
        if (canary.Count < 1 || stable.Count < 1)
        {
            throw new ArgumentOutOfRangeException(nameof(canary), "Both sides need response times to be compared.");
        }

        var (u, ties) = MannWhitney(canary, stable, LatencyHistogram.Shift(1 + tolerance));
        double nc = canary.Count, ns = stable.Count, n = nc + ns;
        var estimate = (u / (nc * ns)) - 0.5;
        var variance = ((n + 1) - (ties / (n * (n - 1)))) / (12 * nc * ns);
        if (!(variance > 0))
        {
            // Every request in one bin on both sides: no spread to test; treat it as one request's worth of uncertainty.
            variance = 1 / (12 * nc * ns);
        }

        var radius = AlwaysValid.Radius(variance, Tau, alpha);
        var outcome = estimate - radius > 0 ? SequentialTestOutcome.Worse : estimate + radius <= 0 ? SequentialTestOutcome.WithinTolerance : SequentialTestOutcome.Undecided;
        var statistic = Math.Exp(Math.Min(700, AlwaysValid.LogLikelihoodRatio(estimate, 0, variance, Tau)));
        var scale = outcome == SequentialTestOutcome.Undecided ? AlwaysValid.ScaleToDecide(estimate, 0, variance, Tau, alpha) : 1;
        return new(canary.Percentile(95), stable.Percentile(95), tolerance, estimate + 0.5, Math.Max(0, estimate - radius + 0.5), Math.Min(1, estimate + radius + 0.5), estimate / Math.Sqrt(variance), statistic, 1 / alpha, outcome, scale);
    }

    /// <summary>
    /// U of the canary (each value moved <paramref name="shift"/> bins down) over the stable: Σ over canary values of the
    /// stable values below it plus half those tied with it; and Σ(t³ − t) over the tie groups of the pooled sample.
    /// </summary>
    public static (double U, double Ties) MannWhitney(LatencyHistogram canary, LatencyHistogram stable, int shift)
    {
        ArgumentNullException.ThrowIfNull(canary);
        ArgumentNullException.ThrowIfNull(stable);
        ArgumentOutOfRangeException.ThrowIfNegative(shift);
        double u = 0, ties = 0, stableBelow = 0;
        var first = -shift;
        var last = LatencyHistogram.Bins - 1;
        for (var bin = first; bin <= last; bin++)
        {
            double s = bin >= 0 ? stable[bin] : 0;
            var source = bin + shift;
            double c = source is >= 0 and < LatencyHistogram.Bins ? canary[source] : 0;
            // Canary values shifted below bin 0 still compare as below everything in bin 0 (bin indices may be negative here).
            u += c * (stableBelow + (s / 2));
            var t = c + s;
            ties += (t * t * t) - t;
            stableBelow += s;
        }

        return (u, ties);
    }

    /// <summary>"latency: p95 212 vs 140 ms; P(canary/1.2 slower) 0.61 [0.55, 0.67] (z 3.1, Λ 250 of 100): worse than tolerated".</summary>
    public string Describe() => string.Create(
        CultureInfo.InvariantCulture,
        $"latency p95 {CanaryP95:0} vs {StableP95:0} ms; share of pairs where the canary ÷ {1 + Tolerance:0.##} is slower {Estimate:0.000} [{Lower:0.000}, {Upper:0.000}] vs 0.5 (z {Z:0.0}, Λ {AlwaysValid.Format(Statistic)} of {Threshold:0}): {ErrorRateComparison.Word(Outcome)}");
}

using System.Globalization;

namespace DeployMind.Application.Deploy.Analysis;

/// <summary>
/// Whether the split the router achieved matches the weight it was given (a sample ratio mismatch: sticky clients, an
/// upstream nginx skips because it fails connections, a route that did not apply). Pearson's chi-square with one degree
/// of freedom on the two cells, χ² = (n_c − N w)² / (N w (1 − w)), is the square of the z of the canary's share
/// ŝ = n_c/N against w with variance v = w(1 − w)/N; the mismatch is decided on that share by the always-valid interval
/// of <see cref="AlwaysValid"/> (τ = 0.01, α = <see cref="Alpha"/>), i.e. χ² ≥ (v + τ²)/τ² · (2 ln(1/α) + ln((v + τ²)/v)),
/// so that looking at a growing window every few seconds does not turn noise into a mismatch. Kohavi et al. recommend
/// a strict threshold for this check (R. Kohavi, D. Tang, Y. Xu, Trustworthy Online Controlled Experiments, 2020, ch. 21);
/// nginx's smooth weighted round robin splits even more evenly than chance, so a real mismatch stands out quickly.
/// </summary>
/// <param name="CanaryRequests">n_c.</param>
/// <param name="StableRequests">n_s.</param>
/// <param name="ExpectedShare">w.</param>
/// <param name="ObservedShare">ŝ.</param>
/// <param name="ChiSquare">χ².</param>
/// <param name="PValue">The fixed-horizon p-value of χ² (shown, not decided on).</param>
/// <param name="Threshold">The always-valid χ² threshold at this sample size.</param>
/// <param name="Mismatch">χ² at or above the threshold.</param>
public sealed record SampleRatioCheck(int CanaryRequests, int StableRequests, double ExpectedShare, double ObservedShare, double ChiSquare, double PValue, double Threshold, bool Mismatch)
{
    /// <summary>The error rate of the mismatch verdict.</summary>
    public const double Alpha = 0.001;

    /// <summary>The mixture scale for the share (one point).</summary>
    public const double Tau = 0.01;

    /// <summary>Checks the counts against <paramref name="expectedShare"/> (strictly between 0 and 1).</summary>
    public static SampleRatioCheck Check(int canaryRequests, int stableRequests, double expectedShare)
    {
        if (expectedShare is <= 0 or >= 1)
        {
            throw new ArgumentOutOfRangeException(nameof(expectedShare), expectedShare, "A split is strictly between 0 and 1.");
        }

        var total = canaryRequests + stableRequests;
        if (total == 0)
        {
            return new(0, 0, expectedShare, 0, 0, 1, double.MaxValue, false);
        }

        var observed = (double)canaryRequests / total;
        var variance = expectedShare * (1 - expectedShare) / total;
        var chiSquare = (observed - expectedShare) * (observed - expectedShare) / variance;
        var t2 = Tau * Tau;
        var threshold = (variance + t2) / t2 * ((2 * Math.Log(1 / Alpha)) + Math.Log((variance + t2) / variance));
        return new(canaryRequests, stableRequests, expectedShare, observed, chiSquare, StandardNormal.ChiSquare1Tail(chiSquare), threshold, chiSquare >= threshold);
    }

    /// <summary>"split 9.8% canary of 1,000 (expected 10%; χ² 0.04, p 0.84, threshold 19.3): matches".</summary>
    public string Describe() => string.Create(
        CultureInfo.InvariantCulture,
        $"split {ObservedShare * 100:0.0}% canary of {CanaryRequests + StableRequests} requests (expected {ExpectedShare * 100:0.#}%; χ² {ChiSquare:0.##}, p {PValue:0.####}, threshold {Threshold:0.#}): {(Mismatch ? "MISMATCH" : "matches")}");
}

using System.Globalization;

namespace DeployMind.Application.Deploy.Analysis;

/// <summary>
/// The canary's 5xx rate against the stable's in the same window, by the always-valid test of <see cref="AlwaysValid"/>
/// on the difference of two proportions.
/// <para>
/// θ = p_canary − p_stable, estimated by θ̂ = x_c/n_c − x_s/n_s with variance v = max(p̃_c(1−p̃_c), q(1−q))/n_c +
/// p̃_s(1−p̃_s)/n_s, q = p̃_s + δ (the two-stream normal approximation of Johari et al. §5, with the canary's variance at
/// least its variance on the tolerance — see <see cref="Variance"/>; p̃ = (x + ½)/(n + 1) so that a window with no
/// errors yet still has a variance). With δ = <c>canary.maxErrorRateIncrease</c> and α = 1 − <c>canary.confidence</c>:
/// the canary is <see cref="SequentialTestOutcome.Worse"/> when the interval θ̂ ± r lies above δ,
/// <see cref="SequentialTestOutcome.WithinTolerance"/> when it lies at or below δ, and undecided while it holds δ.
/// Equivalently, the test statistic Λ(δ) reaches 1/α and θ̂ says on which side. τ = δ (the test is tuned for effects the
/// size of the tolerance).
/// </para>
/// </summary>
/// <param name="CanaryRequests">n_c.</param>
/// <param name="CanaryErrors">x_c.</param>
/// <param name="StableRequests">n_s.</param>
/// <param name="StableErrors">x_s.</param>
/// <param name="Difference">θ̂, as a fraction (0.01 is one percentage point).</param>
/// <param name="Lower">θ̂ − r (at least −1).</param>
/// <param name="Upper">θ̂ + r (at most 1).</param>
/// <param name="Tolerance">δ.</param>
/// <param name="Statistic">Λ(δ), the mixture likelihood ratio against "the increase is exactly the tolerance".</param>
/// <param name="Threshold">1/α: Λ at or above it decides.</param>
/// <param name="Outcome">The decision.</param>
/// <param name="ScaleToDecide">How many times the present sample the test needs at the present rates (1: decided; null: not at these rates).</param>
public sealed record ErrorRateComparison(
    int CanaryRequests,
    int CanaryErrors,
    int StableRequests,
    int StableErrors,
    double Difference,
    double Lower,
    double Upper,
    double Tolerance,
    double Statistic,
    double Threshold,
    SequentialTestOutcome Outcome,
    double? ScaleToDecide)
{
    /// <summary>Compares the counts; both sides need at least one request.</summary>
    public static ErrorRateComparison Compare(int canaryRequests, int canaryErrors, int stableRequests, int stableErrors, double tolerance, double alpha)
    {
        if (canaryRequests < 1 || stableRequests < 1)
        {
            throw new ArgumentOutOfRangeException(nameof(canaryRequests), "Both sides need requests to be compared.");
        }

        var difference = ((double)canaryErrors / canaryRequests) - ((double)stableErrors / stableRequests);
        var variance = Variance(canaryErrors, canaryRequests, stableErrors, stableRequests, tolerance);
        var tau = tolerance;
        var radius = AlwaysValid.Radius(variance, tau, alpha);
        var (lower, upper) = (Math.Max(-1, difference - radius), Math.Min(1, difference + radius));
        var outcome = lower > tolerance ? SequentialTestOutcome.Worse : upper <= tolerance ? SequentialTestOutcome.WithinTolerance : SequentialTestOutcome.Undecided;
        var statistic = Math.Exp(Math.Min(700, AlwaysValid.LogLikelihoodRatio(difference, tolerance, variance, tau)));
        var scale = outcome == SequentialTestOutcome.Undecided ? AlwaysValid.ScaleToDecide(difference, tolerance, variance, tau, alpha) : 1;
        return new(canaryRequests, canaryErrors, stableRequests, stableErrors, difference, lower, upper, tolerance, statistic, 1 / alpha, outcome, scale);
    }

    /// <summary>"+0.6 pts [−0.3, +1.5] vs tolerance +1.0 (Λ 3.2 of 100): undecided".</summary>
    public string Describe() => string.Create(
        CultureInfo.InvariantCulture,
        $"5xx increase {Points(Difference)} pts, interval [{Points(Lower)}, {Points(Upper)}] vs tolerance {Points(Tolerance)} (Λ {AlwaysValid.Format(Statistic)} of {Threshold:0}): {Word(Outcome)}");

    internal static string Points(double fraction) => (fraction >= 0 ? "+" : "−") + Math.Abs(fraction * 100).ToString("0.00", CultureInfo.InvariantCulture);

    internal static string Word(SequentialTestOutcome outcome) => outcome switch
    {
        SequentialTestOutcome.Worse => "worse than tolerated",
        SequentialTestOutcome.WithinTolerance => "within tolerance",
        _ => "undecided",
    };

    /// <summary>
    /// v = max(p̃_c(1−p̃_c), q(1−q))/n_c + p̃_s(1−p̃_s)/n_s with q = p̃_s + δ: the canary's variance is at least what it is
    /// when the canary sits exactly on the tolerance (the variance under H₀, as in Farrington and Manning's test of
    /// non-inferiority, Stat. Med. 9, 1990), so a canary that happens to show no errors in a small sample does not look
    /// more certain than it is.
    /// </summary>
    internal static double Variance(int canaryErrors, int canaryRequests, int stableErrors, int stableRequests, double tolerance)
    {
        var pc = (canaryErrors + 0.5) / (canaryRequests + 1.0);
        var ps = (stableErrors + 0.5) / (stableRequests + 1.0);
        var q = Math.Min(1 - 1e-9, ps + tolerance);
        return (Math.Max(pc * (1 - pc), q * (1 - q)) / canaryRequests) + (ps * (1 - ps) / stableRequests);
    }
}

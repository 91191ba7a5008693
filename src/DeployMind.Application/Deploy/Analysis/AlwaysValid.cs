using System.Globalization;

namespace DeployMind.Application.Deploy.Analysis;

/// <summary>
/// The normal-mixture sequential probability ratio test (mSPRT) and its confidence sequence: error guarantees that hold
/// however often the data is looked at, so a canary step may be judged every few seconds on its growing window.
/// <para>
/// Source: R. Johari, P. Koomen, L. Pekelis, D. Walsh, "Always Valid Inference: Continuous Monitoring of A/B Tests",
/// Operations Research 70(3), 2022 (arXiv:1512.04922), §4 and the two-stream case of §5; the same closed form is
/// Robbins' normal mixture (H. Robbins, "Statistical methods related to the law of the iterated logarithm", Ann. Math.
/// Statist. 41, 1970).
/// </para>
/// <para>
/// The maths. Let θ̂ be an estimate of a quantity θ that is (approximately) normal with variance v, where v shrinks as
/// data arrives (v = σ²/n). To test H₀: θ = θ₀, mix the likelihood ratio of every alternative θ over a normal prior
/// N(θ₀, τ²); the result has a closed form:
/// </para>
/// <code>
///   Λ(θ₀) = √( v / (v + τ²) ) · exp( τ² (θ̂ − θ₀)² / ( 2 v (v + τ²) ) )
/// </code>
/// <para>
/// Under H₀, Λ is a non-negative martingale with mean 1, so by Ville's inequality P(Λ ever reaches 1/α) ≤ α: rejecting
/// H₀ the first time Λ ≥ 1/α keeps the type-I error at α whatever the number of looks (the always-valid p-value is
/// min(1, 1/Λ), non-increasing over time). Inverting the test gives a confidence sequence, an interval that holds at every
/// look at once with probability ≥ 1 − α:
/// </para>
/// <code>
///   θ̂ ± r,   r² = v (v + τ²) / τ² · ( 2 ln(1/α) + ln((v + τ²) / v) )
/// </code>
/// <para>
/// τ is the scale of the effects the test is tuned for (it is most powerful for |θ − θ₀| near τ); the guarantee holds
/// for any τ. The normal approximation of θ̂ is the only approximation: the judge asks for a minimum sample
/// (<c>canary.minRequests</c>) before it relies on it.
/// </para>
/// </summary>
public static class AlwaysValid
{
    /// <summary>Λ(θ₀) in logs: ln Λ = ½ ln(v/(v+τ²)) + τ²(θ̂−θ₀)²/(2v(v+τ²)).</summary>
    public static double LogLikelihoodRatio(double estimate, double theta0, double variance, double tau)
    {
        Check(variance, tau);
        var t2 = tau * tau;
        var d = estimate - theta0;
        return (0.5 * Math.Log(variance / (variance + t2))) + (t2 * d * d / (2 * variance * (variance + t2)));
    }

    /// <summary>The half-width r of the confidence sequence at level 1 − <paramref name="alpha"/>.</summary>
    public static double Radius(double variance, double tau, double alpha)
    {
        Check(variance, tau);
        if (alpha is <= 0 or >= 1)
        {
            throw new ArgumentOutOfRangeException(nameof(alpha), alpha, "alpha is between 0 and 1.");
        }

        var t2 = tau * tau;
        return Math.Sqrt(variance * (variance + t2) / t2 * ((2 * Math.Log(1 / alpha)) + Math.Log((variance + t2) / variance)));
    }

    /// <summary>
    /// How many times the present sample (every count multiplied by the same factor, so the variance divides by it) the
    /// test needs before its interval around <paramref name="estimate"/> leaves out <paramref name="theta0"/>: 1 when it
    /// already does, null when even a million times would not (the estimate sits on θ₀).
    /// </summary>
    public static double? ScaleToDecide(double estimate, double theta0, double variance, double tau, double alpha)
    {
        var distance = Math.Abs(estimate - theta0);
        if (Radius(variance, tau, alpha) < distance)
        {
            return 1;
        }

        const double most = 1e6;
        if (Radius(variance / most, tau, alpha) >= distance)
        {
            return null;
        }

        // r(v / k) falls as k grows: bisect on ln k.
        double low = 0, high = Math.Log(most);
        for (var i = 0; i < 60; i++)
        {
            var mid = (low + high) / 2;
            if (Radius(variance / Math.Exp(mid), tau, alpha) < distance)
            {
                high = mid;
            }
            else
            {
                low = mid;
            }
        }

        return Math.Exp(high);
    }

    /// <summary>A test statistic for people: "3.2", "250", "1.2e+34".</summary>
    internal static string Format(double value) =>
        value >= 1e6 ? value.ToString("0.#e+0", CultureInfo.InvariantCulture) : value.ToString(value >= 100 ? "0" : "0.##", CultureInfo.InvariantCulture);

    private static void Check(double variance, double tau)
    {
        if (!(variance > 0) || double.IsInfinity(variance))
        {
            throw new ArgumentOutOfRangeException(nameof(variance), variance, "The variance is positive.");
        }

        if (!(tau > 0))
        {
            throw new ArgumentOutOfRangeException(nameof(tau), tau, "tau is positive.");
        }
    }
}

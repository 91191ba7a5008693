using System.Globalization;

namespace DeployMind.Application.Deploy.Analysis;

/// <summary>
/// The absolute limit <c>canary.maxErrorRate</c> as a hard guard that noise does not trip: the canary's own 5xx rate is
/// above the limit p₀ only once an always-valid one-sided test says so.
/// <para>
/// The test is an exact mixture martingale for Bernoulli data (no normal approximation, so it is sound from the first
/// request): for x errors in n requests and a grid of alternatives q₁ … q_K above p₀ (q_j = p₀ + (1 − p₀)·j/(K + 1),
/// K = 20, equal weights),
/// </para>
/// <code>
///   Λ = (1/K) Σ_j (q_j/p₀)^x · ((1 − q_j)/(1 − p₀))^(n − x)
/// </code>
/// <para>
/// For any true rate p ≤ p₀ each factor has expectation p·q/p₀ + (1 − p)(1 − q)/(1 − p₀) ≤ 1 per request, so Λ is a
/// non-negative supermartingale with Λ₀ = 1 and, by Ville's inequality, P(Λ ever ≥ 1/α) ≤ α however often it is
/// looked at (the construction of H. Robbins, 1970, with a discrete mixing distribution; see also A. Ramdas et al.,
/// "Game-theoretic statistics and safe anytime-valid inference", Statistical Science 38(4), 2023, §3).
/// </para>
/// </summary>
public static class ErrorRateGuard
{
    private const int Grid = 20;

    /// <summary>Λ for <paramref name="errors"/> in <paramref name="requests"/> against the limit <paramref name="limit"/>.</summary>
    public static double Statistic(int requests, int errors, double limit)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(requests);
        ArgumentOutOfRangeException.ThrowIfNegative(errors);
        if (limit >= 1 || requests == 0)
        {
            return limit >= 1 ? 0 : 1;
        }

        if (limit <= 0)
        {
            return errors > 0 ? double.PositiveInfinity : 1;
        }

        var logs = new double[Grid];
        for (var j = 1; j <= Grid; j++)
        {
            var q = limit + ((1 - limit) * j / (Grid + 1));
            logs[j - 1] = (errors * Math.Log(q / limit)) + ((requests - errors) * Math.Log((1 - q) / (1 - limit)));
        }

        var max = logs.Max();
        return Math.Exp(Math.Min(700, max + Math.Log(logs.Sum(l => Math.Exp(l - max)) / Grid)));
    }

    /// <summary>True when the canary's rate is above <paramref name="limit"/> at level <paramref name="alpha"/>.</summary>
    public static bool Breached(int requests, int errors, double limit, double alpha) => Statistic(requests, errors, limit) >= 1 / alpha;

    /// <summary>"Λ 2630 of 100".</summary>
    public static string Describe(int requests, int errors, double limit, double alpha) =>
        string.Create(CultureInfo.InvariantCulture, $"Λ {AlwaysValid.Format(Statistic(requests, errors, limit))} of {1 / alpha:0}");
}

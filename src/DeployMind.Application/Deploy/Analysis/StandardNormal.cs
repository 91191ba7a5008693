namespace DeployMind.Application.Deploy.Analysis;

/// <summary>The standard normal distribution's tail, for the fixed-horizon p-values shown beside the always-valid decisions.</summary>
public static class StandardNormal
{
    // erfcc's polynomial in t, lowest power first.
    private static readonly double[] Coefficients =
        [-1.26551223, 1.00002368, 0.37409196, 0.09678418, -0.18628806, 0.27886807, -1.13520398, 1.48851587, -0.82215223, 0.17087277];

    /// <summary>
    /// erfc(x), by the Chebyshev fit of W. H. Press et al., Numerical Recipes in C, 2nd ed., §6.2 (<c>erfcc</c>):
    /// fractional error below 1.2·10⁻⁷ everywhere.
    /// </summary>
    public static double Erfc(double x)
    {
        var z = Math.Abs(x);
        var t = 1 / (1 + (0.5 * z));
        var poly = 0.0;
        for (var i = Coefficients.Length - 1; i >= 0; i--)
        {
            poly = Coefficients[i] + (t * poly);
        }

        var ans = t * Math.Exp((-z * z) + poly);
        return x >= 0 ? ans : 2 - ans;
    }

    /// <summary>P(Z ≤ z).</summary>
    public static double Cdf(double z) => 0.5 * Erfc(-z / Math.Sqrt(2));

    /// <summary>P(χ²₁ ≥ x): a chi-square with one degree of freedom is the square of a standard normal, so 2·P(Z ≥ √x) = erfc(√(x/2)).</summary>
    public static double ChiSquare1Tail(double x) => x <= 0 ? 1 : Erfc(Math.Sqrt(x / 2));
}

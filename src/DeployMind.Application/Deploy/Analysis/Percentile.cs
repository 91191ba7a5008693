namespace DeployMind.Application.Deploy.Analysis;

/// <summary>Percentiles by the nearest-rank method: the smallest observed value with at least p% of values at or below it.</summary>
public static class Percentile
{
    /// <summary>
    /// The <paramref name="percent"/>th percentile (0 &lt; percent ≤ 100) of <paramref name="values"/>: the value at
    /// rank ⌈percent/100 × n⌉ in ascending order. Always an observed value (no interpolation); 0 for no values.
    /// </summary>
    public static double NearestRank(IEnumerable<double> values, double percent)
    {
        ArgumentNullException.ThrowIfNull(values);
        if (double.IsNaN(percent) || percent <= 0 || percent > 100)
        {
            throw new ArgumentOutOfRangeException(nameof(percent), percent, "A percentile is above 0 and at most 100.");
        }

        var sorted = values.Where(v => !double.IsNaN(v)).ToArray();
        if (sorted.Length == 0)
        {
            return 0;
        }

        Array.Sort(sorted);
        var rank = (int)Math.Ceiling(percent / 100 * sorted.Length);
        return sorted[Math.Clamp(rank, 1, sorted.Length) - 1];
    }
}

namespace DeployMind.Application.Deploy.Analysis;

/// <summary>
/// Response times in logarithmic bins 2% wide from 0.1 ms (bin i holds [0.1·1.02ⁱ, 0.1·1.02ⁱ⁺¹) ms; 1,024 bins reach
/// beyond 18 hours): small and mergeable whatever the traffic, precise enough to compare distributions (a rank test on
/// binned values treats a bin as ties) and to scale one by a tolerance (a whole number of bins).
/// </summary>
public sealed class LatencyHistogram
{
    /// <summary>Bins.</summary>
    public const int Bins = 1024;

    /// <summary>The ratio between a bin's upper and lower edge.</summary>
    public const double Ratio = 1.02;

    /// <summary>The lower edge of bin 0, in milliseconds (everything below falls in bin 0).</summary>
    public const double Smallest = 0.1;

    private static readonly double LogRatio = Math.Log(Ratio);
    private readonly long[] _counts = new long[Bins];

    /// <summary>Values counted.</summary>
    public long Count { get; private set; }

    /// <summary>The count in bin <paramref name="bin"/>.</summary>
    public long this[int bin] => _counts[bin];

    /// <summary>The bin of <paramref name="milliseconds"/>.</summary>
    public static int BinOf(double milliseconds) =>
        double.IsNaN(milliseconds) || milliseconds <= Smallest ? 0 : (int)Math.Min(Bins - 1, Math.Floor(Math.Log(milliseconds / Smallest) / LogRatio));

    /// <summary>The geometric middle of bin <paramref name="bin"/>, in milliseconds.</summary>
    public static double Middle(int bin) => Smallest * Math.Pow(Ratio, bin + 0.5);

    /// <summary>The whole number of bins closest to scaling by <paramref name="factor"/> (1.2 → 9 bins, ×1.195).</summary>
    public static int Shift(double factor) => (int)Math.Round(Math.Log(factor) / LogRatio);

    /// <summary>A histogram of <paramref name="milliseconds"/>.</summary>
    public static LatencyHistogram Of(IEnumerable<double> milliseconds)
    {
        ArgumentNullException.ThrowIfNull(milliseconds);
        var histogram = new LatencyHistogram();
        foreach (var value in milliseconds)
        {
            histogram.Add(value);
        }

        return histogram;
    }

    /// <summary>Counts one value.</summary>
    public void Add(double milliseconds) => AddToBin(BinOf(milliseconds), 1);

    /// <summary>Counts <paramref name="count"/> values in <paramref name="bin"/>.</summary>
    public void AddToBin(int bin, long count)
    {
        _counts[bin] += count;
        Count += count;
    }

    /// <summary>Adds every count of <paramref name="other"/>.</summary>
    public void Add(LatencyHistogram other)
    {
        ArgumentNullException.ThrowIfNull(other);
        for (var i = 0; i < Bins; i++)
        {
            _counts[i] += other._counts[i];
        }

        Count += other.Count;
    }

    /// <summary>The nearest-rank percentile, as its bin's middle (0 when empty).</summary>
    public double Percentile(double percent)
    {
        if (Count == 0)
        {
            return 0;
        }

        var rank = Math.Max(1, (long)Math.Ceiling(percent / 100 * Count));
        long seen = 0;
        for (var i = 0; i < Bins; i++)
        {
            seen += _counts[i];
            if (seen >= rank)
            {
                return Middle(i);
            }
        }

        return Middle(Bins - 1);
    }

    /// <summary>The sum of the histograms (null when there are none).</summary>
    public static LatencyHistogram? Merge(IEnumerable<LatencyHistogram?> histograms)
    {
        ArgumentNullException.ThrowIfNull(histograms);
        LatencyHistogram? sum = null;
        foreach (var h in histograms)
        {
            if (h is not null)
            {
                sum ??= new LatencyHistogram();
                sum.Add(h);
            }
        }

        return sum;
    }
}

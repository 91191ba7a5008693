using DeployMind.Application.Deploy.Analysis;

namespace DeployMind.UnitTests.Deploy;

public sealed class PercentileTests
{
    [Fact]
    public void NearestRank_OneToHundred_P95Is95()
    {
        var values = Enumerable.Range(1, 100).Select(i => (double)i).Reverse();

        Assert.Equal(95, Percentile.NearestRank(values, 95));
    }

    [Theory]
    [InlineData(new double[] { 7 }, 95, 7)]
    [InlineData(new double[] { 1, 2 }, 95, 2)]
    [InlineData(new double[] { 1, 2 }, 50, 1)]
    [InlineData(new double[] { 3, 1, 2, 5, 4 }, 50, 3)]
    [InlineData(new double[] { 3, 1, 2, 5, 4 }, 100, 5)]
    [InlineData(new double[] { 3, 1, 2, 5, 4 }, 1, 1)]
    public void NearestRank_SmallSets_ReturnsObservedValueAtRank(double[] values, double percent, double expected) =>
        Assert.Equal(expected, Percentile.NearestRank(values, percent));

    [Fact]
    public void NearestRank_TwentyValues_P95IsNineteenth()
    {
        // ⌈0.95 × 20⌉ = 19: one value in twenty may be slower than the p95.
        var values = Enumerable.Range(1, 20).Select(i => i * 10.0);

        Assert.Equal(190, Percentile.NearestRank(values, 95));
    }

    [Fact]
    public void NearestRank_NoValues_ReturnsZero() => Assert.Equal(0, Percentile.NearestRank([], 95));

    [Theory]
    [InlineData(0)]
    [InlineData(100.5)]
    [InlineData(-1)]
    [InlineData(double.NaN)]
    public void NearestRank_PercentOutOfRange_Throws(double percent) =>
        Assert.Throws<ArgumentOutOfRangeException>(() => Percentile.NearestRank([1], percent));
}

using DeployMind.Infrastructure.Docker;

namespace DeployMind.UnitTests.Docker;

public sealed class BuildLogTailTests
{
    [Fact]
    public void Collapse_PipRetriesDifferingInCountersAndAddresses_IsOneLineWithTheCount()
    {
        var lines = BuildLogTail.Collapse(PackageIndexFailureTests.PipLog).ToList();

        var retry = Assert.Single(lines, l => l.Contains("Retrying", StringComparison.Ordinal));
        Assert.StartsWith("WARNING: Retrying (Retry(total=4,", retry, StringComparison.Ordinal);
        Assert.EndsWith("/simple/flask/ (×5)", retry, StringComparison.Ordinal);
        Assert.Equal(PackageIndexFailureTests.PipLog.Length - 4, lines.Count);
    }

    [Fact]
    public void Collapse_IdenticalLines_AreOneWithTheCount_AndLinesDifferingInNumbersStayApart()
    {
        string[] log = ["npm WARN deprecated x", "npm WARN deprecated x", "npm WARN deprecated x", "main.go:4:2: undefined: a", "main.go:7:2: undefined: a", "done"];

        Assert.Equal(["npm WARN deprecated x (×3)", "main.go:4:2: undefined: a", "main.go:7:2: undefined: a", "done"], BuildLogTail.Collapse(log));
    }

    [Fact]
    public void Last_DropsBlankLinesAndKeepsTheLastCollapsedLines()
    {
        Assert.Equal(["b (×2)", "c"], BuildLogTail.Last(["a", "", "b", "b", "  ", "c"], 2));
    }
}

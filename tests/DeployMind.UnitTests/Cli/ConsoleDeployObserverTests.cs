using DeployMind.Cli.Output;
using Spectre.Console.Testing;

namespace DeployMind.UnitTests.Cli;

public sealed class ConsoleDeployObserverTests
{
    [Fact]
    public void Progress_NotATerminal_OneLinePerReport()
    {
        var console = new TestConsole().Width(200);
        var observer = new ConsoleDeployObserver(console, quiet: false);

        observer.Progress("canary", "canary 10%: 12/50 requests, 0 errors, p95 40 ms, 18s left");
        observer.Progress("canary", "canary 10%: 20/50 requests, 0 errors, p95 41 ms, 12s left");
        observer.Step("canary", "10% step: Healthy");

        Assert.Equal(
            ["  canary canary 10%: 12/50 requests, 0 errors, p95 40 ms, 18s left", "  canary canary 10%: 20/50 requests, 0 errors, p95 41 ms, 12s left", "  canary 10% step: Healthy"],
            console.Lines.Where(l => l.Length > 0));
    }

    [Fact]
    public void Progress_OnATerminal_RedrawsOneLineThatTheNextStepClears()
    {
        var console = new TestConsole().Width(200).Interactive().EmitAnsiSequences();
        var observer = new ConsoleDeployObserver(console, quiet: false);

        observer.Progress("canary", "canary 10%: 12/50 requests, 0 errors, p95 40 ms, 18s left");
        observer.Progress("canary", "canary 10%: 20/50 requests, 0 errors, p95 41 ms, 12s left");
        observer.Step("canary", "10% step: Healthy");

        var output = console.Output;
        Assert.Equal(1, output.Count(c => c == '\n')); // the step's line only: progress never adds one
        Assert.Equal(3, output.Split("\r\u001b[2K").Length - 1); // cleared before each report and before the step
        Assert.Contains("20/50 requests", output, StringComparison.Ordinal);
    }

    [Fact]
    public void Progress_Quiet_PrintsNothing()
    {
        var console = new TestConsole();

        new ConsoleDeployObserver(console, quiet: true).Progress("canary", "canary 10%: 1/50 requests");

        Assert.Equal(string.Empty, console.Output);
    }
}

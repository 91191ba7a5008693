using DeployMind.Infrastructure.Processes;
using DeployMind.Infrastructure.Security;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;

namespace DeployMind.UnitTests.Security;

/// <summary>The adapter's decisions that need no process; real runs are in the integration tests.</summary>
public sealed class TrivyImageScannerTests
{
    [Fact]
    public async Task ScanAsync_Disabled_SkipsWithoutRunningAnything()
    {
        var runner = new RecordingRunner();
        var scanner = new TrivyImageScanner(runner, Options.Create(new TrivyOptions { Enabled = false }), TimeProvider.System, NullLogger<TrivyImageScanner>.Instance);

        var report = await scanner.ScanAsync("app:1", CancellationToken.None);

        Assert.True(report.Skipped);
        Assert.Equal("security.trivy.enabled is false", report.SkipReason);
        Assert.Equal("trivy", report.Scanner);
        Assert.Empty(report.Findings);
        Assert.Empty(runner.Calls);
    }

    [Fact]
    public async Task ScanAsync_NotOnPath_SkipsWithoutRunningAnything()
    {
        var runner = new RecordingRunner();
        var options = new TrivyOptions { Path = "trivy-not-installed-" + Guid.NewGuid().ToString("N") };
        var scanner = new TrivyImageScanner(runner, Options.Create(options), TimeProvider.System, NullLogger<TrivyImageScanner>.Instance);

        var report = await scanner.ScanAsync("app:1", CancellationToken.None);

        Assert.True(report.Skipped);
        Assert.Contains("is not on PATH", report.SkipReason, StringComparison.Ordinal);
        Assert.Empty(runner.Calls);
    }

    [Theory]
    [InlineData("-v")]
    [InlineData("--input=/etc/passwd")]
    [InlineData(" ")]
    public async Task ScanAsync_NotAnImageReference_Throws(string image)
    {
        var scanner = new TrivyImageScanner(new RecordingRunner(), Options.Create(new TrivyOptions()), TimeProvider.System, NullLogger<TrivyImageScanner>.Instance);

        await Assert.ThrowsAnyAsync<ArgumentException>(() => scanner.ScanAsync(image, CancellationToken.None));
    }

    [Theory]
    [InlineData("Version: 0.50.1\nVulnerability DB:\n  Version: 2\n", "0.50.1")]
    [InlineData("Version: 0.45.0", "0.45.0")]
    [InlineData("version: dev\n", "dev")]
    [InlineData("", null)]
    [InlineData("trivy 0.50.1", null)]
    [InlineData("Version:\n", null)]
    public void ParseVersion_FirstLine_IsRead(string output, string? expected)
    {
        Assert.Equal(expected, TrivyImageScanner.ParseVersion(output));
    }

    [Fact]
    public void Failure_Stderr_QuotesTheLastLinesWithoutColours()
    {
        var stderr = "2024-04-02T09:12:44Z\tINFO\tNeed to update DB\n"
            + "2024-04-02T09:12:44Z\tINFO\tDownloading DB...\n"
            + "\u001b[31m2024-04-02T09:12:45Z\tFATAL\u001b[0m\tinit error: DB error: failed to download vulnerability DB\n"
            + "\t* Get \"https://ghcr.io/v2/\": dial tcp: lookup ghcr.io: no such host\n\n";
        var result = new CommandResult("trivy image app:1", 1, string.Empty, stderr, TimeSpan.FromSeconds(1));

        var reason = TrivyImageScanner.Failure(result);

        Assert.Equal(
            "trivy failed: exit code 1: 2024-04-02T09:12:44Z INFO Downloading DB... | 2024-04-02T09:12:45Z FATAL init error: DB error: failed to download vulnerability DB | * Get \"https://ghcr.io/v2/\": dial tcp: lookup ghcr.io: no such host",
            reason);
    }

    [Fact]
    public void Failure_NoStderr_SaysSo()
    {
        var reason = TrivyImageScanner.Failure(new CommandResult("trivy image app:1", 2, string.Empty, "\n", TimeSpan.Zero));

        Assert.Equal("trivy failed: exit code 2 with no error output", reason);
    }

    /// <summary>Records commands; any run is a test failure here.</summary>
    private sealed class RecordingRunner : ICommandRunner
    {
        public List<CommandSpec> Calls { get; } = [];

        public string Name => "recording";

        public Task<CommandResult> RunAsync(CommandSpec command, Action<OutputLine>? onOutput, CancellationToken cancellationToken)
        {
            Calls.Add(command);
            return Task.FromResult(new CommandResult(command.ToString(), 127, string.Empty, "unexpected run", TimeSpan.Zero));
        }
    }
}

using DeployMind.Application.Deploy.Analysis;
using DeployMind.Application.Deploy.Hosts;
using DeployMind.Domain;
using DeployMind.Domain.Deploy;
using Microsoft.Extensions.Time.Testing;

namespace DeployMind.UnitTests.Deploy;

public sealed class HealthCheckerTests
{
    private static readonly Uri Base = new("http://127.0.0.1:41234");
    private readonly FakeTimeProvider _time = new();

    [Fact]
    public async Task WaitHealthyAsync_FailuresThenSuccesses_NeedsConsecutiveSuccesses()
    {
        var probe = new ScriptedProbe(false, true, false, true, true, true);
        var checker = new HealthChecker(probe, _time);
        var progress = new List<string>();
        var policy = new HealthPolicy("/health", TimeSpan.FromSeconds(2), TimeSpan.FromSeconds(1), 3, TimeSpan.FromSeconds(60));

        var report = await RunAsync(checker.WaitHealthyAsync(Base, policy, null, new SyncProgress(r => progress.Add(r.Summary)), CancellationToken.None));

        Assert.True(report.Healthy);
        Assert.Equal(6, report.Attempts);
        Assert.Equal("3/3 checks passed", report.Summary);
        Assert.Equal(["0/3 checks passed", "1/3 checks passed", "0/3 checks passed", "1/3 checks passed", "2/3 checks passed", "3/3 checks passed"], progress);
        Assert.Equal(TimeSpan.FromSeconds(10), report.Elapsed);
        Assert.All(probe.Urls, u => Assert.Equal("http://127.0.0.1:41234/health", u.ToString()));
    }

    [Fact]
    public async Task WaitHealthyAsync_NeverHealthy_FailsAtDeadlineWithLastError()
    {
        var checker = new HealthChecker(new ScriptedProbe(), _time);
        var policy = new HealthPolicy("/ready", TimeSpan.FromSeconds(2), TimeSpan.FromSeconds(1), 2, TimeSpan.FromSeconds(10));

        var report = await RunAsync(checker.WaitHealthyAsync(Base, policy, null, null, CancellationToken.None));

        Assert.False(report.Healthy);
        Assert.Equal(6, report.Attempts); // at 0, 2, 4, 6, 8 and 10 s
        Assert.Contains("was not healthy within 10s", report.Failure, StringComparison.Ordinal);
        Assert.Contains("last error: connection refused", report.Failure, StringComparison.Ordinal);
    }

    [Fact]
    public async Task WaitHealthyAsync_ProcessDied_FailsFastWithWhy()
    {
        var checker = new HealthChecker(new ScriptedProbe(false, false, false), _time);
        var checks = 0;
        Task<string?> Liveness(CancellationToken _) => Task.FromResult(++checks >= 3 ? "Container x exited with code 1. Its last 1 log lines:\n  Error: boom" : null);

        var report = await RunAsync(checker.WaitHealthyAsync(Base, HealthPolicy.Default, Liveness, null, CancellationToken.None));

        Assert.False(report.Healthy);
        Assert.Equal(2, report.Attempts);
        Assert.Contains("Error: boom", report.Failure, StringComparison.Ordinal);
        Assert.True(report.Elapsed < TimeSpan.FromSeconds(10));
    }

    [Theory]
    [InlineData("health", 2, 2, 3, 60, "must start with '/'")]
    [InlineData("/health", 0, 2, 3, 60, "positive durations")]
    [InlineData("/health", 2, 2, 0, 60, "at least 1")]
    [InlineData("/health", 5, 2, 3, 10, "shorter than 3 checks")]
    public void HealthPolicy_InvalidSettings_NameTheKey(string path, int interval, int timeout, int successes, int deadline, string expected)
    {
        var ex = Assert.Throws<InvalidInputException>(() => new HealthPolicy(path, TimeSpan.FromSeconds(interval), TimeSpan.FromSeconds(timeout), successes, TimeSpan.FromSeconds(deadline)));

        Assert.Contains("healthCheck.", ex.Message, StringComparison.Ordinal);
        Assert.Contains(expected, ex.Message, StringComparison.Ordinal);
    }

    /// <summary>Drives the fake clock until the wait completes (each Delay is released by an Advance).</summary>
    private async Task<HealthReport> RunAsync(Task<HealthReport> wait)
    {
        for (var i = 0; i < 1000 && !wait.IsCompleted; i++)
        {
            await Task.Yield();
            await Task.Delay(1);
            _time.Advance(TimeSpan.FromSeconds(2));
        }

        return await wait;
    }

    private sealed class ScriptedProbe(params bool[] answers) : IHttpProbe
    {
        private int _next;

        public List<Uri> Urls { get; } = [];

        public Task<ProbeResult> GetAsync(Uri url, string? hostName, TimeSpan timeout, CancellationToken cancellationToken) => GetAsync(url, timeout, cancellationToken);

        public Task<ProbeResult> GetAsync(Uri url, TimeSpan timeout, CancellationToken cancellationToken)
        {
            Urls.Add(url);
            var healthy = _next < answers.Length && answers[_next];
            _next++;
            return Task.FromResult(healthy ? new ProbeResult(200, null) : new ProbeResult(null, "connection refused"));
        }
    }

    private sealed class SyncProgress(Action<HealthReport> report) : IProgress<HealthReport>
    {
        public void Report(HealthReport value) => report(value);
    }
}

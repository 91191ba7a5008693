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

        var report = await RunAsync(checker.WaitHealthyAsync(Base, HealthPolicy.Default, new HealthWatch("container x", Liveness), null, CancellationToken.None));

        // Asked after each failed check: the third one finds it gone.
        Assert.False(report.Healthy);
        Assert.Equal(3, report.Attempts);
        Assert.Contains("Error: boom", report.Failure, StringComparison.Ordinal);
        Assert.True(report.Elapsed < TimeSpan.FromSeconds(10));
    }

    [Fact]
    public async Task WaitHealthyAsync_RefusedWhileStarting_RetriesQuicklyUntilTheFirstAnswerThenKeepsTheInterval()
    {
        // Checked right after its start, an app is not listening yet: the first answer does not wait a whole interval
        // (pauses of 10, 20, 40 ms...), and the successes that count are still an interval apart.
        var start = _time.GetUtcNow();
        var probe = new ScriptedProbe(false, false, false, true, true, true) { Clock = _time };
        var policy = new HealthPolicy("/health", TimeSpan.FromSeconds(2), TimeSpan.FromSeconds(1), 3, TimeSpan.FromSeconds(60));
        var asked = 0;
        var watch = new HealthWatch("container x", _ =>
        {
            asked++;
            return Task.FromResult<string?>(null);
        });

        var report = await AdvanceUntilDoneAsync(new HealthChecker(probe, _time).WaitHealthyAsync(Base, policy, watch, null, CancellationToken.None));

        Assert.True(report.Healthy, report.Failure);
        Assert.Equal([0, 10, 30, 70, 2070, 4070], probe.Times.Select(t => (int)(t - start).TotalMilliseconds));
        Assert.Equal(1, asked); // the container is looked at after the first refusal only, not at every quick check
    }

    [Fact]
    public async Task WaitHealthyAsync_RefusedWhileStartingForLong_PausesGrowToTheLimitAndNeverPastTheInterval()
    {
        var start = _time.GetUtcNow();
        var probe = new ScriptedProbe([.. Enumerable.Repeat(false, 9), true, true]) { Clock = _time };
        var policy = new HealthPolicy("/health", TimeSpan.FromMilliseconds(300), TimeSpan.FromSeconds(1), 2, TimeSpan.FromSeconds(60));

        var report = await AdvanceUntilDoneAsync(new HealthChecker(probe, _time).WaitHealthyAsync(Base, policy, null, null, CancellationToken.None));

        // 10, 20, 40, 80, then 100 ms while within the first interval (300 ms); past it, one check per interval.
        Assert.True(report.Healthy, report.Failure);
        Assert.Equal([0, 10, 30, 70, 150, 250, 350, 650, 950, 1250, 1550], probe.Times.Select(t => (int)(t - start).TotalMilliseconds));
    }

    [Fact]
    public async Task WaitHealthyAsync_SlowLookAtTheProcessWhileStarting_DoesNotHoldBackTheQuickChecks()
    {
        // docker inspect after the first refusal takes 50 ms or more under load: the quick checks go on beside it.
        var start = _time.GetUtcNow();
        var probe = new ScriptedProbe(false, false, true, true) { Clock = _time };
        var policy = new HealthPolicy("/health", TimeSpan.FromSeconds(1), TimeSpan.FromSeconds(1), 2, TimeSpan.FromSeconds(60));
        var inspect = new TaskCompletionSource<string?>(TaskCreationOptions.RunContinuationsAsynchronously);
        var watch = new HealthWatch("container x", _ => inspect.Task);

        var wait = new HealthChecker(probe, _time).WaitHealthyAsync(Base, policy, watch, null, CancellationToken.None);
        await AdvanceUntilChecksAsync(probe, 3);

        Assert.Equal([0, 10, 30], probe.Times.Select(t => (int)(t - start).TotalMilliseconds));
        inspect.SetResult(null);
        var report = await AdvanceUntilDoneAsync(wait);
        Assert.True(report.Healthy, report.Failure);
    }

    [Fact]
    public async Task WaitHealthyAsync_ContainerExitedRightAway_FailsWithWhyWhileStillStarting()
    {
        // Found by the look after the first refusal, however many quick checks ran meanwhile; the wait does not go on
        // to the end of the interval.
        var probe = new ScriptedProbe() { Clock = _time };
        var policy = new HealthPolicy("/health", TimeSpan.FromSeconds(2), TimeSpan.FromSeconds(1), 3, TimeSpan.FromSeconds(60));
        var inspect = new TaskCompletionSource<string?>(TaskCreationOptions.RunContinuationsAsynchronously);
        var watch = new HealthWatch("container x", _ => inspect.Task);

        var wait = new HealthChecker(probe, _time).WaitHealthyAsync(Base, policy, watch, null, CancellationToken.None);
        await AdvanceUntilChecksAsync(probe, 3);

        inspect.SetResult("Container x exited with code 2. Its last 1 log lines:\n  panic: no config");
        var report = await AdvanceUntilDoneAsync(wait);

        Assert.False(report.Healthy);
        Assert.Contains("panic: no config", report.Failure, StringComparison.Ordinal);
        Assert.True(report.Elapsed < TimeSpan.FromSeconds(1), $"failed after {report.Elapsed}");
    }

    [Fact]
    public async Task WaitHealthyAsync_HealthyChecks_NeverAskAboutTheProcess()
    {
        // A deploy's critical path: checks that pass cost no host command (docker inspect, docker top, ss).
        var asked = new List<string>();
        var watch = new HealthWatch("container x", _ =>
        {
            asked.Add("liveness");
            return Task.FromResult<string?>(null);
        })
        {
            ListeningPorts = _ =>
            {
                asked.Add("ports");
                return Task.FromResult<IReadOnlySet<int>?>(new HashSet<int>());
            },
        };

        var report = await RunAsync(new HealthChecker(new ScriptedProbe(false, true, true, true), _time).WaitHealthyAsync(Base, HealthPolicy.Default, watch, null, CancellationToken.None));

        Assert.True(report.Healthy, report.Failure);
        Assert.Equal(4, report.Attempts);
        Assert.Equal(["liveness"], asked); // after the first (refused) check only; its ports are not asked on a first refusal
    }

    [Fact]
    public async Task WaitHealthyAsync_AppListensOnAnotherPort_FailsFastNamingBothPortsAndTheFix()
    {
        var checker = new HealthChecker(new ScriptedProbe(), _time);
        var watch = Watch([5000]) with { Logs = _ => Task.FromResult<IReadOnlyList<string>>(["listening on http://0.0.0.0:5000"]) };

        var report = await RunAsync(checker.WaitHealthyAsync(Base, HealthPolicy.Default, watch, null, CancellationToken.None));

        // The first refusal is how an app starts: the ports are asked from the second one on.
        Assert.False(report.Healthy);
        Assert.Equal(HealthChecker.WrongPortChecks + 1, report.Attempts);
        Assert.True(report.Elapsed < TimeSpan.FromSeconds(10), $"failed after {report.Elapsed}");
        Assert.Contains("the app in container x listens on 5000, not on $PORT=41234", report.Failure, StringComparison.Ordinal);
        Assert.Contains("Make it listen on the port in PORT", report.Failure, StringComparison.Ordinal);
        Assert.Contains("target.docker.port", report.Failure, StringComparison.Ordinal);
        Assert.Contains("Its last 1 log lines:\n  listening on http://0.0.0.0:5000", report.Failure, StringComparison.Ordinal);
    }

    [Fact]
    public async Task WaitHealthyAsync_AppListensOnSeveralOtherPorts_NamesThemAll()
    {
        var checker = new HealthChecker(new ScriptedProbe(), _time);

        var report = await RunAsync(checker.WaitHealthyAsync(Base, HealthPolicy.Default, Watch([9090, 5000, 5001]), null, CancellationToken.None));

        Assert.Contains("listens on 5000, 5001 and 9090, not on $PORT=41234", report.Failure, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(new int[0])] // listens on nothing yet (or the host does not say who owns its sockets)
    [InlineData(new[] { 41234 })] // listens on the right port, refuses anyway (e.g. binds another address)
    [InlineData(new[] { 41234, 9090 })]
    public async Task WaitHealthyAsync_RefusedWithoutListeningElsewhere_WaitsUntilTheDeadline(int[] listening)
    {
        var checker = new HealthChecker(new ScriptedProbe(), _time);
        var policy = new HealthPolicy("/ready", TimeSpan.FromSeconds(2), TimeSpan.FromSeconds(1), 2, TimeSpan.FromSeconds(10));

        var report = await RunAsync(checker.WaitHealthyAsync(Base, policy, Watch(listening), null, CancellationToken.None));

        Assert.False(report.Healthy);
        Assert.Equal(6, report.Attempts);
        Assert.Contains("was not healthy within 10s", report.Failure, StringComparison.Ordinal);
        Assert.Contains("last error: connection refused", report.Failure, StringComparison.Ordinal);
    }

    [Fact]
    public async Task WaitHealthyAsync_StartsOnAnotherPortThenOnItsOwn_GetsHealthy()
    {
        // One refused check with the app elsewhere is not enough: it may be moving to its port (a framework's first listener).
        var probe = new StatusProbe(new() { ["/health"] = [0, 0, 200, 200, 200] });
        var checks = 0;
        var watch = new HealthWatch("container x", _ => Task.FromResult<string?>(null))
        {
            ListeningPorts = _ => Task.FromResult<IReadOnlySet<int>?>(++checks == 1 ? new HashSet<int> { 5000 } : new HashSet<int>()),
        };

        var report = await RunAsync(new HealthChecker(probe, _time).WaitHealthyAsync(Base, HealthPolicy.Default, watch, null, CancellationToken.None));

        Assert.True(report.Healthy, report.Failure);
    }

    [Fact]
    public async Task WaitHealthyAsync_HealthPathAnswers404_FailsAfterThreeNamingPathStatusAndKey()
    {
        var probe = new StatusProbe(new() { ["/health"] = [404], ["/"] = [200] });
        var checker = new HealthChecker(probe, _time);

        var report = await RunAsync(checker.WaitHealthyAsync(Base, HealthPolicy.Default, null, null, CancellationToken.None));

        Assert.False(report.Healthy);
        Assert.Equal(HealthChecker.NotFoundChecks, report.Attempts);
        Assert.Equal(
            "http://127.0.0.1:41234/health answered 404 3 times in a row: the app answers on port 41234 but does not serve /health. "
            + "Set healthCheck.path to a path it serves (/ answers 200), or give the app a /health route.",
            report.Failure);
    }

    [Fact]
    public async Task WaitHealthyAsync_HealthPathAnswers405AndRootFails_SaysGetAndNoRootHint()
    {
        var probe = new StatusProbe(new() { ["/ready"] = [405], ["/"] = [404] });
        var checker = new HealthChecker(probe, _time);
        var policy = new HealthPolicy("/ready", TimeSpan.FromSeconds(2), TimeSpan.FromSeconds(1), 2, TimeSpan.FromSeconds(60));

        var report = await RunAsync(checker.WaitHealthyAsync(Base, policy, null, null, CancellationToken.None));

        Assert.Equal(HealthChecker.NotFoundChecks, report.Attempts);
        Assert.Contains("answered 405 (method not allowed; health checks are GET requests) 3 times in a row", report.Failure, StringComparison.Ordinal);
        Assert.Contains("Set healthCheck.path to a path it serves with a status below 400, or give the app a /ready route.", report.Failure, StringComparison.Ordinal);
    }

    [Fact]
    public async Task WaitHealthyAsync_404sInterrupted_CountsOnlyConsecutiveOnes()
    {
        var probe = new StatusProbe(new() { ["/health"] = [404, 404, 503, 404, 404, 200, 200, 200] });
        var checker = new HealthChecker(probe, _time);

        var report = await RunAsync(checker.WaitHealthyAsync(Base, HealthPolicy.Default, null, null, CancellationToken.None));

        Assert.True(report.Healthy, report.Failure);
        Assert.Equal(8, report.Attempts);
    }

    [Fact]
    public async Task WaitHealthyAsync_ServerErrors_WaitUntilTheDeadline()
    {
        var probe = new StatusProbe(new() { ["/health"] = [503] });
        var checker = new HealthChecker(probe, _time);
        var policy = new HealthPolicy("/health", TimeSpan.FromSeconds(2), TimeSpan.FromSeconds(1), 2, TimeSpan.FromSeconds(10));

        var report = await RunAsync(checker.WaitHealthyAsync(Base, policy, Watch([41234]), null, CancellationToken.None));

        Assert.False(report.Healthy);
        Assert.Equal(6, report.Attempts);
        Assert.Contains("was not healthy within 10s", report.Failure, StringComparison.Ordinal);
        Assert.Contains("last error: status 503", report.Failure, StringComparison.Ordinal);
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

    /// <summary>Advances the clock 10 ms at a time until <paramref name="probe"/> was asked <paramref name="checks"/> times (at most 100 ms).</summary>
    private async Task AdvanceUntilChecksAsync(ScriptedProbe probe, int checks)
    {
        for (var i = 0; i < 10 && probe.Times.Count < checks; i++)
        {
            await Task.Delay(1);
            _time.Advance(TimeSpan.FromMilliseconds(10));
        }
    }

    /// <summary>Advances the clock 10 ms at a time until the wait ends (the quick checks while an app starts are 10 ms apart at first).</summary>
    private async Task<HealthReport> AdvanceUntilDoneAsync(Task<HealthReport> wait)
    {
        for (var i = 0; i < 5000 && !wait.IsCompleted; i++)
        {
            await Task.Delay(1);
            _time.Advance(TimeSpan.FromMilliseconds(10));
        }

        return await wait;
    }

    private sealed class ScriptedProbe(params bool[] answers) : IHttpProbe
    {
        private int _next;

        public List<Uri> Urls { get; } = [];

        /// <summary>When set, when each check was made.</summary>
        public TimeProvider? Clock { get; init; }

        public List<DateTimeOffset> Times { get; } = [];

        public Task<ProbeResult> GetAsync(Uri url, string? hostName, TimeSpan timeout, CancellationToken cancellationToken) => GetAsync(url, timeout, cancellationToken);

        public Task<ProbeResult> GetAsync(Uri url, TimeSpan timeout, CancellationToken cancellationToken)
        {
            Urls.Add(url);
            if (Clock is not null)
            {
                Times.Add(Clock.GetUtcNow());
            }

            var healthy = _next < answers.Length && answers[_next];
            _next++;
            return Task.FromResult(healthy ? new ProbeResult(200, null) : new ProbeResult(null, "connection refused") { Refused = true });
        }
    }

    /// <summary>Answers per path from a script of statuses (0: refused); the last one repeats.</summary>
    private sealed class StatusProbe(Dictionary<string, int[]> script) : IHttpProbe
    {
        private readonly Dictionary<string, int> _next = [];

        public Task<ProbeResult> GetAsync(Uri url, string? hostName, TimeSpan timeout, CancellationToken cancellationToken) => GetAsync(url, timeout, cancellationToken);

        public Task<ProbeResult> GetAsync(Uri url, TimeSpan timeout, CancellationToken cancellationToken)
        {
            var statuses = script[url.AbsolutePath];
            var next = _next.GetValueOrDefault(url.AbsolutePath);
            _next[url.AbsolutePath] = next + 1;
            var status = statuses[Math.Min(next, statuses.Length - 1)];
            return Task.FromResult(
                status == 0 ? new ProbeResult(null, "connection refused") { Refused = true }
                : status < 400 ? new ProbeResult(status, null)
                : new ProbeResult(status, $"status {status}"));
        }
    }

    /// <summary>A running process that listens on <paramref name="ports"/> and printed nothing.</summary>
    private static HealthWatch Watch(int[] ports) =>
        new("container x", _ => Task.FromResult<string?>(null))
        {
            ListeningPorts = _ => Task.FromResult<IReadOnlySet<int>?>(ports.ToHashSet()),
            Logs = _ => Task.FromResult<IReadOnlyList<string>>([]),
        };

    private sealed class SyncProgress(Action<HealthReport> report) : IProgress<HealthReport>
    {
        public void Report(HealthReport value) => report(value);
    }
}

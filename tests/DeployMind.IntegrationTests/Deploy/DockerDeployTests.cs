using DeployMind.Application.Build;
using DeployMind.Application.Configuration;
using DeployMind.Application.Deploy;
using DeployMind.Application.Deploy.Analysis;
using DeployMind.Application.Deploy.Hosts;
using DeployMind.Application.Deploy.Strategies;
using DeployMind.Application.Pipeline;
using DeployMind.Domain.Build;
using DeployMind.Domain.Deploy;
using DeployMind.IntegrationTests.Support;
using Microsoft.Extensions.Options;
using Xunit.Abstractions;

namespace DeployMind.IntegrationTests.Deploy;

/// <summary>Strategies on the real engine behind a real nginx, with real traffic on 127.0.0.1.</summary>
public sealed class DockerDeployTests : IClassFixture<DeployFixture>, IAsyncLifetime
{
    private readonly DeployFixture _fixture;
    private readonly ITestOutputHelper _output;
    private readonly string _app = "dmit" + Guid.NewGuid().ToString("N")[..8];
    private readonly int _port = Docker.FreePort();

    public DockerDeployTests(DeployFixture fixture, ITestOutputHelper output)
    {
        _fixture = fixture;
        _output = output;
    }

    public Task InitializeAsync() => Task.CompletedTask;

    public Task DisposeAsync() => _fixture.CleanAsync(_app);

    [Fact]
    public async Task Rolling_UnderLoad_SwitchesWithZeroFailedRequests()
    {
        await DeployAsync<RollingStrategy>("v1");
        await using var load = new LoadLoop(_port);

        var outcome = await DeployAsync<RollingStrategy>("v2");
        await Task.Delay(500);
        await load.StopAsync();

        Assert.Equal(DeployStatus.Succeeded, outcome.Status);
        Assert.True(load.Failures == 0, $"{load.Failures} of {load.Requests} requests failed: {string.Join(" | ", load.FailureSamples)}");
        Assert.True(load.Count("\"version\":\"v1\"") > 0 && load.Count("\"version\":\"v2\"") > 0, "the load should span both versions");
        Assert.Contains("\"version\":\"v2\"", await GetAsync(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task BlueGreen_UnderLoad_SwitchesWithZeroFailedRequests()
    {
        await DeployAsync<BlueGreenStrategy>("v1");
        await using var load = new LoadLoop(_port);

        var outcome = await DeployAsync<BlueGreenStrategy>("v2");
        await load.StopAsync();

        Assert.Equal(DeployStatus.Succeeded, outcome.Status);
        Assert.True(load.Failures == 0, $"{load.Failures} of {load.Requests} requests failed: {string.Join(" | ", load.FailureSamples)}");
        var containers = await _fixture.LocalHost.Runtime.ListAsync(_app, CancellationToken.None);
        Assert.Contains(containers, c => c.Running && c.Label(ContainerLabels.Colour) == "green");
        Assert.DoesNotContain(containers, c => c.Running && c.Label(ContainerLabels.Colour) == "blue");
    }

    [Fact]
    public async Task Rollback_UnderLoad_ReturnsToPreviousReleaseWithZeroFailedRequests()
    {
        await DeployAsync<RollingStrategy>("v1");
        await DeployAsync<RollingStrategy>("v2");
        await using var load = new LoadLoop(_port);

        var (release, outcome) = await _fixture.Get<RollbackService>().RollbackAsync(_fixture.Request(_app, "ignored", _port), NullDeployObserver.Instance, CancellationToken.None);
        await Task.Delay(500);
        await load.StopAsync();

        Assert.Equal(DeployStatus.Succeeded, outcome.Status);
        Assert.Equal("v1", release.ReleaseId);
        Assert.True(load.Failures == 0, $"{load.Failures} of {load.Requests} requests failed: {string.Join(" | ", load.FailureSamples)}");
        Assert.Contains("\"version\":\"v1\"", await GetAsync(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Canary_BadVersion_IsRolledBackAtTheFirstStepAndStableServesAll()
    {
        await DeployAsync<RollingStrategy>("v1");
        await using var load = new LoadLoop(_port);

        var outcome = await DeployAsync<CanaryStrategy>("v2", new Dictionary<string, string> { ["FAIL_RATE"] = "0.5" });
        await load.StopAsync();

        Assert.Equal(DeployStatus.RolledBack, outcome.Status);
        Assert.Equal(10, outcome.CanaryPercentReached);
        var step = Assert.Single(outcome.CanarySteps);
        Assert.Equal(CanaryVerdict.Unhealthy, step.Verdict);
        Assert.True(step.Canary.ErrorRate > 0.2, step.Reason);
        Assert.Equal(0, step.Stable.ServerErrors);
        Assert.Contains("Traffic is back on the stable release", outcome.Reason, StringComparison.Ordinal);
        var route = await _fixture.LocalHost.Router.GetAsync(_app, CancellationToken.None);
        Assert.Equal("v1", Assert.Single(route!.Servers).Label);
        for (var i = 0; i < 100; i++)
        {
            Assert.Contains("\"version\":\"v1\"", await GetAsync(), StringComparison.Ordinal);
        }
    }

    [Fact]
    public async Task Deploy_ReleaseThatNeverGetsHealthy_FailsAndOldKeepsServing()
    {
        await DeployAsync<RollingStrategy>("v1");
        await using var load = new LoadLoop(_port);

        var outcome = await DeployAsync<RollingStrategy>("v2", new Dictionary<string, string> { ["UNHEALTHY"] = "1" }, TimeSpan.FromSeconds(3));
        await load.StopAsync();

        Assert.Equal(DeployStatus.Failed, outcome.Status);
        Assert.Contains("status 503", outcome.Reason, StringComparison.Ordinal);
        Assert.True(load.Failures == 0, $"{load.Failures} of {load.Requests} requests failed: {string.Join(" | ", load.FailureSamples)}");
        Assert.Equal(0, load.Count("\"version\":\"v2\""));
        Assert.DoesNotContain(await _fixture.LocalHost.Runtime.ListAsync(_app, CancellationToken.None), c => c.Label(ContainerLabels.Release) == "v2");
    }

    [Fact]
    public async Task Pipeline_RollingReleaseWhoseRootAnswers500_IsRolledBackFastWhileTheOldReleaseNeverStops()
    {
        // The second release is the same app with FAIL_RATE=1 baked in: /health answers 200 (it gets healthy), / answers 500.
        var broken = $"{_app}:broken";
        using (var context = new TempFolder())
        {
            File.WriteAllText(Path.Combine(context.Path, "Dockerfile"), $"FROM {_fixture.Image}\nENV FAIL_RATE=1\n");
            var built = await Docker.RunAsync("build", "--quiet", "--tag", broken, context.Path);
            Assert.True(built.ExitCode == 0, built.StandardError);
        }

        try
        {
            var first = await PipelineAsync(_fixture.Image);
            Assert.True(first.State == DeploymentState.Succeeded, first.Reason);
            var old = Assert.Single(await _fixture.LocalHost.Runtime.ListAsync(_app, CancellationToken.None), c => c.Running);
            var oldStartedAt = (await Docker.RunAsync("inspect", "--format", "{{.State.StartedAt}}", old.Name)).StandardOutput.Trim();
            await using var health = new LoadLoop(_port, path: "/health");
            await using var page = new LoadLoop(_port);

            // Default verify settings: the verify path is the health path, which the broken release answers well.
            var second = await PipelineAsync(broken);
            await Task.Delay(500);
            await health.StopAsync();
            await page.StopAsync();

            var verifying = second.Events.Single(e => e.IsTransition && e.To == DeploymentState.Verifying).At;
            var verifyTime = second.Events[^1].At - verifying;
            _output.WriteLine($"verify took {verifyTime.TotalSeconds:0.0} s (deadline 30 s); /health: {health.Failures} of {health.Requests} failed; /: {page.Failures} of {page.Requests} failed, {page.FailuresContaining("injected failure")} of them the broken release's own 500s");
            _output.WriteLine(second.Reason);
            Assert.Equal(DeploymentState.RolledBack, second.State);
            Assert.Contains($"http://127.0.0.1:{_port}/ through nginx on local: status 500, 3 times in a row; the previous release answered 200 there", second.Reason, StringComparison.Ordinal);
            Assert.Contains("which kept running", second.Reason, StringComparison.Ordinal);
            Assert.True(verifyTime < TimeSpan.FromSeconds(10), $"verify took {verifyTime}");

            // The old release never stopped serving: nothing reached a stopped or starting container, and it was never restarted.
            Assert.True(health.Failures == 0, $"{health.Failures} of {health.Requests} requests failed: {string.Join(" | ", health.FailureSamples)}");
            Assert.True(page.Failures == page.FailuresContaining("injected failure (FAIL_RATE)"), $"{page.Failures} of {page.Requests} requests failed: {string.Join(" | ", page.FailureSamples)}");
            Assert.True(page.Count("go-stdlib-example") > 0);
            var now = Assert.Single(await _fixture.LocalHost.Runtime.ListAsync(_app, CancellationToken.None));
            Assert.Equal((old.Name, true), (now.Name, now.Running));
            Assert.Equal(oldStartedAt, (await Docker.RunAsync("inspect", "--format", "{{.State.StartedAt}}", old.Name)).StandardOutput.Trim());
            Assert.Contains("go-stdlib-example", await GetAsync(), StringComparison.Ordinal);
        }
        finally
        {
            await _fixture.CleanAsync(_app);
            await Docker.RemoveImageAsync(broken);
        }
    }

    [Fact]
    public async Task Deploy_ReleaseThatCrashesOnStart_FailsWithItsLogs()
    {
        await DeployAsync<RollingStrategy>("v1");

        // HOST set to an address that cannot be bound: the app exits at once with Go's error.
        var outcome = await DeployAsync<RollingStrategy>("v2", new Dictionary<string, string> { ["HOST"] = "203.0.113.254" });

        Assert.Equal(DeployStatus.Failed, outcome.Status);
        Assert.Contains("exited with code 1", outcome.Reason, StringComparison.Ordinal);
        Assert.Contains("cannot assign requested address", outcome.Reason, StringComparison.Ordinal);
        Assert.Contains("\"version\":\"v1\"", await GetAsync(), StringComparison.Ordinal);
    }

    private async Task<DeployOutcome> DeployAsync<TStrategy>(string version, Dictionary<string, string>? env = null, TimeSpan? deadline = null)
        where TStrategy : IDeploymentStrategy
    {
        var request = _fixture.Request(_app, version, _port, env);
        if (deadline is { } d)
        {
            request = request with { Health = new HealthPolicy("/health", TimeSpan.FromMilliseconds(250), TimeSpan.FromSeconds(1), 3, d) };
        }

        var strategy = _fixture.Get<IEnumerable<IDeploymentStrategy>>().OfType<TStrategy>().Single();
        return await strategy.DeployAsync(request, NullDeployObserver.Instance, CancellationToken.None);
    }

    /// <summary>The pipeline's real deploy and verify stages (scan and build are done: <paramref name="image"/> is on the host), default settings.</summary>
    private async Task<Deployment> PipelineAsync(string image)
    {
        var stages = _fixture.Get<IEnumerable<IPipelineStage>>().Where(s => s.Stage is PipelineStage.Deploy or PipelineStage.Verify);
        var orchestrator = new PipelineOrchestrator(stages, Options.Create(new PipelineOptions()), TimeProvider.System, _fixture.Get<IConfigurationLocator>());
        var path = Path.Combine(Path.GetTempPath(), _app);
        var context = new PipelineContext(new Deployment(Guid.NewGuid(), _app, "production", StrategyKind.Rolling, "test", DateTimeOffset.UtcNow), path)
        {
            Command = new DeployCommand(path) { App = _app, Port = _port },
            Plan = new BuildPlan(path, null, string.Empty, false, null, [], image),
            Build = new BuildResult(true, image, null, 0, 0, TimeSpan.Zero, 0, [], [], null, null),
        };
        return await orchestrator.RunAsync(context, null, CancellationToken.None);
    }

    private async Task<string> GetAsync()
    {
        using var client = new HttpClient();
        return await client.GetStringAsync(new Uri($"http://127.0.0.1:{_port}/"));
    }
}

using DeployMind.Application.Deploy.Analysis;
using DeployMind.Application.Deploy.Hosts;
using DeployMind.Domain.Deploy;
using DeployMind.Infrastructure.Docker;
using DeployMind.IntegrationTests.Support;

namespace DeployMind.IntegrationTests.Deploy;

/// <summary>The container runtime and the health checker against the real engine.</summary>
public sealed class ContainerHealthTests : IDisposable
{
    private static readonly HealthPolicy Fast = new("/health", TimeSpan.FromMilliseconds(250), TimeSpan.FromSeconds(1), 3, TimeSpan.FromSeconds(30));
    private readonly BuildHost _host = new();
    private readonly DockerContainerRuntime _runtime = new(Docker.Runner);
    private readonly string _app = "dm-it-health-" + Guid.NewGuid().ToString("N")[..8];

    [Fact]
    public async Task WaitHealthy_GoodRelease_PassesAndIsDiscoverableByLabels()
    {
        var image = await BuildGoExampleAsync();
        var port = Docker.FreePort();
        var name = $"{_app}-r1";
        await _runtime.RunAsync(new ContainerSpec(name, image, port)
        {
            Labels = new Dictionary<string, string> { [ContainerLabels.App] = _app, [ContainerLabels.Release] = "r1" },
        }, CancellationToken.None);
        var progress = new List<string>();

        var report = await _host.Get<HealthChecker>().WaitHealthyAsync(
            new Uri($"http://127.0.0.1:{port}"), Fast, HealthWatch.Container(_runtime, name), new SyncProgress(r => progress.Add(r.Summary)), CancellationToken.None);

        Assert.True(report.Healthy, report.Failure);
        Assert.Equal("3/3 checks passed", progress[^1]);
        var listed = Assert.Single(await _runtime.ListAsync(_app, CancellationToken.None));
        Assert.Equal((name, true, "r1"), (listed.Name, listed.Running, listed.Label(ContainerLabels.Release)));
    }

    [Fact]
    public async Task WaitHealthy_ContainerThatCrashesOnStart_FailsFastWithItsLogs()
    {
        var name = $"{_app}-crash";
        await _runtime.RunAsync(new ContainerSpec(name, "deploymind-base/debian:bookworm", Docker.FreePort())
        {
            Labels = new Dictionary<string, string> { [ContainerLabels.App] = _app },
        }.WithCommand("sh", "-c", "echo 'Error: DATABASE_URL is not set' >&2; exit 3"), CancellationToken.None);

        var started = DateTime.UtcNow;
        var report = await _host.Get<HealthChecker>().WaitHealthyAsync(
            new Uri($"http://127.0.0.1:{Docker.FreePort()}"), Fast, HealthWatch.Container(_runtime, name), null, CancellationToken.None);

        Assert.False(report.Healthy);
        Assert.Contains("exited with code 3", report.Failure, StringComparison.Ordinal);
        Assert.Contains("DATABASE_URL is not set", report.Failure, StringComparison.Ordinal);
        Assert.True(DateTime.UtcNow - started < TimeSpan.FromSeconds(15), "a dead container must fail the check long before the deadline");
    }

    public void Dispose()
    {
        foreach (var container in _runtime.ListAsync(_app, CancellationToken.None).GetAwaiter().GetResult())
        {
            _runtime.RemoveAsync(container.Name, CancellationToken.None).GetAwaiter().GetResult();
        }

        Docker.RemoveImageAsync("dm-it-health-go:test").GetAwaiter().GetResult();
        _host.Dispose();
    }

    private async Task<string> BuildGoExampleAsync()
    {
        var builds = _host.Builds;
        using var source = Repo.CopyOf(Repo.Example("go-stdlib"));
        var plan = await builds.PlanAsync(source.Path, "dm-it-health-go:test", CancellationToken.None);
        var result = await builds.BuildAsync(plan, null, noCache: false, CancellationToken.None);
        Assert.True(result.Success, result.Error);
        return result.ImageTag;
    }

    private sealed class SyncProgress(Action<HealthReport> report) : IProgress<HealthReport>
    {
        public void Report(HealthReport value) => report(value);
    }
}

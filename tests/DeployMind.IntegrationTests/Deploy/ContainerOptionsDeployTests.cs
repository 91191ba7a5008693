using System.Diagnostics;
using System.Text.Json;
using DeployMind.Application.Deploy;
using DeployMind.Application.Deploy.Hosts;
using DeployMind.Application.Deploy.Strategies;
using DeployMind.Domain.Deploy;
using DeployMind.Infrastructure.Docker;
using DeployMind.IntegrationTests.Support;
using Xunit.Abstractions;

namespace DeployMind.IntegrationTests.Deploy;

/// <summary>
/// Container settings (<c>target.docker.container</c>) on the real engine: what a release container runs with, a named
/// volume across releases, how fast a stop is with an init process, and which images stay on the host.
/// </summary>
public sealed class ContainerOptionsDeployTests : IClassFixture<DeployFixture>, IAsyncLifetime, IDisposable
{
    private readonly DeployFixture _fixture;
    private readonly ITestOutputHelper _output;
    private readonly string _app = "dmit-opts-" + Guid.NewGuid().ToString("N")[..8];
    private readonly int _port = Docker.FreePort();
    private readonly List<string> _images = [];
    private readonly TempFolder _uploads = new();

    public ContainerOptionsDeployTests(DeployFixture fixture, ITestOutputHelper output)
    {
        _fixture = fixture;
        _output = output;
    }

    private string Volume => _app + "-data";

    public Task InitializeAsync() => Task.CompletedTask;

    public async Task DisposeAsync()
    {
        await _fixture.CleanAsync(_app);
        await Docker.RunAsync("rm", "--force", _app + "-sleep");
        await Docker.RunAsync("volume", "rm", "--force", Volume);
        foreach (var image in _images)
        {
            await Docker.RemoveImageAsync(image);
        }

        _uploads.Dispose();
    }

    [Fact]
    public async Task Deploy_ContainerSettings_TheContainerRunsWithInitLimitsRestartPolicyAndMounts()
    {
        var settings = new ContainerSettings
        {
            StopTimeout = TimeSpan.FromSeconds(4),
            Restart = "on-failure:2",
            Cpus = 0.5m,
            MemoryBytes = 64L * 1024 * 1024,
            Volumes = [$"{Volume}:/data", $"{_uploads.Path}:/uploads:ro"],
        };

        var outcome = await DeployAsync("v1", settings);

        Assert.True(outcome.Status == DeployStatus.Succeeded, outcome.Reason);
        using var inspect = await InspectRunningAsync();
        var container = inspect.RootElement[0];
        var hostConfig = container.GetProperty("HostConfig");
        Assert.True(hostConfig.GetProperty("Init").GetBoolean());
        Assert.Equal(500_000_000L, hostConfig.GetProperty("NanoCpus").GetInt64());
        Assert.Equal(64L * 1024 * 1024, hostConfig.GetProperty("Memory").GetInt64());
        Assert.Equal(("on-failure", 2), (hostConfig.GetProperty("RestartPolicy").GetProperty("Name").GetString(), hostConfig.GetProperty("RestartPolicy").GetProperty("MaximumRetryCount").GetInt32()));
        Assert.Equal(4, container.GetProperty("Config").GetProperty("StopTimeout").GetInt32());
        var mounts = container.GetProperty("Mounts").EnumerateArray()
            .Select(m => (m.GetProperty("Type").GetString(), m.GetProperty("Type").GetString() == "volume" ? m.GetProperty("Name").GetString() : m.GetProperty("Source").GetString(), m.GetProperty("Destination").GetString(), m.GetProperty("RW").GetBoolean()))
            .OrderBy(m => m.Item3, StringComparer.Ordinal)
            .ToList();
        Assert.Equal([("volume", Volume, "/data", true), ("bind", _uploads.Path, "/uploads", false)], mounts);
        using var client = new HttpClient();
        Assert.Contains("\"version\":\"v1\"", await client.GetStringAsync(new Uri($"http://127.0.0.1:{_port}/")), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Redeploy_NamedVolume_TheNextReleaseSeesTheDataTheLastOneWrote()
    {
        var settings = new ContainerSettings { Volumes = [$"{Volume}:/data"] };
        Assert.Equal(DeployStatus.Succeeded, (await DeployAsync("v1", settings)).Status);
        var first = await RunningContainerAsync();
        using (var marker = new TempFolder())
        {
            File.WriteAllText(Path.Combine(marker.Path, "orders.db"), "written while v1 served");
            var copied = await Docker.RunAsync("cp", Path.Combine(marker.Path, "orders.db"), $"{first}:/data/orders.db");
            Assert.True(copied.ExitCode == 0, copied.StandardError);
        }

        Assert.Equal(DeployStatus.Succeeded, (await DeployAsync("v2", settings)).Status);
        var second = await RunningContainerAsync();

        Assert.NotEqual(first, second);
        using var read = new TempFolder();
        var back = await Docker.RunAsync("cp", $"{second}:/data/orders.db", Path.Combine(read.Path, "orders.db"));
        Assert.True(back.ExitCode == 0, back.StandardError);
        Assert.Equal("written while v1 served", File.ReadAllText(Path.Combine(read.Path, "orders.db")));
    }

    [Fact]
    public async Task Stop_ProcessThatIgnoresSigtermAsPid1_StopsAtOnceWithInit()
    {
        // `sleep` as PID 1 ignores SIGTERM (the kernel drops default-handled signals to PID 1): without an init process a
        // stop waits the whole grace. With --init, the init process is PID 1 and passes SIGTERM on.
        var runtime = new DockerContainerRuntime(Docker.Runner);
        var name = _app + "-sleep";
        await runtime.RunAsync(ContainerSettings.Default.Apply(new ContainerSpec(name, "deploymind-base/debian:bookworm", Docker.FreePort())).WithCommand("sleep", "infinity"), CancellationToken.None);

        var clock = Stopwatch.StartNew();
        await runtime.StopAsync(name, TimeSpan.FromSeconds(10), CancellationToken.None);
        clock.Stop();

        _output.WriteLine($"docker stop took {clock.Elapsed.TotalSeconds:0.00} s (grace 10 s)");
        var state = await runtime.InspectAsync(name, CancellationToken.None);
        Assert.False(state!.Running);
        Assert.True(clock.Elapsed < TimeSpan.FromSeconds(5), $"the stop took {clock.Elapsed}: SIGTERM did not reach the process");
    }

    [Fact]
    public async Task Deploys_KeepTheLastReleasesImages_AndAFailedReleasesImageIsRemoved()
    {
        // Four releases of distinct images (each its own image id), then one that never gets healthy.
        for (var i = 1; i <= 5; i++)
        {
            _images.Add(await DerivedImageAsync(i, unhealthy: i == 5));
        }

        for (var i = 1; i <= 4; i++)
        {
            var outcome = await DeployAsync($"v{i}", ContainerSettings.Default, _images[i - 1], keep: 2);
            Assert.True(outcome.Status == DeployStatus.Succeeded, outcome.Reason);
        }

        var failed = await DeployAsync("v5", ContainerSettings.Default, _images[4], keep: 2, healthDeadline: TimeSpan.FromSeconds(3));

        Assert.Equal(DeployStatus.Failed, failed.Status);
        var present = new List<string>();
        foreach (var image in _images)
        {
            if ((await Docker.RunAsync("image", "inspect", image)).ExitCode == 0)
            {
                present.Add(image);
            }
        }

        // The two kept releases (the serving one and one stopped for rollbacks); the older ones and the failed one are gone.
        Assert.Equal([_images[2], _images[3]], present);
        var containers = await _fixture.LocalHost.Runtime.ListAsync(_app, CancellationToken.None);
        Assert.Equal(["v3", "v4"], containers.Select(c => c.Label(ContainerLabels.Release)).Order(StringComparer.Ordinal));
        Assert.Equal("v4", Assert.Single(containers, c => c.Running).Label(ContainerLabels.Release));
        Assert.True(await _fixture.LocalHost.Runtime.ImageExistsAsync(_fixture.Image, CancellationToken.None), "an image no release of the app ran stays");
    }

    public void Dispose() => _uploads.Dispose();

    private async Task<string> DerivedImageAsync(int n, bool unhealthy)
    {
        var tag = $"{_app}:r{n}";
        using var context = new TempFolder();
        File.WriteAllText(Path.Combine(context.Path, "Dockerfile"), $"FROM {_fixture.Image}\nLABEL io.deploymind.test.release=\"{n}\"\n{(unhealthy ? "ENV UNHEALTHY=1\n" : string.Empty)}");
        var built = await Docker.RunAsync("build", "--quiet", "--tag", tag, context.Path);
        Assert.True(built.ExitCode == 0, built.StandardError);
        return tag;
    }

    private async Task<DeployOutcome> DeployAsync(string version, ContainerSettings settings, string? image = null, int keep = 3, TimeSpan? healthDeadline = null)
    {
        var request = _fixture.Request(_app, version, _port);
        request = request with
        {
            Release = request.Release with { Image = image ?? _fixture.Image },
            Container = settings,
            KeepReleases = keep,
            Drain = TimeSpan.Zero,
        };
        if (healthDeadline is { } deadline)
        {
            request = request with { Health = new HealthPolicy("/health", TimeSpan.FromMilliseconds(250), TimeSpan.FromSeconds(1), 3, deadline) };
        }

        var rolling = _fixture.Get<IEnumerable<IDeploymentStrategy>>().OfType<RollingStrategy>().Single();
        return await rolling.DeployAsync(request, NullDeployObserver.Instance, CancellationToken.None);
    }

    private async Task<string> RunningContainerAsync() =>
        Assert.Single(await _fixture.LocalHost.Runtime.ListAsync(_app, CancellationToken.None), c => c.Running).Name;

    private async Task<JsonDocument> InspectRunningAsync()
    {
        var result = await Docker.RunAsync("container", "inspect", await RunningContainerAsync());
        Assert.True(result.ExitCode == 0, result.StandardError);
        return JsonDocument.Parse(result.StandardOutput);
    }
}

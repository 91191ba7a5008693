using DeployMind.Application.Configuration;
using DeployMind.Application.Deploy;
using DeployMind.Application.Deploy.Hosts;
using DeployMind.Application.Deploy.Strategies;
using DeployMind.Domain.Deploy;
using DeployMind.Infrastructure.Hosts;
using DeployMind.Infrastructure.Nginx;
using DeployMind.Infrastructure.Processes;
using DeployMind.IntegrationTests.Deploy;
using DeployMind.IntegrationTests.Support;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace DeployMind.IntegrationTests.Aws;

/// <summary>
/// The same deploy code on an EC2 "instance" through SSM: the real AWSSDK clients against the loopback fake, whose instance
/// is this machine (its Docker engine, where the image already is, and the fixture's nginx prefix).
/// </summary>
public sealed class SsmDeployTests : IClassFixture<DeployFixture>, IClassFixture<FakeAwsFixture>, IAsyncLifetime, IDisposable
{
    private readonly DeployFixture _fixture;
    private readonly FakeAwsFixture _aws;
    private readonly DeployHostFactory _factory;
    private readonly string _app = "dmitssm" + Guid.NewGuid().ToString("N")[..8];
    private readonly int _port = Docker.FreePort();

    public SsmDeployTests(DeployFixture fixture, FakeAwsFixture aws)
    {
        _fixture = fixture;
        _aws = aws;
        _factory = new DeployHostFactory(
            fixture.Get<ICommandRunner>(),
            fixture.Get<IHttpProbe>(),
            fixture.Get<IOptions<NginxOptions>>(),
            TimeProvider.System,
            fixture.Get<ILoggerFactory>(),
            aws.Clients);
    }

    private DeployHost SsmHost => _factory.Create(new HostOptions
    {
        Name = "ssm-loopback",
        Ssm = new SsmHostOptions { Instance = FakeAwsFixture.InstanceId, S3Bucket = FakeAwsFixture.Bucket, S3Prefix = "deploys" },
    });

    public Task InitializeAsync() => Task.CompletedTask;

    public Task DisposeAsync() => _fixture.CleanAsync(_app);

    public void Dispose() => _factory.Dispose();

    [Fact]
    public async Task Rolling_TwoReleasesOnAnSsmHost_ServesTheNewOneAndKeepsTheOld()
    {
        var first = await DeployAsync<RollingStrategy>("v1");
        var second = await DeployAsync<RollingStrategy>("v2");

        Assert.True(first.Status == DeployStatus.Succeeded, first.Reason);
        Assert.True(second.Status == DeployStatus.Succeeded, second.Reason);
        using var client = new HttpClient();
        Assert.Contains("\"version\":\"v2\"", await client.GetStringAsync(new Uri($"http://127.0.0.1:{_port}/")), StringComparison.Ordinal);
        var containers = await SsmHost.Runtime.ListAsync(_app, CancellationToken.None);
        Assert.Equal(["v1", "v2"], containers.Select(c => c.Label(ContainerLabels.Release)).Order(StringComparer.Ordinal));
        Assert.Equal("v2", Assert.Single(containers, c => c.Running).Label(ContainerLabels.Release));
        Assert.Contains(_aws.Aws.SentCommands, c => c.Commands[0].Contains("docker", StringComparison.Ordinal) && c.Commands[0].Contains(_app, StringComparison.Ordinal));
    }

    [Fact]
    public async Task Canary_GoodVersionUnderLoadOnAnSsmHost_ReachesAllTrafficJudgedFromTheInstancesAccessLog()
    {
        await DeployAsync<RollingStrategy>("v1");

        // Paced: a deploy through SSM takes longer than LoadLoop.MaxRequests at full speed lasts (about 200 requests/s here).
        await using var load = new LoadLoop(_port, pause: TimeSpan.FromMilliseconds(10));

        var steps = new List<string>();
        var outcome = await DeployAsync<CanaryStrategy>("v2", new Observer(steps));
        await load.StopAsync();

        Assert.True(outcome.Status == DeployStatus.Succeeded, $"{outcome.Reason}; load {load.Requests}; steps: {string.Join(" | ", steps)}");
        Assert.Equal(100, outcome.CanaryPercentReached);
        Assert.All(outcome.CanarySteps, s => Assert.True(s.Canary.Requests > 0 && s.Stable.Requests > 0, s.Reason));
        Assert.True(load.Failures == 0, $"{load.Failures} of {load.Requests} requests failed: {string.Join(" | ", load.FailureSamples)}");
    }

    private async Task<DeployOutcome> DeployAsync<TStrategy>(string version, IDeployObserver? observer = null)
        where TStrategy : IDeploymentStrategy
    {
        var request = _fixture.Request(_app, version, _port, null, SsmHost);
        if (typeof(TStrategy) == typeof(CanaryStrategy))
        {
            // 4 s steps are far too short for the judge to show the canary within a point of the stable; the steps are
            // judged from the instance's access log all the same, and an undecided one goes on (saying so).
            request = request with { Canary = new CanaryPolicy([10, 50, 100], TimeSpan.FromSeconds(4), 0.05, 20, InsufficientDataAction.Pass) };
        }

        var strategy = _fixture.Get<IEnumerable<IDeploymentStrategy>>().OfType<TStrategy>().Single();
        return await strategy.DeployAsync(request, observer ?? NullDeployObserver.Instance, CancellationToken.None);
    }

    /// <summary>What the deploy reported, for the failure message.</summary>
    private sealed class Observer(List<string> steps) : IDeployObserver
    {
        public void Step(string host, string message) => Add($"{host}: {message}");

        public void Health(string host, HealthReport report)
        {
        }

        public void Progress(string host, string message) => Add($"{host}: progress: {message}");

        private void Add(string text)
        {
            lock (steps)
            {
                steps.Add($"{DateTimeOffset.UtcNow:HH:mm:ss.fff} {text}");
            }
        }
    }
}

using DeployMind.Application.Configuration;
using DeployMind.Application.Deploy;
using DeployMind.Application.Deploy.Analysis;
using DeployMind.Application.Deploy.Hosts;
using DeployMind.Application.Deploy.Kubernetes;
using DeployMind.Application.Deploy.Strategies;
using DeployMind.Application.Deploy.Targets;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.Time.Testing;

namespace DeployMind.UnitTests.Deploy.Targets;

/// <summary>DeployService chooses the environment's target once and delegates to it.</summary>
public sealed class DeployTargetsTests
{
    private readonly FakeTimeProvider _time = new(new DateTimeOffset(2026, 12, 6, 12, 0, 0, TimeSpan.Zero));
    private readonly FakeDeployHost _host = new();

    [Fact]
    public void TargetOf_TheEnvironmentsTarget_IsChosenFromItsConfiguration()
    {
        var service = Service(new TargetOptions { Kubernetes = new KubernetesTargetOptions() });

        Assert.Equal(DeployTargetKind.Kubernetes, service.TargetOf(new DeployCommand("/apps/shop") { Environment = "staging" }).Kind);
        Assert.Equal(DeployTargetKind.Docker, service.TargetOf(new DeployCommand("/apps/shop") { Environment = "production" }).Kind);
    }

    [Fact]
    public async Task ReleasesAsync_DockerHosts_AreTheKeptReleasesNewestFirst()
    {
        _host.Seed("shop", "r1", "shop:1", _time.GetUtcNow().AddHours(-2)).Running = false;
        _host.Seed("shop", "r2", "shop:2", _time.GetUtcNow().AddHours(-1));
        var service = Service(new TargetOptions());

        var releases = await service.ReleasesAsync(new DeployCommand("/apps/shop") { Environment = "production" }, "shop", CancellationToken.None);

        Assert.Equal([("r2", "shop:2"), ("r1", "shop:1")], releases.Select(r => (r.ReleaseId, r.Image)));
    }

    [Fact]
    public async Task RemoveAsync_DockerHosts_RemovesTheSiteAndTheContainers()
    {
        _host.Seed("shop-pr-7", "r1", "shop:1", _time.GetUtcNow().AddHours(-1));
        var service = Service(new TargetOptions());
        var command = new DeployCommand("/apps/shop") { Environment = "production", PullRequest = 7 };

        var removed = await service.RemoveAsync(command, "shop-pr-7", NullDeployObserver.Instance, CancellationToken.None);

        Assert.Equal(["local: the nginx site and 1 container(s) of shop-pr-7"], removed);
        Assert.Empty(_host.Containers);
        Assert.Empty(await service.LeftoversAsync(command, "shop-pr-7", CancellationToken.None));
    }

    [Fact]
    public async Task RemoveAsync_KubernetesTarget_GoesToTheClusterWithoutTouchingAnyDockerHost()
    {
        _host.Seed("shop", "r1", "shop:1", _time.GetUtcNow().AddHours(-1));
        var service = Service(new TargetOptions { Kubernetes = new KubernetesTargetOptions { Context = "staging", Namespace = "shop" } });

        var error = await Assert.ThrowsAsync<InvalidOperationException>(
            () => service.RemoveAsync(new DeployCommand("/apps/shop") { Environment = "staging" }, "shop", NullDeployObserver.Instance, CancellationToken.None));

        Assert.Equal("no cluster is used here", error.Message);
        Assert.Single(_host.Containers);
    }

    private DeployService Service(TargetOptions staging)
    {
        var app = new AppOptions { App = "shop" };
        app.Environments["staging"] = new EnvironmentOptions { Target = staging };
        app.Environments["production"] = new EnvironmentOptions();
        var launcher = new ReleaseLauncher(new HealthChecker(_host, _time), _time);
        var rolling = new RollingStrategy(launcher, _time);
        IDeployTarget[] targets = [new DockerHostsTarget([rolling], new RollbackService(rolling)), new KubernetesTarget(new KubernetesDeployer(new NoClusters(), new NoPublisher(), _time))];
        return new DeployService(new OneHost(_host.Host), targets, Options.Create(app), _time);
    }

    private sealed class OneHost(DeployHost host) : IDeployHostFactory
    {
        public DeployHost Create(HostOptions options) => host;
    }

    private sealed class NoClusters : IKubernetesClusterFactory
    {
        public IKubernetesCluster Connect(KubernetesSettings settings) => throw new InvalidOperationException("no cluster is used here");
    }

    private sealed class NoPublisher : IImagePublisher
    {
        public Task<string> PublishAsync(string image, string registry, CancellationToken cancellationToken) => throw new InvalidOperationException("nothing is pushed here");
    }
}

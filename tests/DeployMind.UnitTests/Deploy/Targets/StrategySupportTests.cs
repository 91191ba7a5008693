using DeployMind.Application.Configuration;
using DeployMind.Application.Deploy;
using DeployMind.Application.Deploy.Analysis;
using DeployMind.Application.Deploy.Hosts;
using DeployMind.Application.Deploy.Kubernetes;
using DeployMind.Application.Deploy.Strategies;
using DeployMind.Application.Deploy.Targets;
using DeployMind.Domain;
using DeployMind.Domain.Deploy;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.Time.Testing;

namespace DeployMind.UnitTests.Deploy.Targets;

/// <summary>Which strategies each kind of target carries out, and the refusal of any other pair before anything changes.</summary>
public sealed class StrategySupportTests
{
    private readonly FakeTimeProvider _time = new(new DateTimeOffset(2026, 12, 6, 12, 0, 0, TimeSpan.Zero));

    [Fact]
    public void Targets_BothKinds_CarryOutRollingCanaryAndBlueGreen_AsTheyDidBefore()
    {
        var (docker, kubernetes) = RealTargets();

        Assert.Equal([StrategyKind.Rolling, StrategyKind.Canary, StrategyKind.BlueGreen], docker.Strategies);
        Assert.Equal([StrategyKind.Rolling, StrategyKind.Canary, StrategyKind.BlueGreen], kubernetes.Strategies);
    }

    [Fact]
    public void StrategyOf_StrategyTheTargetDoesNotSupport_IsAConfigurationErrorNamingBoth()
    {
        var service = Service(new KubernetesTargetOptions(), "blue-green", new LimitedKubernetesTarget());

        var error = Assert.Throws<InvalidInputException>(() => service.StrategyOf(new DeployCommand("/apps/shop") { Environment = "staging" }));

        Assert.Equal("environments.staging: strategy blue-green is not supported by kubernetes targets; supported: rolling, canary", error.Message);
    }

    [Fact]
    public void StrategyOf_UnsupportedStrategyFlag_NamesTheFlag()
    {
        var service = Service(new KubernetesTargetOptions(), null, new LimitedKubernetesTarget());

        var error = Assert.Throws<InvalidInputException>(() => service.StrategyOf(new DeployCommand("/apps/shop") { Environment = "staging", Strategy = StrategyKind.BlueGreen }));

        Assert.Equal("--strategy for environments.staging: strategy blue-green is not supported by kubernetes targets; supported: rolling, canary", error.Message);
    }

    [Fact]
    public void Problems_UnsupportedPair_IsReportedByValidate()
    {
        var service = Service(new KubernetesTargetOptions(), "blue-green", new LimitedKubernetesTarget());

        var problems = service.Problems(new DeployCommand("/apps/shop") { Environment = "staging" });

        Assert.Equal(["environments.staging: strategy blue-green is not supported by kubernetes targets; supported: rolling, canary"], problems);
    }

    [Fact]
    public async Task DeployImage_StrategyNoTargetKnows_IsRefusedBeforeTheClusterIsTouched_NeverRolling()
    {
        var (_, kubernetes) = RealTargets();
        var service = new DeployService(new NoHosts(), [kubernetes], Options.Create(new AppOptions()), _time);
        var request = new DeployRequest(new ReleaseSpec("shop", "r1", "shop:1", null), [], 80, HealthPolicy.Default)
        {
            Kubernetes = new KubernetesTargetOptions().ToSettings("environments.staging.target.kubernetes", 8080),
        };

        // NoClusters throws if anything connects: the refusal comes first.
        var error = await Assert.ThrowsAsync<InvalidInputException>(() => service.DeployImageAsync(request, (StrategyKind)42, NullDeployObserver.Instance, CancellationToken.None));

        Assert.Equal("strategy 42 is not supported by kubernetes targets; supported: rolling, canary, blue-green", error.Message);
    }

    [Fact]
    public async Task DeployImage_StrategyNoDockerStrategyIsRegisteredFor_IsRefusedBeforeAnyHostIsTouched()
    {
        var rolling = Rolling();
        var docker = new DockerHostsTarget([rolling], new RollbackService(rolling));
        var host = new FakeDeployHost();
        var service = new DeployService(new NoHosts(), [docker], Options.Create(new AppOptions()), _time);
        var request = new DeployRequest(new ReleaseSpec("shop", "r1", "shop:1", null), [host.Host], 8080, HealthPolicy.Default);

        var error = await Assert.ThrowsAsync<InvalidInputException>(() => service.DeployImageAsync(request, StrategyKind.Canary, NullDeployObserver.Instance, CancellationToken.None));

        Assert.Equal("strategy canary is not supported by docker targets; supported: rolling", error.Message);
        Assert.Empty(host.Containers);
        Assert.Null(host.Route);
    }

    private (IDeployTarget Docker, IDeployTarget Kubernetes) RealTargets()
    {
        var launcher = new ReleaseLauncher(new HealthChecker(new FakeDeployHost(), _time), _time);
        var rolling = new RollingStrategy(launcher, _time);
        var docker = new DockerHostsTarget([rolling, new CanaryStrategy(launcher, _time), new BlueGreenStrategy(launcher, _time)], new RollbackService(rolling));
        return (docker, new KubernetesTarget(new KubernetesDeployer(new NoClusters(), new NoPublisher(), _time)));
    }

    private RollingStrategy Rolling() => new(new ReleaseLauncher(new HealthChecker(new FakeDeployHost(), _time), _time), _time);

    private DeployService Service(KubernetesTargetOptions kubernetes, string? strategy, IDeployTarget target)
    {
        var app = new AppOptions { App = "shop" };
        app.Environments["staging"] = new EnvironmentOptions { Target = new TargetOptions { Kubernetes = kubernetes }, Strategy = strategy ?? "rolling" };
        return new DeployService(new NoHosts(), [target], Options.Create(app), _time);
    }

    /// <summary>A Kubernetes target that carries out rolling and canary only (as a future kind of target might).</summary>
    private sealed class LimitedKubernetesTarget : IDeployTarget
    {
        public DeployTargetKind Kind => DeployTargetKind.Kubernetes;

        public IReadOnlyList<StrategyKind> Strategies { get; } = [StrategyKind.Rolling, StrategyKind.Canary];

        public Task<DeployOutcome> DeployAsync(DeployRequest request, StrategyKind strategy, IDeployObserver observer, CancellationToken cancellationToken) => throw Unused();

        public Task<(ReleaseSpec Release, DeployOutcome Outcome)> RollbackAsync(DeployRequest template, IDeployObserver observer, CancellationToken cancellationToken) => throw Unused();

        public Task<DeployOutcome> RollbackToAsync(DeployRequest template, ReleaseSpec target, IDeployObserver observer, CancellationToken cancellationToken) => throw Unused();

        public Task<IReadOnlyList<ReleaseSpec>> ReleasesAsync(DeployRequest template, string app, CancellationToken cancellationToken) => throw Unused();

        public Task<IReadOnlyList<string>> RemoveAsync(DeployRequest template, string app, IDeployObserver observer, CancellationToken cancellationToken) => throw Unused();

        public Task<IReadOnlyList<string>> LeftoversAsync(DeployRequest template, string app, CancellationToken cancellationToken) => throw Unused();

        private static InvalidOperationException Unused() => new("nothing is deployed here");
    }

    private sealed class NoHosts : IDeployHostFactory
    {
        public DeployHost Create(HostOptions options) => throw new InvalidOperationException("no Docker host is used here");
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

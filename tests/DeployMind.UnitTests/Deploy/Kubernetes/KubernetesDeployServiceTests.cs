using DeployMind.Application.Configuration;
using DeployMind.Application.Deploy;
using DeployMind.Application.Deploy.Analysis;
using DeployMind.Application.Deploy.Hosts;
using DeployMind.Application.Deploy.Kubernetes;
using DeployMind.Application.Deploy.Strategies;
using DeployMind.Application.Deploy.Targets;
using DeployMind.Application.Pipeline;
using DeployMind.Domain;
using DeployMind.Domain.Deploy;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.Time.Testing;

namespace DeployMind.UnitTests.Deploy.Kubernetes;

/// <summary>How the shared deploy service and pipeline stages treat an environment that targets Kubernetes.</summary>
public sealed class KubernetesDeployServiceTests
{
    private readonly FakeTimeProvider _time = new(new DateTimeOffset(2026, 11, 27, 12, 0, 0, TimeSpan.Zero));

    [Fact]
    public void CreateRequest_KubernetesTarget_HasNoHostsTheServicePortAndTheDetectedContainerPort()
    {
        var service = Service(new TargetOptions { Kubernetes = new KubernetesTargetOptions { Context = "staging", Namespace = "shop", ServicePort = 8081 } });

        var request = service.CreateRequest(new DeployCommand("/apps/shop") { Environment = "staging" }, "/apps/shop", "shop:1a2b", detectedPort: 3000);

        Assert.Empty(request.Hosts);
        Assert.Equal(8081, request.ListenPort);
        Assert.Equal((3000, "staging/shop"), (request.Kubernetes!.ContainerPort, request.Kubernetes.Display));
    }

    [Fact]
    public void TargetsOf_KubernetesTarget_IsTheClusterNamespaceAndApp()
    {
        var service = Service(new TargetOptions { Kubernetes = new KubernetesTargetOptions { Context = "staging", Namespace = "shop" } });

        Assert.Equal(["k8s:staging/shop/shop"], service.TargetsOf(new DeployCommand("/apps/shop") { Environment = "staging" }));
    }

    [Fact]
    public void TargetsOf_APullRequestsPreview_LocksItsOwnInstanceOnEachHost_AndRunsAsIt()
    {
        var hosts = new DockerTargetOptions { Hosts = [new HostOptions { Name = "web-1", Ssh = "deploy@203.0.113.10" }, new HostOptions { Name = "web-2", Ssh = "deploy@203.0.113.11" }] };
        var service = Service(new TargetOptions { Docker = hosts });
        var preview = new DeployCommand("/apps/shop") { Environment = "staging", PullRequest = 7 };

        Assert.Equal(["docker:web-1/shop-pr-7", "docker:web-2/shop-pr-7"], service.TargetsOf(preview));
        Assert.Equal(["docker:web-1", "docker:web-2"], service.TargetsOf(preview with { PullRequest = null }));
        Assert.Equal("shop-pr-7", service.InstanceName(preview, "/apps/shop"));
    }

    [Fact]
    public void Problems_DockerAndKubernetesBoth_IsOneClearProblemNamingTheTarget()
    {
        var service = Service(new TargetOptions { Docker = new DockerTargetOptions(), Kubernetes = new KubernetesTargetOptions() });

        var problems = service.Problems(new DeployCommand("/apps/shop") { Environment = "staging" });

        Assert.Equal(["environments.staging.target: both docker and kubernetes are set; an environment deploys to one target, keep one of them."], problems);
    }

    [Fact]
    public void Problems_BadKubernetesSetting_IsReportedWithItsKey()
    {
        var service = Service(new TargetOptions { Kubernetes = new KubernetesTargetOptions { Replicas = -1 } });

        var problems = service.Problems(new DeployCommand("/apps/shop") { Environment = "staging" });

        Assert.Equal(["environments.staging.target.kubernetes.replicas: -1 is out of range; use 1 to 1000."], problems);
    }

    [Fact]
    public void CreateRequest_HostFlagWithAKubernetesTarget_SaysToDropIt()
    {
        var service = Service(new TargetOptions { Kubernetes = new KubernetesTargetOptions() });

        var error = Assert.Throws<InvalidInputException>(() => service.CreateRequest(new DeployCommand("/apps/shop") { Environment = "staging", Host = "deploy@203.0.113.10" }, "/apps/shop", "shop:1"));

        Assert.StartsWith("--host: environments.staging.target is a Kubernetes namespace", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Verify_KubernetesDeployment_IsSkippedSayingTheRolloutCheckedReadiness()
    {
        var app = new AppOptions();
        var settings = new KubernetesTargetOptions { Context = "staging", Namespace = "shop" }.ToSettings("k", 8080);
        var request = new DeployRequest(new ReleaseSpec("shop", "r1", "shop:1", null), [], 80, HealthPolicy.Default) { Kubernetes = settings };
        var context = new PipelineContext(new Deployment(Guid.NewGuid(), "shop", "production", StrategyKind.Rolling, "test", _time.GetUtcNow()), "/tmp")
        {
            Request = request,
            Outcome = new DeployOutcome(DeployStatus.Succeeded, StrategyKind.Rolling, null, TimeSpan.FromSeconds(3)),
        };

        var report = await new VerifyStage(new RollbackService(new RollingStrategy(new ReleaseLauncher(new HealthChecker(new NoProbe(), _time), _time), _time)), Options.Create(app), _time)
            .RunAsync(context, CancellationToken.None);

        Assert.Equal(StageOutcome.Passed, report.Outcome);
        Assert.Equal("skipped for the Kubernetes target staging/shop: the rollout waited for every pod's readiness probe on /health", report.Summary);
    }

    [Fact]
    public void KubernetesSettingsOf_AppAndEnvironmentEnvClear_JoinTheTargetsEnv()
    {
        var service = Service(
            new TargetOptions { Kubernetes = new KubernetesTargetOptions { Context = "staging", Env = new() { ["REGION"] = "eu" } } },
            new EnvOptions { Clear = new() { ["LOG_LEVEL"] = "info", ["REGION"] = "eu" } },
            new EnvOptions { Clear = new() { ["LOG_LEVEL"] = "debug" } });

        var settings = service.KubernetesSettingsOf(new DeployCommand("/apps/shop") { Environment = "staging" })!;

        Assert.Equal(new Dictionary<string, string> { ["LOG_LEVEL"] = "debug", ["REGION"] = "eu" }, settings.Env);
    }

    [Fact]
    public void KubernetesSettingsOf_EnvClearConflictsWithTheTargetsEnv_NamesTheKey()
    {
        var service = Service(
            new TargetOptions { Kubernetes = new KubernetesTargetOptions { Context = "staging", Env = new() { ["REGION"] = "us" } } },
            new EnvOptions { Clear = new() { ["REGION"] = "eu" } });

        var ex = Assert.Throws<InvalidInputException>(() => service.KubernetesSettingsOf(new DeployCommand("/apps/shop") { Environment = "staging" }));

        Assert.Equal("environments.staging.target.kubernetes.env.REGION: REGION is in env.clear with another value; keep it in one of them.", ex.Message);
    }

    [Fact]
    public void KubernetesSettingsOf_EnvSecret_NamesTheReleasesSecretVariablesAndIsNoProblem()
    {
        var service = Service(
            new TargetOptions { Kubernetes = new KubernetesTargetOptions { Context = "staging" } },
            new EnvOptions { Secret = ["STRIPE_KEY", "API_KEY"] },
            new EnvOptions { Secret = ["DATABASE_URL"] });
        var command = new DeployCommand("/apps/shop") { Environment = "staging" };

        var settings = service.KubernetesSettingsOf(command)!;

        Assert.Equal(["API_KEY", "DATABASE_URL", "STRIPE_KEY"], settings.Secrets);
        Assert.Empty(service.Problems(command));
        Assert.Equal("shop-r1-env", KubernetesDeployer.Workload(new DeployRequest(new ReleaseSpec("shop", "r1", "shop:1", null), [], 80, HealthPolicy.Default) { Kubernetes = settings }, "shop:1").ReleaseSecret);
    }

    [Theory]
    [InlineData("secretEnv", "environments.staging.target.kubernetes.secretEnv.API_KEY: API_KEY is in env.secret too; keep it in one of them.")]
    [InlineData("env", "environments.staging.target.kubernetes.env.API_KEY: API_KEY is in env.secret too; keep it in one of them.")]
    public void KubernetesSettingsOf_EnvSecretAlsoInTheTarget_NamesTheKey(string where, string expected)
    {
        var kubernetes = where == "env"
            ? new KubernetesTargetOptions { Context = "staging", Env = new() { ["API_KEY"] = "x" } }
            : new KubernetesTargetOptions { Context = "staging", SecretEnv = new() { ["API_KEY"] = new KubernetesSecretRefOptions { Secret = "api", Key = "key" } } };
        var service = Service(new TargetOptions { Kubernetes = kubernetes }, new EnvOptions { Secret = ["API_KEY"] });

        var ex = Assert.Throws<InvalidInputException>(() => service.KubernetesSettingsOf(new DeployCommand("/apps/shop") { Environment = "staging" }));

        Assert.Equal(expected, ex.Message);
    }

    [Fact]
    public void KubernetesSettingsOf_NoEnvSecret_HasNoReleaseSecret()
    {
        var service = Service(new TargetOptions { Kubernetes = new KubernetesTargetOptions { Context = "staging" } }, new EnvOptions { Clear = new() { ["REGION"] = "eu" } });

        var settings = service.KubernetesSettingsOf(new DeployCommand("/apps/shop") { Environment = "staging" })!;

        Assert.Empty(settings.Secrets);
        Assert.Null(KubernetesDeployer.Workload(new DeployRequest(new ReleaseSpec("shop", "r1", "shop:1", null), [], 80, HealthPolicy.Default) { Kubernetes = settings }, "shop:1").ReleaseSecret);
    }

    private DeployService Service(TargetOptions target, EnvOptions? appEnv = null, EnvOptions? environmentEnv = null)
    {
        var app = new AppOptions { App = "shop", Env = appEnv ?? new EnvOptions() };
        app.Environments["staging"] = new EnvironmentOptions { Target = target, Env = environmentEnv ?? new EnvOptions() };
        var rolling = new RollingStrategy(new ReleaseLauncher(new HealthChecker(new NoProbe(), _time), _time), _time);
        return new DeployService(new NoHosts(), [new DockerHostsTarget([rolling], new RollbackService(rolling)), new KubernetesTarget(new KubernetesDeployer(new NoClusters(), new NoPublisher(), _time))], Options.Create(app), _time);
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

    private sealed class NoProbe : IHttpProbe
    {
        public Task<ProbeResult> GetAsync(Uri url, TimeSpan timeout, CancellationToken cancellationToken) => throw new InvalidOperationException("nothing is probed here");

        public Task<ProbeResult> GetAsync(Uri url, string? hostName, TimeSpan timeout, CancellationToken cancellationToken) => throw new InvalidOperationException("nothing is probed here");
    }
}

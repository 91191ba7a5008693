using DeployMind.Application.Configuration;
using DeployMind.Application.Deploy;
using DeployMind.Application.Deploy.Kubernetes;
using DeployMind.Domain.Deploy;
using DeployMind.Infrastructure.Kubernetes;

namespace DeployMind.IntegrationTests.Kubernetes;

/// <summary>A loopback Kubernetes API server, a kubeconfig pointing at it (context "test", namespace "shop") and a deployer using both.</summary>
public sealed class KubernetesTestTarget : IAsyncDisposable
{
    public const string App = "shop";

    private readonly string _folder = Directory.CreateTempSubdirectory("dm-k8s-").FullName;

    private KubernetesTestTarget(FakeKubernetesApiServer server)
    {
        Server = server;
        Kubeconfig = server.WriteKubeconfig(_folder);
        Deployer = new KubernetesDeployer(new KubernetesClusterFactory(), Publisher, TimeProvider.System);
    }

    public FakeKubernetesApiServer Server { get; }

    /// <summary>Records what would be pushed (the docker commands themselves are tested by their argument lists).</summary>
    public RecordingPublisher Publisher { get; } = new();

    public string Kubeconfig { get; }

    public KubernetesDeployer Deployer { get; }

    public List<string> Steps { get; } = [];

    public static async Task<KubernetesTestTarget> StartAsync() => new(await FakeKubernetesApiServer.StartAsync());

    /// <summary>The environment's target as deploymind.yml would give it.</summary>
    public KubernetesTargetOptions Options(Action<KubernetesTargetOptions>? change = null)
    {
        var options = new KubernetesTargetOptions { Kubeconfig = Kubeconfig, Context = "test", Namespace = "shop", Replicas = 2, RolloutDeadline = "10s" };
        change?.Invoke(options);
        return options;
    }

    public DeployRequest Request(string releaseId, string image, Action<KubernetesTargetOptions>? change = null, CanaryPolicy? canary = null)
    {
        var settings = Options(change).ToSettings("environments.staging.target.kubernetes", 8080);
        var health = new HealthPolicy("/health", TimeSpan.FromMilliseconds(10), TimeSpan.FromSeconds(1), 1, TimeSpan.FromSeconds(5));
        return new DeployRequest(new ReleaseSpec(App, releaseId, image, "abc123"), [], settings.ServicePort, health)
        {
            Kubernetes = settings,
            Canary = canary ?? new CanaryPolicy([25, 50, 100], TimeSpan.FromMilliseconds(60), 0.05, 5, InsufficientDataAction.Pass),
            ObservationWindow = TimeSpan.FromMilliseconds(100),
        };
    }

    public Task<DeployOutcome> DeployAsync(DeployRequest request, StrategyKind strategy) =>
        Deployer.DeployAsync(request, strategy, new StepObserver(Steps), CancellationToken.None);

    public IDeployObserver Observer() => new StepObserver(Steps);

    public async ValueTask DisposeAsync()
    {
        await Server.DisposeAsync();
        Directory.Delete(_folder, recursive: true);
    }

    private sealed class StepObserver(List<string> steps) : IDeployObserver
    {
        public void Step(string host, string message)
        {
            lock (steps)
            {
                steps.Add($"{host}: {message}");
            }
        }

        public void Health(string host, HealthReport report)
        {
        }

        public void Progress(string host, string message)
        {
            lock (steps)
            {
                steps.Add($"{host}: progress: {message}");
            }
        }
    }

    /// <summary>Records pushes and answers with the pushed name, as <c>docker push</c> to the registry would.</summary>
    public sealed class RecordingPublisher : IImagePublisher
    {
        public List<string> Pushed { get; } = [];

        public Task<string> PublishAsync(string image, string registry, CancellationToken cancellationToken)
        {
            var target = KubernetesNames.PulledImage(image, registry);
            Pushed.Add(target);
            return Task.FromResult(target);
        }
    }
}

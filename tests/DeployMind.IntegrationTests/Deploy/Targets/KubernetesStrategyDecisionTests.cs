using DeployMind.Application.Deploy;
using DeployMind.Application.Deploy.Targets;
using DeployMind.Domain.Deploy;
using DeployMind.IntegrationTests.Kubernetes;

namespace DeployMind.IntegrationTests.Deploy.Targets;

/// <summary>The shared strategy decisions on Kubernetes: the loopback API server (its controller runs pods, logs and restarts).</summary>
public sealed class KubernetesStrategyDecisionTests : StrategyDecisionContract
{
    protected override async Task<IStrategyWorld> CreateWorldAsync() => new KubernetesWorld(await KubernetesTestTarget.StartAsync());

    private sealed class KubernetesWorld(KubernetesTestTarget cluster) : IStrategyWorld
    {
        private const string LogPattern = "\" (?<status>\\d{3}) \"";
        private readonly KubernetesTarget _target = new(cluster.Deployer);
        private bool _readLogs;

        public async Task SeedAsync(string releaseId, string image, StrategyKind strategy)
        {
            var first = await DeployAsync(releaseId, image, strategy, StrategyDecisionContract.Canary);
            Assert.True(first.Status == DeployStatus.Succeeded, first.Reason);
            cluster.Server.Logs[image] = [.. Enumerable.Range(0, 20).Select(i => $"GET /orders/{i} \" 200 \" 9ms")];
        }

        // In a cluster the canary's errors are read from its pods' log lines (metrics.logPattern).
        public void ServeErrors(string image)
        {
            _readLogs = true;
            cluster.Server.Logs[image] = [.. Enumerable.Range(0, 20).Select(i => $"GET /orders/{i} \" {(i % 2 == 0 ? 500 : 200)} \" 12ms")];
        }

        // In a cluster a release that goes bad after the switch shows it as pods that restart in the window.
        public void GoBadAfterTheSwitch(string image) => cluster.Server.RestartingImages.Add(image);

        public void NeverHealthy(string image) => cluster.Server.CrashingImages.Add(image);

        public Task<DeployOutcome> DeployAsync(string releaseId, string image, StrategyKind strategy, CanaryPolicy canary)
        {
            var request = cluster.Request(releaseId, image, o => o.Metrics.LogPattern = _readLogs ? LogPattern : null, canary);
            return _target.DeployAsync(request, strategy, cluster.Observer(), CancellationToken.None);
        }

        public async Task<IReadOnlyList<string>> ServingImagesAsync()
        {
            var selector = cluster.Server.Get("services", KubernetesTestTarget.App)?["spec"]?["selector"]?.AsObject();
            var colour = selector is not null && selector.TryGetPropertyValue("deploymind.dev/colour", out var value) ? value?.GetValue<string>() : null;
            var deployment = colour is null ? KubernetesTestTarget.App : $"{KubernetesTestTarget.App}-{colour}";
            await Task.CompletedTask;
            return [.. cluster.Server.PodImages(deployment).Distinct().Order(StringComparer.Ordinal)];
        }

        public ValueTask DisposeAsync() => cluster.DisposeAsync();
    }
}

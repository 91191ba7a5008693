using DeployMind.Application.Deploy;
using DeployMind.Application.Deploy.Analysis;
using DeployMind.Application.Deploy.Hosts;
using DeployMind.Application.Deploy.Strategies;
using DeployMind.Application.Deploy.Targets;
using DeployMind.Domain.Deploy;
using DeployMind.UnitTests.Deploy;
using Microsoft.Extensions.Time.Testing;

namespace DeployMind.IntegrationTests.Deploy.Targets;

/// <summary>The shared strategy decisions on Docker hosts: the unit tests' fake host (containers, nginx, probe, access log) and a driven fake clock.</summary>
public sealed class DockerHostsStrategyDecisionTests : StrategyDecisionContract
{
    protected override Task<IStrategyWorld> CreateWorldAsync() => Task.FromResult<IStrategyWorld>(new DockerWorld());

    private sealed class DockerWorld : IStrategyWorld
    {
        private static readonly HealthPolicy Health = new("/health", TimeSpan.FromSeconds(1), TimeSpan.FromSeconds(1), 3, TimeSpan.FromSeconds(10));
        private readonly FakeTimeProvider _time = new(new DateTimeOffset(2026, 12, 6, 12, 0, 0, TimeSpan.Zero));
        private readonly FakeDeployHost _host = new();
        private readonly HashSet<string> _erring = new(StringComparer.Ordinal);
        private readonly DockerHostsTarget _target;

        public DockerWorld()
        {
            var launcher = new ReleaseLauncher(new HealthChecker(_host, _time), _time);
            var rolling = new RollingStrategy(launcher, _time);
            _target = new DockerHostsTarget([rolling, new CanaryStrategy(launcher, _time), new BlueGreenStrategy(launcher, _time)], new RollbackService(rolling));

            // Every server answers in proportion to its weight, enough for the judge to decide; an erring image's answers are half 5xx.
            _host.Traffic = (route, _, _) => (route?.Servers ?? []).ToDictionary(
                s => s.Address,
                s => _erring.Contains(ImageAt(s.Address)) ? new UpstreamStats(20, 10, 12) : new UpstreamStats(1000 * Math.Max(1, s.Weight), 0, 9));
        }

        public Task SeedAsync(string releaseId, string image, StrategyKind strategy)
        {
            _host.Seed("shop", releaseId, image, _time.GetUtcNow().AddHours(-1));
            return Task.CompletedTask;
        }

        // nginx's access log says 500 for half of the image's requests.
        public void ServeErrors(string image) => _erring.Add(image);

        // On a Docker host a release that goes bad after the switch shows it in the access log read through the window.
        public void GoBadAfterTheSwitch(string image) => _erring.Add(image);

        public void NeverHealthy(string image) => _host.UnhealthyImages.Add(image);

        public async Task<DeployOutcome> DeployAsync(string releaseId, string image, StrategyKind strategy, CanaryPolicy canary)
        {
            var request = new DeployRequest(new ReleaseSpec("shop", releaseId, image, "3f2a1bc"), [_host.Host], 8080, Health)
            {
                Canary = canary,
                ObservationWindow = TimeSpan.FromSeconds(10),
                Drain = TimeSpan.FromSeconds(1),
            };
            var work = _target.DeployAsync(request, strategy, NullDeployObserver.Instance, CancellationToken.None);
            for (var i = 0; i < 10_000 && !work.IsCompleted; i++)
            {
                await Task.Delay(1);
                _time.Advance(TimeSpan.FromMilliseconds(500));
            }

            return await work;
        }

        public Task<IReadOnlyList<string>> ServingImagesAsync()
        {
            var addresses = (_host.Route?.Servers ?? []).Select(s => s.Address).ToHashSet(StringComparer.Ordinal);
            return Task.FromResult<IReadOnlyList<string>>(
                [.. _host.Containers.Where(c => c.Running && addresses.Contains(c.Address)).Select(c => c.Spec.Image).Distinct().Order(StringComparer.Ordinal)]);
        }

        public ValueTask DisposeAsync() => ValueTask.CompletedTask;

        private string ImageAt(string address) => _host.Containers.FirstOrDefault(c => c.Address == address)?.Spec.Image ?? string.Empty;
    }
}

using DeployMind.Application.Deploy;
using DeployMind.Application.Deploy.Analysis;
using DeployMind.Application.Deploy.Strategies;
using DeployMind.Domain.Deploy;
using DeployMind.IntegrationTests.Support;
using Xunit.Abstractions;

namespace DeployMind.IntegrationTests.Deploy;

/// <summary>
/// <c>canary.probeTraffic</c> through the real path: the go example in containers behind the managed nginx, no user
/// traffic at all (a quiet app), and the canary strategy sending marked probe requests through nginx at 20/s during a
/// 50% step. nginx logs them apart, so the users' figures stay at zero while the probes' figures decide what they may.
/// Tolerances are loose (20 points, 95%) so that a step of 12 s of probes (about 100 canary requests on a loaded machine) decides with room to spare.
/// </summary>
public sealed class CanaryProbeTrafficTests : IClassFixture<DeployFixture>, IAsyncLifetime
{
    private readonly DeployFixture _fixture;
    private readonly ITestOutputHelper _output;
    private readonly string _app = "dmpt" + Guid.NewGuid().ToString("N")[..8];
    private readonly int _port = Docker.FreePort();

    public CanaryProbeTrafficTests(DeployFixture fixture, ITestOutputHelper output)
    {
        _fixture = fixture;
        _output = output;
    }

    public Task InitializeAsync() => Task.CompletedTask;

    public Task DisposeAsync() => _fixture.CleanAsync(_app);

    [Fact]
    public async Task Canary_QuietAppFailingCanary_IsRolledBackOnTheProbes()
    {
        await DeployAsync<RollingStrategy>("v1", "0", Policy(InsufficientDataAction.Extend, passOnProbes: false));

        var outcome = await DeployAsync<CanaryStrategy>("v2", "1", Policy(InsufficientDataAction.Extend, passOnProbes: false));

        _output.WriteLine($"{outcome.Status}: {outcome.Reason}");
        Assert.Equal(DeployStatus.RolledBack, outcome.Status);
        var step = outcome.CanarySteps[^1];
        Assert.Equal(CanaryVerdict.Unhealthy, step.Verdict);
        Assert.True(step.DecidedOnProbes);
        Assert.Equal((0, 0), (step.Canary.Requests, step.Stable.Requests)); // no user sent anything, and probes are not counted as users
        Assert.True(step.Probes!.Canary.ServerErrors > 0, step.Reason);
        Assert.Equal(0, step.Probes.Stable.ServerErrors);
        Assert.StartsWith("Canary unhealthy at 50%: on the probe requests (canary.probeTraffic /)", outcome.Reason, StringComparison.Ordinal);
        var route = await _fixture.LocalHost.Router.GetAsync(_app, CancellationToken.None);
        Assert.Equal("v1", Assert.Single(route!.Servers).Label);
        Assert.Null(route.ProbeMarker);
    }

    [Fact]
    public async Task Canary_QuietAppHealthyCanaryWithPassOnProbes_IsPromotedOnTheProbes()
    {
        await DeployAsync<RollingStrategy>("v1", "0", Policy(InsufficientDataAction.Extend, passOnProbes: true));

        var outcome = await DeployAsync<CanaryStrategy>("v2", "0", Policy(InsufficientDataAction.Extend, passOnProbes: true));

        _output.WriteLine($"{outcome.Status}: {outcome.Reason}; steps: {string.Join(" | ", outcome.CanarySteps.Select(s => $"{s.Verdict}: {s.Reason}"))}");
        Assert.Equal(DeployStatus.Succeeded, outcome.Status);
        var step = outcome.CanarySteps[^1];
        Assert.Equal(CanaryVerdict.Healthy, step.Verdict);
        Assert.True(step.DecidedOnProbes);
        Assert.Equal((0, 0), (step.Canary.Requests, step.Stable.Requests));
        Assert.True(step.Probes!.Canary.Requests >= 100, step.Reason);
        Assert.False(step.Probes.Decision!.Split!.Mismatch, step.Reason);
        Assert.Contains("on the probe requests alone, as canary.probeTraffic.passOnProbes allows", step.Reason, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Canary_QuietAppHealthyCanaryByDefault_IsNotPassedOnProbesAlone()
    {
        await DeployAsync<RollingStrategy>("v1", "0", Policy(InsufficientDataAction.Fail, passOnProbes: false));

        var outcome = await DeployAsync<CanaryStrategy>("v2", "0", Policy(InsufficientDataAction.Fail, passOnProbes: false));

        _output.WriteLine($"{outcome.Status}: {outcome.Reason}");
        Assert.Equal(DeployStatus.RolledBack, outcome.Status);
        var step = Assert.Single(outcome.CanarySteps);
        Assert.Equal(CanaryVerdict.InsufficientData, step.Verdict);
        Assert.False(step.DecidedOnProbes);
        Assert.Equal(CanaryVerdict.Healthy, step.Probes!.Verdict); // the probes alone would have passed it
        Assert.StartsWith("Canary insufficient data: ", outcome.Reason, StringComparison.Ordinal);
        Assert.Contains("probes never pass a step on their own", outcome.Reason, StringComparison.Ordinal);
    }

    private static CanaryPolicy Policy(InsufficientDataAction onInsufficientData, bool passOnProbes) =>
        new([50, 100], TimeSpan.FromSeconds(12), 0.05, 20, onInsufficientData, maxExtensions: 3)
        {
            MaxErrorRateIncrease = 0.2,
            MaxLatencyIncrease = 1.0,
            Confidence = 0.95,
            ProbeTraffic = new CanaryProbeTraffic("/", 20, passOnProbes),
        };

    private async Task<DeployOutcome> DeployAsync<TStrategy>(string version, string failRate, CanaryPolicy policy)
        where TStrategy : IDeploymentStrategy
    {
        var request = _fixture.Request(_app, version, _port, new Dictionary<string, string> { ["FAIL_RATE"] = failRate }) with { Canary = policy };
        var strategy = _fixture.Get<IEnumerable<IDeploymentStrategy>>().OfType<TStrategy>().Single();
        return await strategy.DeployAsync(request, NullDeployObserver.Instance, CancellationToken.None);
    }
}

using DeployMind.Application.Deploy;
using DeployMind.Application.Deploy.Analysis;
using DeployMind.Application.Deploy.Strategies;
using DeployMind.Domain.Deploy;
using DeployMind.IntegrationTests.Support;
using Xunit.Abstractions;

namespace DeployMind.IntegrationTests.Deploy;

/// <summary>
/// The canary judge through the real path: the go example in containers behind the managed nginx, a stable release
/// that itself fails 5% of its requests (FAIL_RATE, random per request), load from loopback clients (bounded by
/// <see cref="LoadLoop"/> to 50,000 requests and 120 s), and the canary strategy reading nginx's access log. The
/// absolute limit is set far above both (30%) so that the comparison with the stable decides, with a tolerance of
/// 2 points at 99% confidence; one step at 50% keeps the wall time short while the statistics stay honest.
/// </summary>
public sealed class CanaryJudgementTests : IClassFixture<DeployFixture>, IAsyncLifetime
{
    private readonly DeployFixture _fixture;
    private readonly ITestOutputHelper _output;
    private readonly string _app = "dmcj" + Guid.NewGuid().ToString("N")[..8];
    private readonly int _port = Docker.FreePort();

    public CanaryJudgementTests(DeployFixture fixture, ITestOutputHelper output)
    {
        _fixture = fixture;
        _output = output;
    }

    private static CanaryPolicy Policy { get; } = new([50, 100], TimeSpan.FromSeconds(10), 0.3, 50, InsufficientDataAction.Extend, maxExtensions: 6)
    {
        MaxErrorRateIncrease = 0.02,
        MaxLatencyIncrease = 1.0,
    };

    public Task InitializeAsync() => Task.CompletedTask;

    public Task DisposeAsync() => _fixture.CleanAsync(_app);

    [Fact]
    public async Task Canary_FivePointsWorseThanAStableFailingFivePercent_IsRolledBack()
    {
        await DeployAsync<RollingStrategy>("v1", "0.05");
        await using var load = new LoadLoop(_port, clients: 4);

        var outcome = await DeployAsync<CanaryStrategy>("v2", "0.10");
        await load.StopAsync();

        var step = outcome.CanarySteps[^1];
        _output.WriteLine($"{load.Requests} requests; {outcome.Status}: {outcome.Reason}");
        Assert.Equal(DeployStatus.RolledBack, outcome.Status);
        Assert.Equal(CanaryVerdict.Unhealthy, step.Verdict);
        Assert.Equal("canary.maxErrorRateIncrease", step.Decision!.Rule);
        Assert.Equal(SequentialTestOutcome.Worse, step.Decision.Errors!.Outcome);
        Assert.True(step.Decision.Errors.Lower > 0.02, step.Reason);
        Assert.InRange(step.Stable.ErrorRate, 0.02, 0.08); // the stable really fails about 5%: under the 30% limit, and the canary too
        Assert.True(step.Canary.ErrorRate < Policy.MaxErrorRate, step.Reason);
        Assert.StartsWith("Canary unhealthy at 50%: 5xx rate ", outcome.Reason, StringComparison.Ordinal);
        var route = await _fixture.LocalHost.Router.GetAsync(_app, CancellationToken.None);
        Assert.Equal("v1", Assert.Single(route!.Servers).Label);
    }

    [Fact]
    public async Task Canary_EqualToAStableFailingFivePercent_IsPromoted()
    {
        await DeployAsync<RollingStrategy>("v1", "0.05");
        await using var load = new LoadLoop(_port, clients: 4);

        var outcome = await DeployAsync<CanaryStrategy>("v2", "0.05");
        await load.StopAsync();

        _output.WriteLine($"{load.Requests} requests; {outcome.Status}: {outcome.Reason}; steps: {string.Join(" | ", outcome.CanarySteps.Select(s => $"{s.Verdict}: {s.Reason}"))}");
        Assert.Equal(DeployStatus.Succeeded, outcome.Status);
        Assert.Equal(100, outcome.CanaryPercentReached);
        var step = outcome.CanarySteps[^1];
        Assert.Equal(CanaryVerdict.Healthy, step.Verdict);
        Assert.Equal(SequentialTestOutcome.WithinTolerance, step.Decision!.Errors!.Outcome);
        Assert.True(step.Decision.Errors.Upper <= 0.02, step.Reason);
        Assert.InRange(step.Canary.ErrorRate, 0.02, 0.08);
        Assert.False(step.Decision.Split!.Mismatch, step.Reason);
        Assert.NotNull(step.Decision.Latency);
        Assert.Contains("\"version\":\"v2\"", await GetAsync(), StringComparison.Ordinal);
    }

    private async Task<DeployOutcome> DeployAsync<TStrategy>(string version, string failRate)
        where TStrategy : IDeploymentStrategy
    {
        var request = _fixture.Request(_app, version, _port, new Dictionary<string, string> { ["FAIL_RATE"] = failRate }) with { Canary = Policy };
        var strategy = _fixture.Get<IEnumerable<IDeploymentStrategy>>().OfType<TStrategy>().Single();
        return await strategy.DeployAsync(request, NullDeployObserver.Instance, CancellationToken.None);
    }

    /// <summary>The first answer that is not one of the app's deliberate 5xx (it fails FAIL_RATE of requests on purpose).</summary>
    private async Task<string> GetAsync()
    {
        using var client = new HttpClient();
        for (var attempt = 1; ; attempt++)
        {
            using var response = await client.GetAsync(new Uri($"http://127.0.0.1:{_port}/"));
            if (response.IsSuccessStatusCode || attempt == 20)
            {
                response.EnsureSuccessStatusCode();
                return await response.Content.ReadAsStringAsync();
            }
        }
    }
}

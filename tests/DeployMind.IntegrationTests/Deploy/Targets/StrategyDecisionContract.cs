using DeployMind.Application.Deploy.Analysis;
using DeployMind.Domain.Deploy;

namespace DeployMind.IntegrationTests.Deploy.Targets;

/// <summary>
/// The same strategy decisions, asserted against every kind of deploy target (Docker hosts with the unit tests' fake
/// host, Kubernetes with the loopback API server): a healthy canary is promoted, a canary whose errors pass the limit is
/// rolled back, a blue-green release that goes bad in its observation window is switched back, and a rolling release that
/// never gets healthy leaves the previous one serving.
/// </summary>
public abstract class StrategyDecisionContract : IAsyncLifetime
{
    /// <summary>Steps of 25% and 50% (then 100%), short enough for a real clock; 5 requests decide; too few passes.</summary>
    protected static readonly CanaryPolicy Canary = new([25, 50, 100], TimeSpan.FromMilliseconds(200), 0.05, 5, InsufficientDataAction.Pass);

    private IStrategyWorld _world = null!;

    public async Task InitializeAsync() => _world = await CreateWorldAsync();

    public async Task DisposeAsync() => await _world.DisposeAsync();

    [Fact]
    public async Task Canary_Healthy_IsPromotedTo100()
    {
        await _world.SeedAsync("r1", "shop:1", StrategyKind.Rolling);

        var outcome = await _world.DeployAsync("r2", "shop:2", StrategyKind.Canary, Canary);

        Assert.True(outcome.Status == DeployStatus.Succeeded, outcome.Reason);
        Assert.Equal(100, outcome.CanaryPercentReached);
        Assert.Equal([CanaryVerdict.Healthy, CanaryVerdict.Healthy], outcome.CanarySteps.Select(s => s.Verdict));
        Assert.Equal(["shop:2"], await _world.ServingImagesAsync());
    }

    [Fact]
    public async Task Canary_ErrorsOverTheLimit_IsRolledBackWithTheFigures()
    {
        await _world.SeedAsync("r1", "shop:1", StrategyKind.Rolling);
        _world.ServeErrors("shop:2");

        var outcome = await _world.DeployAsync("r2", "shop:2", StrategyKind.Canary, Canary);

        Assert.True(outcome.Status == DeployStatus.RolledBack, outcome.Reason);
        Assert.StartsWith("Canary unhealthy at 25%: ", outcome.Reason, StringComparison.Ordinal);
        Assert.Contains("error rate 50.0% is above the limit 5.0%", outcome.Reason, StringComparison.Ordinal);
        Assert.Equal(CanaryVerdict.Unhealthy, Assert.Single(outcome.CanarySteps).Verdict);
        Assert.Equal(25, outcome.CanaryPercentReached);
        Assert.Equal(["shop:1"], await _world.ServingImagesAsync());
    }

    [Fact]
    public async Task BlueGreen_BadObservationWindow_SwitchesBack()
    {
        await _world.SeedAsync("r1", "shop:1", StrategyKind.BlueGreen);
        _world.GoBadAfterTheSwitch("shop:2");

        var outcome = await _world.DeployAsync("r2", "shop:2", StrategyKind.BlueGreen, Canary);

        Assert.True(outcome.Status == DeployStatus.RolledBack, outcome.Reason);
        Assert.Contains("misbehaved in the observation window", outcome.Reason, StringComparison.Ordinal);
        Assert.Equal(["shop:1"], await _world.ServingImagesAsync());
    }

    [Fact]
    public async Task Rolling_NeverHealthy_FailsAndThePreviousReleaseKeepsServing()
    {
        await _world.SeedAsync("r1", "shop:1", StrategyKind.Rolling);
        _world.NeverHealthy("shop:2");

        var outcome = await _world.DeployAsync("r2", "shop:2", StrategyKind.Rolling, Canary);

        Assert.True(outcome.Status == DeployStatus.Failed, outcome.Reason);
        Assert.Equal(["shop:1"], await _world.ServingImagesAsync());
    }

    protected abstract Task<IStrategyWorld> CreateWorldAsync();
}

using DeployMind.Application.Deploy;
using DeployMind.Domain.Deploy;

namespace DeployMind.IntegrationTests.Deploy.Targets;

/// <summary>
/// One kind of deploy target set up for the shared strategy decision tests: its fakes, the release serving, and the faults
/// a scenario needs, each in the target's own terms (5xx in nginx's access log or in the pods' logs, a health path that
/// fails or pods that crash, a new release that goes bad after the switch).
/// </summary>
public interface IStrategyWorld : IAsyncDisposable
{
    /// <summary>The app's first release, serving, as <paramref name="strategy"/> left it.</summary>
    Task SeedAsync(string releaseId, string image, StrategyKind strategy);

    /// <summary>Requests served by <paramref name="image"/> answer 500 half the time.</summary>
    void ServeErrors(string image);

    /// <summary><paramref name="image"/> passes its first checks, then goes bad while it is watched.</summary>
    void GoBadAfterTheSwitch(string image);

    /// <summary><paramref name="image"/> never passes its health checks.</summary>
    void NeverHealthy(string image);

    /// <summary>Deploys through the target's <see cref="Application.Deploy.Targets.IDeployTarget"/>.</summary>
    Task<DeployOutcome> DeployAsync(string releaseId, string image, StrategyKind strategy, CanaryPolicy canary);

    /// <summary>The images that take the app's traffic now.</summary>
    Task<IReadOnlyList<string>> ServingImagesAsync();
}

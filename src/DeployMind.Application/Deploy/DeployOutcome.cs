using System.Text.Json.Serialization;
using DeployMind.Application.Deploy.Analysis;
using DeployMind.Domain.Deploy;

namespace DeployMind.Application.Deploy;

/// <summary>How a deploy ended, with the figures that decided.</summary>
/// <param name="Status">Succeeded, failed (never took traffic) or rolled back.</param>
/// <param name="Strategy">The strategy used.</param>
/// <param name="Reason">One sentence: what happened and why (null when it simply succeeded).</param>
/// <param name="Duration">Wall time until the deploy was done (on Docker hosts: the new release serving, the previous one stopped; housekeeping after that is <see cref="Housekeeping"/>).</param>
public sealed record DeployOutcome(DeployStatus Status, StrategyKind Strategy, string? Reason, TimeSpan Duration)
{
    /// <summary>The last health report of the new release (per host, the last one).</summary>
    public HealthReport? Health { get; init; }

    /// <summary>Canary: the steps judged, in order.</summary>
    public IReadOnlyList<CanaryStepResult> CanarySteps { get; init; } = [];

    /// <summary>Canary: the highest traffic percentage the new release reached.</summary>
    public int CanaryPercentReached { get; init; }

    /// <summary>
    /// Docker hosts, rolling: the time spent after <see cref="Duration"/> removing releases beyond keepReleases (its
    /// failures are the deploy's steps, not its failure); zero when there was none in the deploy.
    /// </summary>
    public TimeSpan Housekeeping { get; init; }

    /// <summary>The hosts now serving the new release.</summary>
    public IReadOnlyList<string> HostsSwitched { get; init; } = [];

    /// <summary>
    /// Docker hosts, succeeded: the switch to the new release. With <see cref="DeployRequest.DeferRetirement"/> it is still
    /// <see cref="ReleaseSwitch.Pending"/> — the previous releases run beside the new one until the caller retires or reverts it.
    /// </summary>
    [JsonIgnore]
    public ReleaseSwitch? Switch { get; init; }
}

/// <summary>Receives what a deploy is doing, for a live view.</summary>
public interface IDeployObserver
{
    void Step(string host, string message);

    void Health(string host, HealthReport report);

    /// <summary>
    /// Where a watched step stands ("canary 10%: 12/50 requests, 0 errors, p95 40 ms, 18s left"), a few times a step
    /// (see <see cref="Analysis.StepProgress"/>); each report supersedes the one before, so a live view may redraw one line.
    /// </summary>
    void Progress(string host, string message);
}

/// <summary>An observer that ignores everything.</summary>
public sealed class NullDeployObserver : IDeployObserver
{
    public static NullDeployObserver Instance { get; } = new();

    public void Step(string host, string message)
    {
    }

    public void Health(string host, HealthReport report)
    {
    }

    public void Progress(string host, string message)
    {
    }
}

using DeployMind.Application.Deploy;
using DeployMind.Application.Deploy.Analysis;
using DeployMind.Domain.Deploy;

namespace DeployMind.Application.Pipeline;

/// <summary>
/// The deploy stage's report: the strategy, where the release went (Docker hosts or a Kubernetes namespace), how the deploy
/// ended with the figures that decided (health checks, canary steps, the traffic reached), and the switch: on Docker hosts
/// the releases that served before keep running until the pipeline ends (<see cref="PreviousReleases"/>).
/// </summary>
internal sealed record DeployStageReport : StageReport
{
    /// <summary>The strategy used.</summary>
    public required StrategyKind Strategy { get; init; }

    /// <summary>The release deployed (null when nothing was deployed: a build-only run).</summary>
    public string? ReleaseId { get; init; }

    /// <summary>The image deployed.</summary>
    public string? Image { get; init; }

    /// <summary>The Docker hosts, in order (empty for a Kubernetes target).</summary>
    public IReadOnlyList<string> Hosts { get; init; } = [];

    /// <summary>The Kubernetes target ("context/namespace"), or null for Docker hosts.</summary>
    public string? Cluster { get; init; }

    /// <summary>How the deploy ended; null when nothing was deployed.</summary>
    public DeployStatus? Status { get; init; }

    /// <summary>One sentence: what happened and why (null when it simply succeeded).</summary>
    public string? Reason { get; init; }

    /// <summary>Wall time of the deploy.</summary>
    public TimeSpan Duration { get; init; }

    /// <summary>The new release's last health report.</summary>
    public HealthReport? Health { get; init; }

    /// <summary>Canary: the steps judged, in order, with their figures.</summary>
    public IReadOnlyList<CanaryStepResult> CanarySteps { get; init; } = [];

    /// <summary>Canary: the highest traffic percentage the new release reached.</summary>
    public int CanaryPercentReached { get; init; }

    /// <summary>The hosts now serving the new release.</summary>
    public IReadOnlyList<string> HostsSwitched { get; init; } = [];

    /// <summary>Docker hosts: the releases that served before the switch and still run beside the new one until verify passed; empty on a first deploy.</summary>
    public IReadOnlyList<string> PreviousReleases { get; init; } = [];

    /// <summary>Docker hosts: the switch is pending (the previous releases still run; a halt puts traffic straight back on them).</summary>
    public bool SwitchPending { get; init; }

    public override StageOutcome Outcome => Status switch
    {
        null or DeployStatus.Succeeded => StageOutcome.Passed,
        DeployStatus.RolledBack => StageOutcome.RolledBack,
        _ => StageOutcome.Halted,
    };

    public override string Summary => Status switch
    {
        null => "nothing to deploy (build only)",
        DeployStatus.Succeeded => $"{ReleaseId} serves all traffic on {string.Join(", ", HostsSwitched)}",
        DeployStatus.RolledBack => Reason ?? "rolled back",
        _ => Reason ?? "the deploy failed; the previous release still serves",
    };

    /// <summary>A build-only run: nothing was deployed.</summary>
    public static DeployStageReport NothingToDeploy(StrategyKind strategy) => new() { Strategy = strategy };

    /// <summary>The report of <paramref name="request"/>'s deploy, which ended as <paramref name="outcome"/>.</summary>
    public static DeployStageReport Of(DeployRequest request, DeployOutcome outcome)
    {
        ArgumentNullException.ThrowIfNull(request);
        ArgumentNullException.ThrowIfNull(outcome);
        return new DeployStageReport
        {
            Strategy = outcome.Strategy,
            ReleaseId = request.Release.ReleaseId,
            Image = request.Release.Image,
            Hosts = [.. request.Hosts.Select(h => h.Name)],
            Cluster = request.Kubernetes?.Display,
            Status = outcome.Status,
            Reason = outcome.Reason,
            Duration = outcome.Duration,
            Health = outcome.Health,
            CanarySteps = outcome.CanarySteps,
            CanaryPercentReached = outcome.CanaryPercentReached,
            HostsSwitched = outcome.HostsSwitched,
            PreviousReleases = outcome.Switch?.PreviousReleases ?? [],
            SwitchPending = outcome.Switch?.Pending ?? false,
        };
    }
}

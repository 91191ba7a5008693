using System.Globalization;
using DeployMind.Application.Deploy.Analysis;
using DeployMind.Domain.Deploy;

namespace DeployMind.Application.Pipeline;

/// <summary>
/// The verify stage's report: how every host's nginx answered the verify path and the compared paths (or why verify was
/// skipped), the deploy's health and canary figures it followed, and — when the new release failed — what happened to it
/// (<see cref="Rollback"/>).
/// </summary>
internal sealed record VerifyStageReport : StageReport
{
    /// <summary>The app.</summary>
    public required string App { get; init; }

    /// <summary>The release verified (null when nothing was deployed).</summary>
    public string? ReleaseId { get; init; }

    /// <summary>Why verify did not run (nothing deployed, disabled, a Kubernetes target), or null when it ran.</summary>
    public string? SkipReason { get; init; }

    /// <summary>The verify path (must answer below 400).</summary>
    public string? Path { get; init; }

    /// <summary>Good answers in a row each path needed.</summary>
    public int Successes { get; init; }

    /// <summary>The paths compared with the previous release (they must answer below 500 as they did before the switch).</summary>
    public IReadOnlyList<string> Compared { get; init; } = [];

    /// <summary>Per host, in order, the paths' figures (hosts after a failing one are not asked).</summary>
    public IReadOnlyList<VerifyHostFigures> Hosts { get; init; } = [];

    /// <summary>Why verify failed (the first failing host's problem), or null when it passed or did not run.</summary>
    public string? Problem { get; init; }

    /// <summary>What happened to the new release after it failed verify, or null when it did not fail.</summary>
    public VerifyRollback? Rollback { get; init; }

    /// <summary>The deploy's strategy.</summary>
    public StrategyKind? Strategy { get; init; }

    /// <summary>The new release's last health report from the deploy.</summary>
    public HealthReport? Health { get; init; }

    /// <summary>Canary: the deploy's steps, in order, with their figures.</summary>
    public IReadOnlyList<CanaryStepResult> CanarySteps { get; init; } = [];

    /// <summary>Canary: the highest traffic percentage the new release reached.</summary>
    public int CanaryPercentReached { get; init; }

    public override StageOutcome Outcome => Rollback switch
    {
        null => StageOutcome.Passed,
        { RolledBack: true } => StageOutcome.RolledBack,
        _ => StageOutcome.Halted,
    };

    public override string Summary
    {
        get
        {
            if (SkipReason is not null)
            {
                return SkipReason;
            }

            if (Rollback is not { } rollback)
            {
                return string.Create(CultureInfo.InvariantCulture, $"{Path} answered {Successes}/{Successes} through nginx on {string.Join(", ", Hosts.Select(h => h.Host))}")
                    + (Compared.Count > 0 ? $"; {string.Join(" and ", Compared)} answered below 500 as on the previous release" : string.Empty);
            }

            var to = string.Join(", ", rollback.To);
            return rollback.Kind switch
            {
                VerifyRollbackKind.Reverted => $"verification failed ({Problem}); traffic went straight back to {to}, which kept running, and {ReleaseId} was removed",
                VerifyRollbackKind.RestartedPrevious => $"verification failed ({Problem}); rolled back to {to}",
                VerifyRollbackKind.FirstRelease => $"verification failed ({Problem}); the new release stays in place: it is the first release of {App} here, there is nothing to go back to.",
                VerifyRollbackKind.RollbackFailed => $"verification failed ({Problem}) and the rollback to {to} failed too: {rollback.Error}",
                _ => $"verification failed ({Problem}); the new release stays in place: {rollback.Error}",
            };
        }
    }
}

using DeployMind.Domain.Deploy;

namespace DeployMind.Application.Reporting;

/// <summary>A deployment as it was at one moment: what reports show. Immutable, so it can be sent later.</summary>
public sealed record DeploymentReport
{
    public required Guid Id { get; init; }

    public required string App { get; init; }

    public required string Environment { get; init; }

    /// <summary>Where the source came from: "owner/name", a clone URL, or a local path.</summary>
    public string? Repository { get; init; }

    public string? Commit { get; init; }

    public string? Branch { get; init; }

    public int? PullRequest { get; init; }

    public required DeploymentState State { get; init; }

    public required StrategyKind Strategy { get; init; }

    public PipelineStage? FailedStage { get; init; }

    public string? Reason { get; init; }

    public string? ImageTag { get; init; }

    public double? ImageSizeMb { get; init; }

    /// <summary>The builder that built the image, when recorded.</summary>
    public string? ImageBuilder { get; init; }

    /// <summary>From creation to now (or to the end, once finished).</summary>
    public TimeSpan Duration { get; init; }

    public int? HealthChecksPassed { get; init; }

    public int? HealthChecksRequired { get; init; }

    public int? CanaryPercentReached { get; init; }

    /// <summary>The figures of a canary's last judged step.</summary>
    public CanaryFigures? CanaryFigures { get; init; }

    /// <summary>Where the deployed app answers (a preview's URL).</summary>
    public string? Url { get; init; }

    public bool IsTeardown { get; init; }

    public Guid? RollbackOf { get; init; }

    public required string TriggeredBy { get; init; }

    public required DateTimeOffset At { get; init; }

    /// <summary>The stage agents' explanations so far (redacted as recorded); the pull request's comment shows them.</summary>
    public IReadOnlyList<Records.RecordedExplanation> Explanations { get; init; } = [];

    /// <summary>The deployment as it is at <paramref name="now"/>.</summary>
    public static DeploymentReport Of(Deployment deployment, DateTimeOffset now)
    {
        ArgumentNullException.ThrowIfNull(deployment);
        return new DeploymentReport
        {
            Id = deployment.Id,
            App = deployment.App,
            Environment = deployment.Environment,
            Repository = deployment.Repository,
            Commit = deployment.Commit,
            Branch = deployment.Branch,
            PullRequest = deployment.PullRequest,
            State = deployment.State,
            Strategy = deployment.Strategy,
            FailedStage = deployment.FailedStage,
            Reason = deployment.Reason,
            ImageTag = deployment.ImageTag,
            ImageSizeMb = deployment.ImageSizeMb,
            ImageBuilder = deployment.ImageBuilder,
            Duration = (deployment.IsFinished ? deployment.UpdatedAt : now) - deployment.CreatedAt,
            HealthChecksPassed = deployment.HealthChecksPassed,
            HealthChecksRequired = deployment.HealthChecksRequired,
            CanaryPercentReached = deployment.CanaryPercentReached,
            CanaryFigures = deployment.CanaryFigures,
            Url = deployment.Url,
            IsTeardown = deployment.IsTeardown,
            RollbackOf = deployment.RollbackOf,
            TriggeredBy = deployment.TriggeredBy,
            At = now,
        };
    }
}

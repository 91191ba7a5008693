namespace DeployMind.Domain.Deploy;

/// <summary>Everything a store keeps of a <see cref="Deployment"/>, to rebuild it with <see cref="Deployment.Restore"/>.</summary>
public sealed record DeploymentSnapshot(Guid Id, string App, string Environment, StrategyKind Strategy, string TriggeredBy, DateTimeOffset CreatedAt)
{
    public DateTimeOffset UpdatedAt { get; init; }

    public DeploymentState State { get; init; }

    public int Version { get; init; }

    public string? Repository { get; init; }

    public string? Branch { get; init; }

    public string? Commit { get; init; }

    public Guid? RollbackOf { get; init; }

    public int? PullRequest { get; init; }

    public bool IsTeardown { get; init; }

    public PipelineStage? FailedStage { get; init; }

    public string? Reason { get; init; }

    public string? Target { get; init; }

    public string? ReleaseId { get; init; }

    public string? Url { get; init; }

    public int? ListenPort { get; init; }

    public string? ImageTag { get; init; }

    public double? ImageSizeMb { get; init; }

    public string? ImageBuilder { get; init; }

    public int? HealthChecksPassed { get; init; }

    public int? HealthChecksRequired { get; init; }

    public int? CanaryPercentReached { get; init; }

    public CanaryFigures? CanaryFigures { get; init; }

    public IReadOnlyList<DeploymentEvent> Events { get; init; } = [];
}

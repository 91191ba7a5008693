using System.Text.Json.Serialization;
using DeployMind.Domain.Deploy;

namespace DeployMind.Application.Records;

/// <summary>
/// A deployment as the API and the CLI's <c>--output json</c> show it (states and strategies
/// as users write them: <c>rolled_back</c>, <c>blue-green</c>), plus its findings when one deployment is asked for.
/// </summary>
public sealed record DeploymentView(
    Guid Id,
    string ShortId,
    string App,
    string Environment,
    string State,
    string Strategy,
    PipelineStage? FailedStage,
    string? Reason,
    string? Repository,
    string? Branch,
    string? Commit,
    string? ImageTag,
    double? ImageSizeMb,
    string? ReleaseId,
    string? Target,
    string? Url,
    int? HealthChecksPassed,
    int? HealthChecksRequired,
    int? CanaryPercentReached,
    Guid? RollbackOf,
    int? PullRequest,
    string TriggeredBy,
    DateTimeOffset CreatedAt,
    DateTimeOffset UpdatedAt,
    double DurationSeconds,
    IReadOnlyList<StateTimeView> StateSeconds,
    IReadOnlyList<TimelineEventView> Events)
{
    /// <summary>The recorded security findings (only for one deployment: <c>GET /api/deployments/{id}</c>).</summary>
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public IReadOnlyList<RecordedFinding>? Findings { get; init; }

    /// <summary>The builder that built the image ("BuildKit (...)", "classic builder"), when recorded.</summary>
    public string? ImageBuilder { get; init; }

    /// <summary>The stage agents' recorded explanations (only for one deployment: <c>GET /api/deployments/{id}</c>).</summary>
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public IReadOnlyList<RecordedExplanation>? Explanations { get; init; }

    /// <summary>A canary's last judged step: counts, p95s, the comparisons with their statistics and thresholds, the verdict.</summary>
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public CanaryFigures? CanaryFigures { get; init; }

    public static DeploymentView Of(Deployment d, DateTimeOffset now)
    {
        ArgumentNullException.ThrowIfNull(d);
        return new DeploymentView(
            d.Id,
            d.ShortId(),
            d.App,
            d.Environment,
            d.State.Name(),
            d.Strategy.Name(),
            d.FailedStage,
            d.Reason,
            d.Repository,
            d.Branch,
            d.Commit,
            d.ImageTag,
            d.ImageSizeMb,
            d.ReleaseId,
            d.Target,
            d.Url,
            d.HealthChecksPassed,
            d.HealthChecksRequired,
            d.CanaryPercentReached,
            d.RollbackOf,
            d.PullRequest,
            d.TriggeredBy,
            d.CreatedAt,
            d.UpdatedAt,
            Math.Round(((d.IsFinished ? d.UpdatedAt : now) - d.CreatedAt).TotalSeconds, 1),
            [.. d.StateDurations(now).Select(s => new StateTimeView(s.State.Name(), Math.Round(s.Duration.TotalSeconds, 1)))],
            [.. d.Events.Select(TimelineEventView.Of)])
        {
            ImageBuilder = d.ImageBuilder,
            CanaryFigures = d.CanaryFigures,
        };
    }
}

using DeployMind.Domain.Deploy;

namespace DeployMind.Application.Pipeline;

/// <summary>The <c>pipeline:</c> section: each stage's hard deadline.</summary>
public sealed class PipelineOptions
{
    public const string SectionName = "pipeline";

    public string ScanDeadline { get; set; } = "5m";

    public string BuildDeadline { get; set; } = "30m";

    public string DeployDeadline { get; set; } = "30m";

    public string VerifyDeadline { get; set; } = "10m";

    /// <summary>The deadline of <paramref name="stage"/>.</summary>
    public TimeSpan DeadlineOf(PipelineStage stage) => stage switch
    {
        PipelineStage.Scan => Domain.Duration.Parse(ScanDeadline, "pipeline.scanDeadline"),
        PipelineStage.Build => Domain.Duration.Parse(BuildDeadline, "pipeline.buildDeadline"),
        PipelineStage.Deploy => Domain.Duration.Parse(DeployDeadline, "pipeline.deployDeadline"),
        _ => Domain.Duration.Parse(VerifyDeadline, "pipeline.verifyDeadline"),
    };
}

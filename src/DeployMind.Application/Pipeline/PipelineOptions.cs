using DeployMind.Domain.Deploy;

namespace DeployMind.Application.Pipeline;

/// <summary>The <c>pipeline:</c> section: each stage's hard deadline, and how long an advisor may take after a stage.</summary>
public sealed class PipelineOptions
{
    public const string SectionName = "pipeline";

    public string ScanDeadline { get; set; } = "5m";

    public string BuildDeadline { get; set; } = "30m";

    public string DeployDeadline { get; set; } = "30m";

    public string VerifyDeadline { get; set; } = "10m";

    /// <summary>
    /// How long each <see cref="IPipelineAdvisor"/> may take after a stage; one that takes longer is recorded as a note and
    /// changes nothing. Not part of the stage's deadline.
    /// </summary>
    public string AdvisorTimeout { get; set; } = "30s";

    /// <summary>The parsed <see cref="AdvisorTimeout"/>.</summary>
    public TimeSpan ParseAdvisorTimeout() => Domain.Duration.Parse(AdvisorTimeout, "pipeline.advisorTimeout");

    /// <summary>The deadline of <paramref name="stage"/>.</summary>
    public TimeSpan DeadlineOf(PipelineStage stage) => stage switch
    {
        PipelineStage.Scan => Domain.Duration.Parse(ScanDeadline, "pipeline.scanDeadline"),
        PipelineStage.Build => Domain.Duration.Parse(BuildDeadline, "pipeline.buildDeadline"),
        PipelineStage.Deploy => Domain.Duration.Parse(DeployDeadline, "pipeline.deployDeadline"),
        _ => Domain.Duration.Parse(VerifyDeadline, "pipeline.verifyDeadline"),
    };
}

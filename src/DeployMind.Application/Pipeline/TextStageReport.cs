namespace DeployMind.Application.Pipeline;

/// <summary>A stage report that is only its outcome and line: what a stage without figures of its own returns.</summary>
internal sealed record TextStageReport : StageReport
{
    public TextStageReport(StageOutcome outcome, string summary)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(summary);
        Outcome = outcome;
        Summary = summary;
    }

    public override StageOutcome Outcome { get; }

    public override string Summary { get; }
}

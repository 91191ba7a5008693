using System.Text.Json.Serialization;

namespace DeployMind.Application.Pipeline;

/// <summary>
/// What a stage reports when it ends: its outcome, one line saying why (the text the timeline and the CLI show), and — in
/// the typed reports the built-in stages return (<see cref="ScanStageReport"/>, <see cref="BuildStageReport"/>,
/// <see cref="DeployStageReport"/>, <see cref="VerifyStageReport"/>) — the figures that decided, for the stages after it,
/// the front doors and the pipeline's advisors (<see cref="IPipelineAdvisor"/>). The summary is rendered from the figures.
/// Serialized as its base type, a report says which one it is in <c>"kind"</c> (scan, build, deploy, verify, text).
/// </summary>
[JsonPolymorphic(TypeDiscriminatorPropertyName = "kind")]
[JsonDerivedType(typeof(ScanStageReport), "scan")]
[JsonDerivedType(typeof(BuildStageReport), "build")]
[JsonDerivedType(typeof(DeployStageReport), "deploy")]
[JsonDerivedType(typeof(VerifyStageReport), "verify")]
[JsonDerivedType(typeof(TextStageReport), "text")]
public abstract record StageReport
{
    /// <summary>How the stage ended.</summary>
    public abstract StageOutcome Outcome { get; }

    /// <summary>One line: what the stage did or why it stopped (secrets never in it: findings carry redacted excerpts).</summary>
    public abstract string Summary { get; }

    /// <summary>A report with nothing but its line (a stage without figures).</summary>
    public static StageReport Passed(string summary) => new TextStageReport(StageOutcome.Passed, summary);

    /// <summary>A report with nothing but its line (a stage without figures).</summary>
    public static StageReport Halted(string reason) => new TextStageReport(StageOutcome.Halted, reason);

    /// <summary>A report with nothing but its line (a stage without figures).</summary>
    public static StageReport RolledBack(string reason) => new TextStageReport(StageOutcome.RolledBack, reason);
}

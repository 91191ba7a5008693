using DeployMind.Application.Security;
using DeployMind.Domain.Findings;

namespace DeployMind.Application.Pipeline;

/// <summary>
/// The scan stage's report: what the repository scan found (committed secrets and risky settings, excerpts redacted), which
/// findings the environment's policy blocks on, and whether the run allowed them (<c>--allow-findings</c>). The built
/// image's scan comes later, in <see cref="BuildStageReport.ImageScan"/>: there is no image before the build.
/// </summary>
/// <param name="Scan">The scan and the policy's judgement.</param>
/// <param name="FindingsAllowed">Blocking findings were allowed for this run, so the stage passed.</param>
internal sealed record ScanStageReport(ScanResult Scan, bool FindingsAllowed) : StageReport
{
    /// <summary>Every finding, sorted by file and line.</summary>
    public IReadOnlyList<SecurityFinding> Findings => Scan.Report.Findings;

    /// <summary>The findings at or above <see cref="BlockAt"/>.</summary>
    public IReadOnlyList<SecurityFinding> Blocking => Scan.Blocking;

    /// <summary>The lowest severity that blocks (the environment's <c>scan.blockAt</c>); null when nothing blocks.</summary>
    public Severity? BlockAt => Scan.BlockAt;

    /// <summary>Committed credentials.</summary>
    public IReadOnlyList<SecurityFinding> Secrets => [.. Findings.Where(f => f.Kind == SecurityFindingKind.Secret)];

    /// <summary>Dangerous compose and Kubernetes settings (privileged, host mounts, root...).</summary>
    public IReadOnlyList<SecurityFinding> RiskySettings => [.. Findings.Where(f => f.Kind == SecurityFindingKind.RiskyConfiguration)];

    /// <summary>Files read.</summary>
    public int FilesScanned => Scan.Report.FilesScanned;

    public override StageOutcome Outcome => Scan.Blocks && !FindingsAllowed ? StageOutcome.Halted : StageOutcome.Passed;

    public override string Summary =>
        Scan.Blocks && FindingsAllowed
            ? $"{Blocking.Count} blocking finding(s) allowed for this run by --allow-findings: "
                + string.Join("; ", Blocking.Take(5).Select(f => $"{f.RuleId} at {f.File}:{f.Line}"))
            : Scan.Summary;
}

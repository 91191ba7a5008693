namespace DeployMind.Domain.Findings;

/// <summary>One security problem found in the source tree or a built image. Never carries the secret value itself.</summary>
/// <param name="RuleId">Stable id, e.g. "DMS003" (secrets), "DMK001" (Kubernetes) or "CVE-2024-2511" (image vulnerabilities).</param>
/// <param name="Title">What the rule detects.</param>
/// <param name="Severity">How much it matters.</param>
/// <param name="File">Path relative to the scanned root, '/'-separated (for image findings: the scanner's target, e.g. the OS or a lockfile).</param>
/// <param name="Line">1-based line; 0 when the finding has no line (image vulnerabilities).</param>
/// <param name="Column">1-based column where the secret (or the offending key) starts; 0 when unknown.</param>
/// <param name="RedactedExcerpt">The line with every detected secret replaced by a redaction marker, trimmed to about 120 characters.</param>
public sealed record SecurityFinding(
    string RuleId,
    string Title,
    Severity Severity,
    string File,
    int Line,
    int Column,
    string RedactedExcerpt)
{
    /// <summary>Secret, risky configuration or vulnerability.</summary>
    public SecurityFindingKind Kind { get; init; } = SecurityFindingKind.Secret;
}

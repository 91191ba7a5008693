namespace DeployMind.Domain.Findings;

/// <summary>One security problem found in the source tree. Never carries the secret value itself.</summary>
/// <param name="RuleId">Stable id, e.g. "DMS003" (secrets) or "DMK001" (Kubernetes).</param>
/// <param name="Title">What the rule detects.</param>
/// <param name="Severity">How much it matters.</param>
/// <param name="File">Path relative to the scanned root, '/'-separated.</param>
/// <param name="Line">1-based line.</param>
/// <param name="Column">1-based column where the secret (or the offending key) starts.</param>
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
    /// <summary>Secret or risky configuration.</summary>
    public SecurityFindingKind Kind { get; init; } = SecurityFindingKind.Secret;
}

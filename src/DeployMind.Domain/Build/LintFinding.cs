using DeployMind.Domain.Findings;

namespace DeployMind.Domain.Build;

/// <summary>What a Dockerfile rule is about; the scan stage gates on <see cref="Security"/> findings.</summary>
public enum LintCategory
{
    Security,
    Reliability,
    Reproducibility,
    Size,
    Cache,
    Style,
}

/// <summary>One problem the Dockerfile linter found.</summary>
/// <param name="RuleId">Stable id, e.g. "DM001"; the hadolint/Trivy equivalent is in the rule catalogue.</param>
/// <param name="Severity">How much it matters.</param>
/// <param name="Category">What it is about.</param>
/// <param name="Line">1-based line of the instruction (its first line when it continues over several).</param>
/// <param name="Message">What is wrong, naming the instruction.</param>
/// <param name="Fix">What to write instead.</param>
public sealed record LintFinding(
    string RuleId,
    Severity Severity,
    LintCategory Category,
    int Line,
    string Message,
    string Fix);

using DeployMind.Domain.Build;
using DeployMind.Domain.Findings;

namespace DeployMind.Infrastructure.Build.Linting;

/// <summary>A Dockerfile rule as documented: what it checks, how much it matters and its hadolint/Trivy equivalents.</summary>
/// <param name="Id">Stable id, e.g. "DM001".</param>
/// <param name="Name">PascalCase name, used as the SARIF rule name.</param>
/// <param name="Title">One line saying what the rule wants.</param>
/// <param name="Severity">Severity of its findings.</param>
/// <param name="Category">What it is about.</param>
/// <param name="Description">Why it matters and when it fires.</param>
/// <param name="Fix">How to fix it in general (each finding carries a concrete fix).</param>
/// <param name="HadolintIds">hadolint rules with the same intent (their ignore pragmas map to this rule).</param>
/// <param name="TrivyIds">Trivy misconfiguration checks with the same intent.</param>
public sealed record LintRuleDescriptor(
    string Id,
    string Name,
    string Title,
    Severity Severity,
    LintCategory Category,
    string Description,
    string Fix,
    IReadOnlyList<string> HadolintIds,
    IReadOnlyList<string> TrivyIds)
{
    /// <summary>"hadolint DL3006, DL3007; Trivy DS001", or "-" when there is no equivalent.</summary>
    public string Equivalent
    {
        get
        {
            var parts = new List<string>(2);
            if (HadolintIds.Count > 0)
            {
                parts.Add("hadolint " + string.Join(", ", HadolintIds));
            }

            if (TrivyIds.Count > 0)
            {
                parts.Add("Trivy " + string.Join(", ", TrivyIds));
            }

            return parts.Count == 0 ? "-" : string.Join("; ", parts);
        }
    }
}

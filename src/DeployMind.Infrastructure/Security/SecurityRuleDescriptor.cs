using DeployMind.Domain.Findings;

namespace DeployMind.Infrastructure.Security;

/// <summary>A rule as reports describe it (SARIF <c>tool.driver.rules</c>).</summary>
/// <param name="Id">Stable id.</param>
/// <param name="Title">What it detects.</param>
/// <param name="Severity">Default severity.</param>
/// <param name="Kind">Secret or risky configuration.</param>
/// <param name="Fix">What to do instead.</param>
public sealed record SecurityRuleDescriptor(string Id, string Title, Severity Severity, SecurityFindingKind Kind, string Fix);

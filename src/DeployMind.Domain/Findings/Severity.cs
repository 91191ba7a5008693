namespace DeployMind.Domain.Findings;

/// <summary>How much a finding matters; policies decide which severities block a deployment.</summary>
public enum Severity
{
    Info = 0,
    Low = 1,
    Medium = 2,
    High = 3,
    Critical = 4,
}

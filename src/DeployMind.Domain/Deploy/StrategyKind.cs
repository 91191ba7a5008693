namespace DeployMind.Domain.Deploy;

/// <summary>How a new release replaces the running one.</summary>
public enum StrategyKind
{
    Rolling,
    Canary,
    BlueGreen,
}

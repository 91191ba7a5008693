namespace DeployMind.Domain.Deploy;

/// <summary>How a deploy ended on its targets.</summary>
public enum DeployStatus
{
    /// <summary>The new release serves all traffic.</summary>
    Succeeded,

    /// <summary>The new release never took traffic (it did not start or never got healthy); the previous one still serves.</summary>
    Failed,

    /// <summary>The new release took some traffic, misbehaved, and traffic went back to the previous release.</summary>
    RolledBack,
}

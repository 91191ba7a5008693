namespace DeployMind.Domain.Deploy;

/// <summary>Where a deployment is. Only <see cref="Deployment"/> changes it, through legal transitions.</summary>
public enum DeploymentState
{
    Queued,
    Scanning,
    Building,
    Deploying,
    Verifying,
    Succeeded,
    Failed,
    RolledBack,
    Cancelled,

    /// <summary>Never run: a deployment of the same app and environment queued after it succeeded first (its release is older).</summary>
    Superseded,
}

/// <summary>The state machine of DESIGN.md §1.</summary>
public static class DeploymentStates
{
    private static readonly Dictionary<DeploymentState, DeploymentState[]> Legal = new()
    {
        // A rollback redeploys a release that was scanned and built before: it goes from queued straight to deploying.
        // A queued job whose release is older than one that has since succeeded on its target is superseded, never run.
        [DeploymentState.Queued] = [DeploymentState.Scanning, DeploymentState.Deploying, DeploymentState.Failed, DeploymentState.Cancelled, DeploymentState.Superseded],
        // A running deployment goes back to queued when its worker stopped (shutdown, lost lease) and another takes it over.
        [DeploymentState.Scanning] = [DeploymentState.Building, DeploymentState.Failed, DeploymentState.Cancelled, DeploymentState.Queued],
        [DeploymentState.Building] = [DeploymentState.Deploying, DeploymentState.Failed, DeploymentState.Cancelled, DeploymentState.Queued],
        [DeploymentState.Deploying] = [DeploymentState.Verifying, DeploymentState.Failed, DeploymentState.RolledBack, DeploymentState.Cancelled, DeploymentState.Queued],
        [DeploymentState.Verifying] = [DeploymentState.Succeeded, DeploymentState.Failed, DeploymentState.RolledBack, DeploymentState.Cancelled, DeploymentState.Queued],
        [DeploymentState.Succeeded] = [],
        [DeploymentState.Failed] = [],
        [DeploymentState.RolledBack] = [],
        [DeploymentState.Cancelled] = [],
        [DeploymentState.Superseded] = [],
    };

    /// <summary>Whether <paramref name="from"/> may move to <paramref name="to"/>.</summary>
    public static bool CanMove(DeploymentState from, DeploymentState to) => Legal[from].Contains(to);

    /// <summary>No transition leaves a terminal state.</summary>
    public static bool IsTerminal(this DeploymentState state) => Legal[state].Length == 0;

    /// <summary>snake_case as users see it: queued, rolled_back, ...</summary>
    public static string Name(this DeploymentState state) => state switch
    {
        DeploymentState.RolledBack => "rolled_back",
        _ => state.ToString().ToLowerInvariant(),
    };

    /// <summary>The state named <paramref name="name"/> (as <see cref="Name"/> writes it, or the enum's name), if any.</summary>
    public static DeploymentState? Parse(string? name)
    {
        var normalized = name?.Trim().Replace("_", string.Empty, StringComparison.Ordinal).Replace("-", string.Empty, StringComparison.Ordinal);
        return !string.IsNullOrEmpty(normalized) && normalized.All(char.IsAsciiLetter) && Enum.TryParse<DeploymentState>(normalized, ignoreCase: true, out var state)
            ? state
            : null;
    }
}

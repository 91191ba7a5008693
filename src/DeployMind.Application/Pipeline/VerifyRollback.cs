namespace DeployMind.Application.Pipeline;

/// <summary>What verify did after the new release failed it.</summary>
/// <param name="Kind">Reverted, restarted the previous release, or left the new one in place (and why).</param>
/// <param name="To">The releases traffic went back to (or would have); empty when there were none.</param>
/// <param name="Error">Why the rollback failed or was not possible, when it did not happen.</param>
internal sealed record VerifyRollback(VerifyRollbackKind Kind, IReadOnlyList<string> To, string? Error = null)
{
    /// <summary>Traffic is on a previous release again.</summary>
    public bool RolledBack => Kind is VerifyRollbackKind.Reverted or VerifyRollbackKind.RestartedPrevious;
}

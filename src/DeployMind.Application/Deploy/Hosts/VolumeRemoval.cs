namespace DeployMind.Application.Deploy.Hosts;

/// <summary>What became of a named volume asked to be removed.</summary>
/// <param name="Volume">The volume's name.</param>
/// <param name="Outcome">Removed, not there, or kept because containers mount it.</param>
/// <param name="UsedBy">The containers that still mount it (when kept).</param>
public sealed record VolumeRemoval(string Volume, VolumeRemovalOutcome Outcome, IReadOnlyList<string> UsedBy)
{
    /// <summary>One line for the user and the record: "shop-db removed", "shop-db kept: used by other-app".</summary>
    public override string ToString() => Outcome switch
    {
        VolumeRemovalOutcome.Removed => $"{Volume} removed",
        VolumeRemovalOutcome.Missing => $"{Volume} was not there",
        _ => $"{Volume} kept: still used by {string.Join(", ", UsedBy)}",
    };
}

/// <summary>See <see cref="VolumeRemoval"/>.</summary>
public enum VolumeRemovalOutcome
{
    Removed,
    Missing,
    InUse,
}

namespace DeployMind.Application.Deploy;

/// <summary>
/// What the records say of an app's releases in one environment: the ones that succeeded (newest first) and the ones that
/// were rejected (failed, rolled back, cancelled or interrupted, and never succeeded). A rollback goes back to the last
/// release that succeeded; when the records know nothing (they are gone, or live elsewhere) the releases kept on the host
/// decide, never one the records rejected.
/// </summary>
/// <param name="Succeeded">Release ids that succeeded, newest first.</param>
/// <param name="Rejected">Release ids that ended badly and never succeeded.</param>
public sealed record ReleaseHistory(IReadOnlyList<string> Succeeded, IReadOnlySet<string> Rejected)
{
    /// <summary>No records: the host's labels decide.</summary>
    public static ReleaseHistory Unknown { get; } = new([], new HashSet<string>(StringComparer.Ordinal));

    /// <summary>Whether the records know any release of the app.</summary>
    public bool IsKnown => Succeeded.Count > 0 || Rejected.Count > 0;

    /// <summary>Whether a rollback may choose <paramref name="releaseId"/>: a release that succeeded, or (records silent on it) one they never rejected.</summary>
    public bool MayServe(string releaseId) => !Rejected.Contains(releaseId);

    /// <summary>Whether the records say <paramref name="releaseId"/> succeeded.</summary>
    public bool SucceededWith(string releaseId) => Succeeded.Contains(releaseId, StringComparer.Ordinal);
}

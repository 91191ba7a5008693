namespace DeployMind.Infrastructure.Build.Linting;

/// <summary>An image reference split into repository, tag and digest (<c>ghcr.io/org/app:1.2@sha256:...</c>).</summary>
/// <param name="Repository">Registry and path, e.g. "node" or "gcr.io/distroless/nodejs22-debian12".</param>
/// <param name="Tag">The tag, or null when none is written.</param>
/// <param name="Digest">The digest (after '@'), or null.</param>
internal sealed record ImageReference(string Repository, string? Tag, string? Digest)
{
    /// <summary>The last path segment of the repository ("node" for docker.io/library/node).</summary>
    public string Name => Repository[(Repository.LastIndexOf('/') + 1)..];

    public static ImageReference Parse(string reference)
    {
        ArgumentNullException.ThrowIfNull(reference);
        string? digest = null;
        var at = reference.IndexOf('@', StringComparison.Ordinal);
        if (at >= 0)
        {
            digest = reference[(at + 1)..];
            reference = reference[..at];
        }

        var slash = reference.LastIndexOf('/');
        var colon = reference.IndexOf(':', slash + 1);
        return colon < 0
            ? new ImageReference(reference, null, digest)
            : new ImageReference(reference[..colon], reference[(colon + 1)..], digest);
    }

    public override string ToString() =>
        Repository + (Tag is null ? string.Empty : ":" + Tag) + (Digest is null ? string.Empty : "@" + Digest);
}

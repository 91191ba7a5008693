namespace DeployMind.Application.Source;

/// <summary>Gets the sources a deployment builds: a git repository at a branch or commit.</summary>
public interface ISourceProvider
{
    /// <summary>Fetches <paramref name="spec"/> into a fresh folder (a shallow fetch of exactly that commit).</summary>
    /// <exception cref="Domain.DeployMindException">The repository or ref cannot be fetched; the message says which and why (no token in it).</exception>
    Task<SourceCheckout> FetchAsync(SourceSpec spec, CancellationToken cancellationToken);
}

/// <summary>What to fetch.</summary>
/// <param name="Repository">"owner/repo" (resolved through <c>git.baseUrl</c>), a git URL, or a local repository path.</param>
/// <param name="Ref">A branch, a tag or a full commit SHA.</param>
public sealed record SourceSpec(string Repository, string Ref);

/// <summary>A checkout on disk; disposing it deletes the folder.</summary>
/// <param name="Path">The checkout's root.</param>
/// <param name="Commit">The full SHA checked out.</param>
/// <param name="Repository">The repository as given.</param>
/// <param name="Ref">The ref as given.</param>
public sealed record SourceCheckout(string Path, string Commit, string Repository, string Ref) : IDisposable
{
    /// <summary>The short SHA used in image tags.</summary>
    public string ShortCommit => Commit.Length > 12 ? Commit[..12] : Commit;

    /// <summary>The repository's name (the last path segment without .git), the default app name.</summary>
    public string Name => System.IO.Path.GetFileName(Repository.TrimEnd('/')).Replace(".git", string.Empty, StringComparison.Ordinal);

    public void Dispose()
    {
        try
        {
            Directory.Delete(Path, recursive: true);
        }
        catch (IOException)
        {
            // A checkout left in the temp folder is harmless.
        }
        catch (UnauthorizedAccessException)
        {
        }
    }
}

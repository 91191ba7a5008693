using System.Security.Cryptography;
using System.Text;

namespace DeployMind.Application.Build;

/// <summary>
/// A content hash of an app folder, used as the image tag of a local build (a commit's short SHA is used for git
/// sources): the same sources give the same tag, any edit gives a new one.
/// </summary>
internal static class SourceFingerprint
{
    /// <summary>Folders that are dependencies, build output or VCS data, never sources.</summary>
    public static IReadOnlySet<string> IgnoredDirectories { get; } = new HashSet<string>(StringComparer.Ordinal)
    {
        ".git", ".hg", ".svn", "node_modules", "vendor", "venv", ".venv", "__pycache__", "target", "bin", "obj", ".gradle", ".next", "dist", ".deploymind",
    };

    /// <summary>First 12 hex characters of SHA-256 over the sorted relative paths and contents.</summary>
    /// <param name="root">The folder.</param>
    /// <param name="extra">More input that decides the image (a generated Dockerfile), or null.</param>
    /// <param name="cancellationToken">Stops the walk.</param>
    public static async Task<string> ComputeAsync(string root, string? extra, CancellationToken cancellationToken)
    {
        using var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        if (extra is not null)
        {
            hash.AppendData(Encoding.UTF8.GetBytes(extra + "\0"));
        }

        var files = Enumerate(root).Order(StringComparer.Ordinal);
        var buffer = new byte[81920];
        foreach (var relative in files)
        {
            hash.AppendData(Encoding.UTF8.GetBytes(relative + "\0"));
            await using var stream = File.OpenRead(Path.Combine(root, relative));
            int read;
            while ((read = await stream.ReadAsync(buffer, cancellationToken)) > 0)
            {
                hash.AppendData(buffer, 0, read);
            }
        }

        return Convert.ToHexStringLower(hash.GetHashAndReset())[..12];
    }

    private static IEnumerable<string> Enumerate(string root)
    {
        var pending = new Stack<string>();
        pending.Push(root);
        while (pending.Count > 0)
        {
            var dir = pending.Pop();
            foreach (var sub in Directory.EnumerateDirectories(dir))
            {
                var info = new DirectoryInfo(sub);
                if (!IgnoredDirectories.Contains(info.Name) && info.LinkTarget is null)
                {
                    pending.Push(sub);
                }
            }

            foreach (var file in Directory.EnumerateFiles(dir))
            {
                yield return Path.GetRelativePath(root, file).Replace('\\', '/');
            }
        }
    }
}

using DeployMind.Application.Security;

namespace DeployMind.Infrastructure.Security;

/// <summary>
/// Lists the files a scan should read: skips dependency and build-output folders, lockfiles, minified files and
/// <c>.deploymindignore</c> matches, recording each skip. Symbolic links are not followed.
/// </summary>
internal static class SourceTreeWalker
{
    private static readonly HashSet<string> VendoredFolders = new(StringComparer.OrdinalIgnoreCase)
    {
        "node_modules", "vendor", ".venv", "venv", "__pycache__", ".git", "dist", "build", "target", "bin", "obj",
    };

    private static readonly HashSet<string> Lockfiles = new(StringComparer.OrdinalIgnoreCase)
    {
        "package-lock.json", "yarn.lock", "pnpm-lock.yaml", "poetry.lock", "Cargo.lock", "go.sum", "composer.lock",
        "Gemfile.lock", "npm-shrinkwrap.json", "packages.lock.json",
    };

    /// <summary>A file to scan: its full path, its '/'-separated path relative to the root, and its size.</summary>
    public sealed record Entry(string FullPath, string RelativePath, long Length);

    public static (List<Entry> Files, List<SkippedFile> Skipped) Walk(string root, IgnorePatterns ignore, CancellationToken ct)
    {
        var files = new List<Entry>();
        var skipped = new List<SkippedFile>();
        var pending = new Stack<(DirectoryInfo Directory, string Relative)>();
        pending.Push((new DirectoryInfo(root), string.Empty));
        var options = new EnumerationOptions { IgnoreInaccessible = true, AttributesToSkip = FileAttributes.ReparsePoint, RecurseSubdirectories = false };
        while (pending.Count > 0)
        {
            ct.ThrowIfCancellationRequested();
            var (directory, relative) = pending.Pop();
            foreach (var info in directory.EnumerateFileSystemInfos("*", options))
            {
                var path = relative.Length == 0 ? info.Name : relative + "/" + info.Name;
                if (info is DirectoryInfo sub)
                {
                    if (VendoredFolders.Contains(info.Name))
                    {
                        skipped.Add(new SkippedFile(path + "/", SkipReason.LockfileOrVendored));
                    }
                    else if (ignore.IsIgnored(path, isDirectory: true))
                    {
                        skipped.Add(new SkippedFile(path + "/", SkipReason.Ignored));
                    }
                    else
                    {
                        pending.Push((sub, path));
                    }

                    continue;
                }

                var file = (FileInfo)info;
                if (IsLockfileOrMinified(file.Name))
                {
                    skipped.Add(new SkippedFile(path, SkipReason.LockfileOrVendored));
                }
                else if (ignore.IsIgnored(path, isDirectory: false))
                {
                    skipped.Add(new SkippedFile(path, SkipReason.Ignored));
                }
                else if (relative.Length == 0 && file.Name == IgnorePatterns.FileName)
                {
                    continue;
                }
                else
                {
                    files.Add(new Entry(file.FullName, path, file.Length));
                }
            }
        }

        return (files, skipped);
    }

    private static bool IsLockfileOrMinified(string name) =>
        Lockfiles.Contains(name)
        || name.EndsWith(".lock", StringComparison.OrdinalIgnoreCase)
        || name.EndsWith(".min.js", StringComparison.OrdinalIgnoreCase)
        || name.EndsWith(".min.css", StringComparison.OrdinalIgnoreCase)
        || name.EndsWith(".map", StringComparison.OrdinalIgnoreCase);
}

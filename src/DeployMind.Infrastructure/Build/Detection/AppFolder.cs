namespace DeployMind.Infrastructure.Build.Detection;

/// <summary>
/// Read-only view of one application folder. Every path is relative to <see cref="Root"/>; nothing here
/// ever looks above the root (a monorepo's app folder is inspected on its own).
/// </summary>
internal sealed class AppFolder
{
    /// <summary>Files larger than this are not read (a manifest is small; anything bigger is not one).</summary>
    private const long MaxReadableBytes = 2 * 1024 * 1024;

    /// <summary>Upper bound on files looked at by a source scan, so a huge tree cannot stall detection.</summary>
    private const int MaxScannedFiles = 5000;

    /// <summary>Dependency, build-output and tool folders: a file in them says nothing about the app's language.</summary>
    public static readonly IReadOnlySet<string> IgnoredDirectories = new HashSet<string>(StringComparer.Ordinal)
    {
        "node_modules", "vendor", "venv", ".venv", "env", "__pycache__", "target", "bin", "obj", ".git",
        "dist", "build", "out", ".next", ".nuxt", ".gradle", ".idea", ".vscode", ".tox", ".mypy_cache",
        ".pytest_cache", "site-packages", "bower_components", "coverage", ".bundle", "tmp", "log",
    };

    private static readonly EnumerationOptions TopLevelOnly = new()
    {
        RecurseSubdirectories = false,
        IgnoreInaccessible = true,
        MatchCasing = MatchCasing.CaseSensitive,
        AttributesToSkip = FileAttributes.ReparsePoint,
    };

    public AppFolder(string root)
    {
        Root = root;
    }

    /// <summary>Absolute path of the application folder.</summary>
    public string Root { get; }

    /// <summary>Name of the application folder itself (used when nothing better names the app).</summary>
    public string Name => Path.GetFileName(Root);

    public bool FileExists(string relativePath) => File.Exists(Full(relativePath));

    public bool DirectoryExists(string relativePath) => Directory.Exists(Full(relativePath));

    /// <summary>The size of a file in bytes, or null when there is no such file.</summary>
    public long? FileSize(string relativePath)
    {
        var info = new FileInfo(Full(relativePath));
        return info.Exists ? info.Length : null;
    }

    /// <summary>The first of <paramref name="relativePaths"/> that exists as a file, or null.</summary>
    public string? FirstExisting(IEnumerable<string> relativePaths) => relativePaths.FirstOrDefault(FileExists);

    /// <summary>The text of a file, or null when it is missing, unreadable or too large to be a manifest.</summary>
    public async Task<string?> ReadTextAsync(string relativePath, CancellationToken cancellationToken)
    {
        var path = Full(relativePath);
        try
        {
            var info = new FileInfo(path);
            if (!info.Exists || info.Length > MaxReadableBytes)
            {
                return null;
            }

            return await File.ReadAllTextAsync(path, cancellationToken).ConfigureAwait(false);
        }
        catch (IOException)
        {
            return null;
        }
        catch (UnauthorizedAccessException)
        {
            return null;
        }
    }

    /// <summary>The first non-blank, non-comment line of a small file (e.g. .nvmrc, .python-version), trimmed, or null.</summary>
    public async Task<string?> ReadFirstLineAsync(string relativePath, CancellationToken cancellationToken)
    {
        var text = await ReadTextAsync(relativePath, cancellationToken).ConfigureAwait(false);
        return text?.Split('\n').Select(line => line.Trim()).FirstOrDefault(line => line.Length > 0 && !line.StartsWith('#'));
    }

    /// <summary>Names of the files directly in <paramref name="relativeDirectory"/> matching <paramref name="pattern"/>, sorted.</summary>
    public IReadOnlyList<string> FilesIn(string relativeDirectory, string pattern)
    {
        var directory = Full(relativeDirectory);
        if (!Directory.Exists(directory))
        {
            return [];
        }

        var names = Directory.EnumerateFiles(directory, pattern, TopLevelOnly).Select(Path.GetFileName).OfType<string>().ToList();
        names.Sort(StringComparer.Ordinal);
        return names;
    }

    /// <summary>Names of the sub-folders of <paramref name="relativeDirectory"/>, sorted, without the ignored ones.</summary>
    public IReadOnlyList<string> DirectoriesIn(string relativeDirectory)
    {
        var directory = Full(relativeDirectory);
        if (!Directory.Exists(directory))
        {
            return [];
        }

        var names = Directory.EnumerateDirectories(directory, "*", TopLevelOnly)
            .Select(Path.GetFileName)
            .OfType<string>()
            .Where(name => !IgnoredDirectories.Contains(name))
            .ToList();
        names.Sort(StringComparer.Ordinal);
        return names;
    }

    /// <summary>
    /// Relative paths (with '/') of the files in the root and at most <paramref name="maxDepth"/> folder levels below it,
    /// skipping <see cref="IgnoredDirectories"/>, hidden folders and symbolic links.
    /// </summary>
    public IReadOnlyList<string> ScanFiles(int maxDepth, CancellationToken cancellationToken)
    {
        var found = new List<string>();
        Scan(string.Empty, 0);
        return found;

        void Scan(string relativeDirectory, int depth)
        {
            cancellationToken.ThrowIfCancellationRequested();
            foreach (var file in FilesIn(relativeDirectory, "*"))
            {
                if (found.Count >= MaxScannedFiles)
                {
                    return;
                }

                found.Add(Combine(relativeDirectory, file));
            }

            if (depth >= maxDepth)
            {
                return;
            }

            foreach (var directory in DirectoriesIn(relativeDirectory))
            {
                if (!directory.StartsWith('.'))
                {
                    Scan(Combine(relativeDirectory, directory), depth + 1);
                }
            }
        }
    }

    /// <summary>Joins relative path segments with '/', the separator used in evidence and facts.</summary>
    public static string Combine(string relativeDirectory, string name) =>
        relativeDirectory.Length == 0 ? name : relativeDirectory + "/" + name;

    /// <summary>
    /// Resolves <paramref name="relativePath"/> against the folder <paramref name="relativeDirectory"/> (both relative to the root),
    /// or null when the result would leave the root.
    /// </summary>
    public static string? Resolve(string relativeDirectory, string relativePath)
    {
        var segments = new List<string>();
        foreach (var segment in Combine(relativeDirectory, relativePath.Replace('\\', '/')).Split('/', StringSplitOptions.RemoveEmptyEntries))
        {
            if (segment == "..")
            {
                if (segments.Count == 0)
                {
                    return null;
                }

                segments.RemoveAt(segments.Count - 1);
            }
            else if (segment != ".")
            {
                segments.Add(segment);
            }
        }

        return segments.Count == 0 ? null : string.Join('/', segments);
    }

    private string Full(string relativePath) =>
        relativePath.Length == 0 ? Root : Path.Combine(Root, relativePath.Replace('/', Path.DirectorySeparatorChar));
}

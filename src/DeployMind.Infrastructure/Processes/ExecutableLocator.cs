namespace DeployMind.Infrastructure.Processes;

/// <summary>Finds a program the way a shell would, so a missing tool can be reported before anything is started.</summary>
public static class ExecutableLocator
{
    /// <summary>
    /// The full path of <paramref name="program"/>: itself when it names a path (absolute, or relative with a
    /// directory) and the file exists, otherwise the first executable file of that name in the directories of
    /// <paramref name="searchPath"/> (a PATH value). Null when there is none.
    /// </summary>
    public static string? Find(string program, string? searchPath)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(program);
        if (program.Contains('/', StringComparison.Ordinal) || program.Contains(Path.DirectorySeparatorChar, StringComparison.Ordinal))
        {
            // An explicit path that exists is returned even when it is not executable: starting it then fails
            // with "permission denied", which says more than "not found".
            var full = Path.GetFullPath(program);
            return File.Exists(full) ? full : null;
        }

        if (string.IsNullOrEmpty(searchPath))
        {
            return null;
        }

        foreach (var directory in searchPath.Split(Path.PathSeparator, StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
        {
            foreach (var name in Candidates(program))
            {
                string candidate;
                try
                {
                    candidate = Path.Combine(directory, name);
                }
                catch (ArgumentException)
                {
                    continue; // a PATH entry with characters no path can hold
                }

                if (IsExecutableFile(candidate))
                {
                    return Path.GetFullPath(candidate);
                }
            }
        }

        return null;
    }

    /// <summary>
    /// Every executable file named <paramref name="program"/> in the directories of <paramref name="searchPath"/>, in PATH
    /// order, each file once (two PATH entries or links leading to the same file count once).
    /// </summary>
    public static IReadOnlyList<string> FindAll(string program, string? searchPath)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(program);
        var found = new List<string>();
        var targets = new HashSet<string>(StringComparer.Ordinal);
        foreach (var directory in (searchPath ?? string.Empty).Split(Path.PathSeparator, StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
        {
            foreach (var name in Candidates(program))
            {
                string candidate;
                try
                {
                    candidate = Path.GetFullPath(Path.Combine(directory, name));
                }
                catch (ArgumentException)
                {
                    continue;
                }

                if (IsExecutableFile(candidate) && targets.Add(RealPath(candidate)))
                {
                    found.Add(candidate);
                }
            }
        }

        return found;
    }

    private static string RealPath(string path)
    {
        try
        {
            return new FileInfo(path).ResolveLinkTarget(returnFinalTarget: true)?.FullName ?? path;
        }
        catch (IOException)
        {
            return path;
        }
    }

    /// <summary><see cref="Find(string, string?)"/> against this process's PATH.</summary>
    public static string? Find(string program) => Find(program, Environment.GetEnvironmentVariable("PATH"));

    private static IEnumerable<string> Candidates(string program)
    {
        yield return program;
        if (OperatingSystem.IsWindows() && !Path.HasExtension(program))
        {
            yield return program + ".exe";
            yield return program + ".cmd";
        }
    }

    private static bool IsExecutableFile(string path)
    {
        if (!File.Exists(path))
        {
            return false;
        }

        if (OperatingSystem.IsWindows())
        {
            return true;
        }

        const UnixFileMode AnyExecute = UnixFileMode.UserExecute | UnixFileMode.GroupExecute | UnixFileMode.OtherExecute;
        try
        {
            return (File.GetUnixFileMode(path) & AnyExecute) != 0;
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            return false;
        }
    }
}

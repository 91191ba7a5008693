using System.Text.RegularExpressions;

namespace DeployMind.Infrastructure.Docker;

/// <summary>
/// The last lines of a build log as a failure message quotes them: blank lines dropped and a run of repeated lines
/// collapsed into its first with "(×5)" — identical lines, and retry lines that differ only in their counters and
/// addresses (pip's "Retrying (Retry(total=4…" down to total=0, npm's "attempt 2 failed"), so five retries take one line.
/// </summary>
internal static partial class BuildLogTail
{
    public static IReadOnlyList<string> Last(IEnumerable<string> log, int lines)
    {
        ArgumentNullException.ThrowIfNull(log);
        return [.. Collapse(log.Where(l => !string.IsNullOrWhiteSpace(l))).TakeLast(lines)];
    }

    public static IEnumerable<string> Collapse(IEnumerable<string> log)
    {
        ArgumentNullException.ThrowIfNull(log);
        string? first = null;
        string? key = null;
        var count = 0;
        foreach (var line in log)
        {
            var lineKey = Key(line);
            if (first is not null && lineKey == key)
            {
                count++;
                continue;
            }

            if (first is not null)
            {
                yield return count > 1 ? $"{first} (×{count})" : first;
            }

            (first, key, count) = (line, lineKey, 1);
        }

        if (first is not null)
        {
            yield return count > 1 ? $"{first} (×{count})" : first;
        }
    }

    // Retry lines compare without their numbers; any other line only as written (two compiler errors on lines 4 and 7 stay two).
    private static string Key(string line) =>
        Retry().IsMatch(line) ? Numbers().Replace(line, "#") : line;

    [GeneratedRegex(@"retr(y|ies|ying)|attempt \d|tries remaining", RegexOptions.IgnoreCase)]
    private static partial Regex Retry();

    [GeneratedRegex(@"0x[0-9a-fA-F]+|\d+")]
    private static partial Regex Numbers();
}

using System.Globalization;
using System.Text.RegularExpressions;

namespace DeployMind.Infrastructure.Nginx;

/// <summary>Reads what nginx writes to its error log (or prints) when it cannot load a configuration.</summary>
internal static partial class NginxReloadErrors
{
    /// <summary>
    /// nginx's emergency, alert and critical lines in <paramref name="text"/>, without their time and process ids
    /// ("[emerg] bind() to 127.0.0.1:8080 failed (98: Address already in use)"), each once (nginx repeats its retries).
    /// </summary>
    public static string[] Lines(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        return [.. text.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)
            .Select(l => LogPrefix().Replace(l, "$1 "))
            .Where(l => l.StartsWith("[emerg]", StringComparison.Ordinal) || l.StartsWith("[alert]", StringComparison.Ordinal)
                || l.StartsWith("[crit]", StringComparison.Ordinal))
            .Distinct(StringComparer.Ordinal)];
    }

    /// <summary>
    /// Whether the lines (from <see cref="Lines"/>) say the reload is over and failed: nginx reports a configuration it
    /// cannot load as [emerg]. A failed bind() is retried a few times before it gives up ("still could not bind()");
    /// any other emergency ends the reload at once. Alerts (a worker that died) say nothing about the reload.
    /// </summary>
    public static bool IsFinal(IReadOnlyList<string> lines)
    {
        ArgumentNullException.ThrowIfNull(lines);
        return lines.Any(l => l.StartsWith("[emerg]", StringComparison.Ordinal)
            && (l.Contains("still could not bind()", StringComparison.Ordinal) || !BindFailed().IsMatch(l)));
    }

    /// <summary>The ports of "bind() to 127.0.0.1:8080 failed (98: Address already in use)" lines, in order, once each.</summary>
    public static IReadOnlyList<int> BindFailures(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        return [.. BindFailed().Matches(text)
            .Select(m => int.Parse(m.Groups["port"].Value, NumberStyles.None, CultureInfo.InvariantCulture))
            .Distinct()];
    }

    /// <summary>"2026/12/06 14:35:47 [emerg] 32419#32419: " (the error log) or "nginx: [emerg] " (nginx's own output).</summary>
    [GeneratedRegex(@"^(?:[0-9/]+ [0-9:]+ |nginx: )?(\[[a-z]+\]) (?:[0-9]+#[0-9]+: (?:\*[0-9]+ )?)?", RegexOptions.CultureInvariant)]
    private static partial Regex LogPrefix();

    [GeneratedRegex(@"bind\(\) to \S*:(?<port>[0-9]{1,5}) failed", RegexOptions.CultureInvariant)]
    private static partial Regex BindFailed();
}

using System.Globalization;
using System.Text.RegularExpressions;

namespace DeployMind.Application.Jobs;

/// <summary>
/// The timeline note every run writes for each lock it holds ("holding docker:web-1 with fencing token 7 (owner)"): the
/// fencing audit of a target reads it, and so does the reconciliation of deployments whose process is gone.
/// </summary>
public static partial class LockNotes
{
    public static string Holding(LockHandle handle, string owner)
    {
        ArgumentNullException.ThrowIfNull(handle);
        return string.Create(CultureInfo.InvariantCulture, $"holding {handle.Target} with fencing token {handle.Token} ({owner})");
    }

    /// <summary>The target and owner of a <see cref="Holding"/> note; false for any other note.</summary>
    public static bool TryParse(string detail, out string target, out string owner)
    {
        var match = HoldingPattern().Match(detail ?? string.Empty);
        (target, owner) = match.Success ? (match.Groups["target"].Value, match.Groups["owner"].Value) : (string.Empty, string.Empty);
        return match.Success;
    }

    [GeneratedRegex(@"^holding (?<target>\S+) with fencing token \d+ \((?<owner>.*)\)$", RegexOptions.CultureInvariant)]
    private static partial Regex HoldingPattern();
}

using System.Text.RegularExpressions;

namespace DeployMind.Infrastructure.Processes;

/// <summary>Removes terminal escape sequences (colours, cursor moves) from tool output before it is stored.</summary>
public static partial class AnsiText
{
    public static string Strip(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        return text.Contains('\u001b', StringComparison.Ordinal) ? Escape().Replace(text, string.Empty) : text;
    }

    [GeneratedRegex(@"\u001b(?:\[[0-9;?]*[ -/]*[@-~]|\][^\u0007]*\u0007|[@-Z\\-_])")]
    private static partial Regex Escape();
}

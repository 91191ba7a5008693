using System.Text;

namespace DeployMind.Infrastructure.Processes;

/// <summary>
/// The one place a string becomes part of a shell line. Everything quoted here stays data for a
/// POSIX shell: a branch called <c>main;rm -rf /</c> or a tag holding <c>$(id)</c> is printed, never run.
/// </summary>
public static class ShellQuote
{
    /// <summary>Single-quotes <paramref name="value"/> for a POSIX shell (single quotes inside become <c>'\''</c>).</summary>
    /// <exception cref="ArgumentException">The value holds a NUL character, which no shell argument can carry.</exception>
    public static string Quote(string value)
    {
        ArgumentNullException.ThrowIfNull(value);
        if (value.Contains('\0', StringComparison.Ordinal))
        {
            throw new ArgumentException("A shell argument cannot contain a NUL character.", nameof(value));
        }

        var builder = new StringBuilder(value.Length + 2);
        builder.Append('\'');
        foreach (var c in value)
        {
            if (c == '\'')
            {
                builder.Append("'\\''");
            }
            else
            {
                builder.Append(c);
            }
        }

        return builder.Append('\'').ToString();
    }

    /// <summary>Leaves plainly safe words as they are (for readable logs); quotes anything else.</summary>
    public static string QuoteIfNeeded(string value)
    {
        ArgumentNullException.ThrowIfNull(value);
        return value.Length > 0 && value.All(IsSafe) ? value : Quote(value);
    }

    /// <summary>Whether <paramref name="name"/> can be a shell variable name.</summary>
    public static bool IsValidVariableName(string name) =>
        name.Length > 0
        && (char.IsAsciiLetter(name[0]) || name[0] == '_')
        && name.All(c => char.IsAsciiLetterOrDigit(c) || c == '_');

    private static bool IsSafe(char c) =>
        char.IsAsciiLetterOrDigit(c) || c is '-' or '_' or '.' or '/' or ':' or '=' or '@' or '%' or '+' or ',';
}

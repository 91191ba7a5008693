using System.Text;
using System.Text.RegularExpressions;

namespace DeployMind.Infrastructure.Security;

/// <summary>
/// Gitignore-style patterns from <c>.deploymindignore</c>: <c>#</c> comments, globs (<c>*</c>, <c>?</c>, <c>[...]</c>,
/// <c>**</c>), a trailing <c>/</c> for folders only, a <c>/</c> elsewhere anchors to the root, <c>!</c> re-includes.
/// The last matching pattern wins; a file inside an ignored folder stays ignored.
/// </summary>
internal sealed class IgnorePatterns
{
    public const string FileName = ".deploymindignore";

    private readonly List<(Regex Pattern, bool DirectoryOnly, bool Negated)> _patterns;

    private IgnorePatterns(List<(Regex Pattern, bool DirectoryOnly, bool Negated)> patterns) => _patterns = patterns;

    public static IgnorePatterns Empty { get; } = new([]);

    /// <summary>Reads <c>.deploymindignore</c> at <paramref name="root"/>; no file means no patterns.</summary>
    public static async Task<IgnorePatterns> LoadAsync(string root, CancellationToken ct)
    {
        var path = Path.Combine(root, FileName);
        return File.Exists(path) ? Parse(await File.ReadAllTextAsync(path, ct).ConfigureAwait(false)) : Empty;
    }

    public static IgnorePatterns Parse(string text)
    {
        var patterns = new List<(Regex, bool, bool)>();
        foreach (var raw in text.Split('\n'))
        {
            var line = raw.TrimEnd('\r').Trim();
            if (line.Length == 0 || line[0] == '#')
            {
                continue;
            }

            var negated = line[0] == '!';
            if (negated)
            {
                line = line[1..];
            }

            var directoryOnly = line.EndsWith('/');
            line = line.TrimEnd('/');
            if (line.Length == 0)
            {
                continue;
            }

            var anchored = line.Contains('/', StringComparison.Ordinal);
            line = line.TrimStart('/');
            var body = Translate(line);
            var regex = anchored ? $"^{body}$" : $"^(?:.*/)?{body}$";
            patterns.Add((new Regex(regex, RegexOptions.CultureInvariant, TimeSpan.FromSeconds(1)), directoryOnly, negated));
        }

        return new IgnorePatterns(patterns);
    }

    /// <summary>Whether <paramref name="relativePath"/> ('/'-separated) is excluded.</summary>
    public bool IsIgnored(string relativePath, bool isDirectory)
    {
        var ignored = false;
        foreach (var (pattern, directoryOnly, negated) in _patterns)
        {
            if ((!directoryOnly || isDirectory) && pattern.IsMatch(relativePath))
            {
                ignored = !negated;
            }
        }

        return ignored;
    }

    private static string Translate(string glob)
    {
        var builder = new StringBuilder();
        for (var i = 0; i < glob.Length; i++)
        {
            var c = glob[i];
            switch (c)
            {
                case '*' when i + 1 < glob.Length && glob[i + 1] == '*':
                    var slashAfter = i + 2 < glob.Length && glob[i + 2] == '/';
                    builder.Append(slashAfter ? "(?:.*/)?" : ".*");
                    i += slashAfter ? 2 : 1;
                    break;
                case '*':
                    builder.Append("[^/]*");
                    break;
                case '?':
                    builder.Append("[^/]");
                    break;
                case '[':
                    var close = glob.IndexOf(']', i + 1);
                    if (close > i + 1)
                    {
                        var set = glob[(i + 1)..close];
                        builder.Append('[').Append(set[0] == '!' ? "^" + Regex.Escape(set[1..]) : Regex.Escape(set)).Append(']');
                        i = close;
                    }
                    else
                    {
                        builder.Append(@"\[");
                    }

                    break;
                case '\\' when i + 1 < glob.Length:
                    builder.Append(Regex.Escape(glob[++i].ToString()));
                    break;
                default:
                    builder.Append(Regex.Escape(c.ToString()));
                    break;
            }
        }

        return builder.ToString();
    }
}

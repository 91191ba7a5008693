using System.Text;
using System.Text.RegularExpressions;

namespace DeployMind.Infrastructure.Build.Detection;

/// <summary>
/// A forgiving, line-based reader for the parts of TOML that manifests use (pyproject.toml, Cargo.toml, Pipfile):
/// tables, arrays of tables, <c>key = value</c> pairs with values spanning lines (arrays, multi-line strings).
/// Values are kept raw; <see cref="AsString"/> and <see cref="AsStringArray"/> read them. It never throws on bad input:
/// what it cannot make sense of is skipped.
/// </summary>
internal sealed partial class TomlDocument
{
    private readonly Dictionary<string, Dictionary<string, string>> _tables = new(StringComparer.Ordinal);
    private readonly Dictionary<string, List<Dictionary<string, string>>> _arrayTables = new(StringComparer.Ordinal);

    private TomlDocument()
    {
        _tables[string.Empty] = new Dictionary<string, string>(StringComparer.Ordinal);
    }

    /// <summary>Names of the <c>[tables]</c> seen (dotted, unquoted; the root table is "").</summary>
    public IEnumerable<string> TableNames => _tables.Keys;

    public static TomlDocument Parse(string text)
    {
        var document = new TomlDocument();
        var current = document._tables[string.Empty];
        var lines = text.Replace("\r\n", "\n", StringComparison.Ordinal).Split('\n');
        for (var i = 0; i < lines.Length; i++)
        {
            var line = StripComment(lines[i]).Trim();
            if (line.Length == 0)
            {
                continue;
            }

            if (line.StartsWith("[[", StringComparison.Ordinal))
            {
                var end = line.IndexOf("]]", StringComparison.Ordinal);
                var name = NormalizeKey(end > 2 ? line[2..end] : line[2..]);
                current = new Dictionary<string, string>(StringComparer.Ordinal);
                if (!document._arrayTables.TryGetValue(name, out var list))
                {
                    list = [];
                    document._arrayTables[name] = list;
                }

                list.Add(current);
                continue;
            }

            if (line.StartsWith('['))
            {
                var end = line.LastIndexOf(']');
                var name = NormalizeKey(end > 1 ? line[1..end] : line[1..]);
                if (!document._tables.TryGetValue(name, out var table))
                {
                    table = new Dictionary<string, string>(StringComparer.Ordinal);
                    document._tables[name] = table;
                }

                current = table;
                continue;
            }

            var equals = IndexOutsideQuotes(line, '=');
            if (equals <= 0)
            {
                continue;
            }

            var key = NormalizeKey(line[..equals]);
            var value = line[(equals + 1)..].Trim();
            if (value.StartsWith("\"\"\"", StringComparison.Ordinal) || value.StartsWith("'''", StringComparison.Ordinal))
            {
                var delimiter = value[..3];
                var builder = new StringBuilder(value);
                while (value.IndexOf(delimiter, 3, StringComparison.Ordinal) < 0 && i + 1 < lines.Length)
                {
                    builder.Append('\n').Append(lines[++i]);
                    value = builder.ToString();
                }
            }
            else if (value.StartsWith('[') || value.StartsWith('{'))
            {
                var builder = new StringBuilder(value);
                while (!IsBalanced(value) && i + 1 < lines.Length)
                {
                    builder.Append('\n').Append(StripComment(lines[++i]));
                    value = builder.ToString();
                }
            }

            current[key] = value.Trim();
        }

        return document;
    }

    /// <summary>True when the table, or any table below it (e.g. "tool.poetry" for "tool.poetry.dependencies"), was declared.</summary>
    public bool HasTable(string name) =>
        _tables.Keys.Any(table => table == name || table.StartsWith(name + ".", StringComparison.Ordinal))
        || _arrayTables.Keys.Any(table => table == name || table.StartsWith(name + ".", StringComparison.Ordinal));

    /// <summary>The raw values of a table (empty when it is missing).</summary>
    public IReadOnlyDictionary<string, string> Table(string name) =>
        _tables.TryGetValue(name, out var table) ? table : new Dictionary<string, string>();

    /// <summary>The entries of an array of tables (<c>[[name]]</c>), in order.</summary>
    public IReadOnlyList<IReadOnlyDictionary<string, string>> ArrayTables(string name) =>
        _arrayTables.TryGetValue(name, out var list) ? list : [];

    public string? GetString(string table, string key) =>
        Table(table).TryGetValue(key, out var raw) ? AsString(raw) : null;

    public IReadOnlyList<string> GetStringArray(string table, string key) =>
        Table(table).TryGetValue(key, out var raw) ? AsStringArray(raw) : [];

    /// <summary>
    /// The names declared in a dependency-style table: its keys (first dotted segment) plus the names of
    /// sub-tables such as <c>[dependencies.axum]</c>.
    /// </summary>
    public IReadOnlyList<string> KeysOf(string table)
    {
        var names = new List<string>();
        foreach (var key in Table(table).Keys)
        {
            var dot = key.IndexOf('.', StringComparison.Ordinal);
            names.Add(dot < 0 ? key : key[..dot]);
        }

        var prefix = table + ".";
        foreach (var name in _tables.Keys.Where(name => name.StartsWith(prefix, StringComparison.Ordinal)))
        {
            var rest = name[prefix.Length..];
            var dot = rest.IndexOf('.', StringComparison.Ordinal);
            names.Add(dot < 0 ? rest : rest[..dot]);
        }

        return [.. names.Distinct(StringComparer.Ordinal)];
    }

    /// <summary>The value of a raw TOML string (basic, literal or multi-line), or null when it is not a string.</summary>
    public static string? AsString(string raw)
    {
        if (raw.StartsWith("\"\"\"", StringComparison.Ordinal) || raw.StartsWith("'''", StringComparison.Ordinal))
        {
            var end = raw.IndexOf(raw[..3], 3, StringComparison.Ordinal);
            return end < 0 ? raw[3..] : raw[3..end];
        }

        var match = StringLiteral().Match(raw);
        return match.Success && match.Index == 0 ? Unquote(match) : null;
    }

    /// <summary>Every string literal inside a raw TOML array (nested tables and non-strings are skipped).</summary>
    public static IReadOnlyList<string> AsStringArray(string raw) =>
        raw.StartsWith('[') ? [.. StringLiteral().Matches(raw).Select(Unquote)] : [];

    private static string Unquote(Match match) =>
        match.Groups[1].Success ? match.Groups[1].Value.Replace("\\\"", "\"", StringComparison.Ordinal).Replace("\\\\", "\\", StringComparison.Ordinal) : match.Groups[2].Value;

    private static string NormalizeKey(string key)
    {
        var segments = new List<string>();
        var segment = new StringBuilder();
        char? quote = null;
        foreach (var c in key)
        {
            if (quote is not null)
            {
                if (c == quote)
                {
                    quote = null;
                }
                else
                {
                    segment.Append(c);
                }
            }
            else if (c is '"' or '\'')
            {
                quote = c;
            }
            else if (c == '.')
            {
                segments.Add(segment.ToString().Trim());
                segment.Clear();
            }
            else
            {
                segment.Append(c);
            }
        }

        segments.Add(segment.ToString().Trim());
        return string.Join('.', segments);
    }

    private static string StripComment(string line)
    {
        var hash = IndexOutsideQuotes(line, '#');
        return hash < 0 ? line : line[..hash];
    }

    private static int IndexOutsideQuotes(string line, char target)
    {
        char? quote = null;
        for (var i = 0; i < line.Length; i++)
        {
            var c = line[i];
            if (quote is not null)
            {
                if (c == '\\' && quote == '"')
                {
                    i++;
                }
                else if (c == quote)
                {
                    quote = null;
                }
            }
            else if (c is '"' or '\'')
            {
                quote = c;
            }
            else if (c == target)
            {
                return i;
            }
        }

        return -1;
    }

    private static bool IsBalanced(string value)
    {
        var depth = 0;
        char? quote = null;
        for (var i = 0; i < value.Length; i++)
        {
            var c = value[i];
            if (quote is not null)
            {
                if (c == '\\' && quote == '"')
                {
                    i++;
                }
                else if (c == quote)
                {
                    quote = null;
                }
            }
            else if (c is '"' or '\'')
            {
                quote = c;
            }
            else if (c is '[' or '{')
            {
                depth++;
            }
            else if (c is ']' or '}')
            {
                depth--;
            }
        }

        return depth <= 0;
    }

    [GeneratedRegex("""
        "((?:[^"\\\n]|\\.)*)"|'([^'\n]*)'
        """)]
    private static partial Regex StringLiteral();
}

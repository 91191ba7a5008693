using System.Text;

namespace DeployMind.Infrastructure.Build.Linting;

/// <summary>Splits instruction arguments (not RUN scripts) into words and key/value pairs the way BuildKit does.</summary>
internal static class DockerArguments
{
    /// <summary>Whitespace-separated words; quotes group and are removed; the escape character escapes the next character.</summary>
    public static IReadOnlyList<string> SplitWords(string text, char escape = '\\')
    {
        ArgumentNullException.ThrowIfNull(text);
        var words = new List<string>();
        var word = new StringBuilder();
        var inWord = false;
        char? quote = null;
        for (var i = 0; i < text.Length; i++)
        {
            var c = text[i];
            if (c == escape && i + 1 < text.Length && quote != '\'')
            {
                word.Append(text[++i]);
                inWord = true;
            }
            else if (quote is not null)
            {
                if (c == quote)
                {
                    quote = null;
                }
                else
                {
                    word.Append(c);
                }
            }
            else if (c is '"' or '\'')
            {
                quote = c;
                inWord = true;
            }
            else if (char.IsWhiteSpace(c))
            {
                if (inWord)
                {
                    words.Add(word.ToString());
                    word.Clear();
                    inWord = false;
                }
            }
            else
            {
                word.Append(c);
                inWord = true;
            }
        }

        if (inWord)
        {
            words.Add(word.ToString());
        }

        return words;
    }

    /// <summary>The first word of <paramref name="text"/>, or null when it is blank.</summary>
    public static string? FirstWord(string text, char escape = '\\')
    {
        var words = SplitWords(text, escape);
        return words.Count > 0 ? words[0] : null;
    }

    /// <summary>
    /// The pairs of ENV/LABEL (<c>K=v K2="v 2"</c>, or the legacy <c>K value with spaces</c>) and ARG
    /// (<c>NAME</c> or <c>NAME=default</c>).
    /// </summary>
    public static IReadOnlyList<DockerKeyValue> ParseKeyValues(DockerInstruction instruction, char escape)
    {
        ArgumentNullException.ThrowIfNull(instruction);
        var words = SplitWords(instruction.Arguments, escape);
        if (words.Count == 0)
        {
            return [];
        }

        if (!instruction.Is("ARG") && !words[0].Contains('=', StringComparison.Ordinal))
        {
            // Legacy "ENV KEY value with spaces": one pair, the value is the rest of the line.
            var rest = instruction.Arguments.Trim()[words[0].Length..].Trim();
            return [new DockerKeyValue(words[0], string.Join(' ', SplitWords(rest, escape)))];
        }

        var pairs = new List<DockerKeyValue>();
        foreach (var word in words)
        {
            var equals = word.IndexOf('=', StringComparison.Ordinal);
            pairs.Add(equals < 0 ? new DockerKeyValue(word, null) : new DockerKeyValue(word[..equals], word[(equals + 1)..]));
        }

        return pairs;
    }

    /// <summary>COPY/ADD sources and destination: the JSON array when in exec form, otherwise the words.</summary>
    public static (IReadOnlyList<string> Sources, string? Destination) SourcesAndDestination(DockerInstruction instruction, char escape)
    {
        ArgumentNullException.ThrowIfNull(instruction);
        var words = instruction.IsExecForm ? instruction.ExecArguments : SplitWords(instruction.Arguments, escape);
        return words.Count switch
        {
            0 => ([], null),
            1 => ([], words[0]),
            _ => ([.. words.Take(words.Count - 1)], words[^1]),
        };
    }
}

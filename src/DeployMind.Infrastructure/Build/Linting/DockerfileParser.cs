using System.Text;
using System.Text.Json;
using System.Text.RegularExpressions;

namespace DeployMind.Infrastructure.Build.Linting;

/// <summary>
/// Parses Dockerfile text the way BuildKit reads it: parser directives at the very top, line continuations
/// with the escape character, comment and blank lines inside continuations skipped, heredocs for RUN/COPY/ADD
/// (their bodies are never read as instructions), flags, exec (JSON) form and build stages.
/// Never throws on bad input: problems come back as <see cref="ParsedDockerfile.Error"/>.
/// </summary>
internal static partial class DockerfileParser
{
    private static readonly HashSet<string> KnownDirectives = new(StringComparer.OrdinalIgnoreCase) { "syntax", "escape", "check" };

    private static readonly HashSet<string> KnownKeywords = new(StringComparer.Ordinal)
    {
        "FROM", "RUN", "CMD", "LABEL", "MAINTAINER", "EXPOSE", "ENV", "ADD", "COPY", "ENTRYPOINT",
        "VOLUME", "USER", "WORKDIR", "ARG", "ONBUILD", "STOPSIGNAL", "HEALTHCHECK", "SHELL",
    };

    private static readonly HashSet<string> KeywordsWithFlags = new(StringComparer.Ordinal) { "FROM", "RUN", "COPY", "ADD", "HEALTHCHECK" };

    private static readonly HashSet<string> KeywordsWithHeredocs = new(StringComparer.Ordinal) { "RUN", "COPY", "ADD" };

    public static ParsedDockerfile Parse(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        var lines = SplitLines(text);
        var escape = '\\';
        var directives = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);
        var instructions = new List<DockerInstruction>();
        var comments = new List<DockerComment>();
        var globalArgs = new List<DockerInstruction>();
        var stages = new List<DockerStage>();
        var stageInstructions = new List<DockerInstruction>();
        DockerInstruction? currentFrom = null;
        string? currentName = null;
        var currentImage = string.Empty;
        var lookingForDirectives = true;
        var i = 0;

        ParsedDockerfile Result(DockerfileParseError? error)
        {
            if (currentFrom is not null)
            {
                stages.Add(new DockerStage(stages.Count, currentName, currentImage, currentFrom, [.. stageInstructions]));
                currentFrom = null;
            }

            if (error is null && stages.Count == 0)
            {
                error = new DockerfileParseError(
                    instructions.Count > 0 ? instructions[0].Line : 1,
                    "The Dockerfile has no FROM instruction, so there is nothing to build.",
                    "Start the build with a base image, e.g. FROM debian:bookworm-slim (ARG lines may come before it).");
            }

            return new ParsedDockerfile(escape, directives, instructions, comments, globalArgs, stages, error);
        }

        while (i < lines.Count)
        {
            var trimmed = lines[i].Trim();

            if (lookingForDirectives)
            {
                var directive = DirectiveRegex().Match(trimmed);
                if (directive.Success && KnownDirectives.Contains(directive.Groups["name"].Value)
                    && !directives.ContainsKey(directive.Groups["name"].Value))
                {
                    var name = directive.Groups["name"].Value.ToLowerInvariant();
                    var value = directive.Groups["value"].Value;
                    if (name == "escape")
                    {
                        if (value is not ("\\" or "`"))
                        {
                            return Result(new DockerfileParseError(
                                i + 1,
                                $"The escape directive on line {i + 1} sets an invalid escape character; only \\ and ` are allowed.",
                                "Write '# escape=\\' (the default) or '# escape=`' (for Windows paths)."));
                        }

                        escape = value[0];
                    }

                    directives[name] = value;
                    i++;
                    continue;
                }

                lookingForDirectives = false;
            }

            if (trimmed.Length == 0)
            {
                i++;
                continue;
            }

            if (trimmed[0] == '#')
            {
                comments.Add(new DockerComment(i + 1, trimmed[1..].Trim()));
                i++;
                continue;
            }

            var startLine = i + 1;
            var logical = ReadLogicalLine(lines, ref i, escape);
            var keywordMatch = KeywordRegex().Match(logical);
            var keyword = keywordMatch.Groups["keyword"].Value.ToUpperInvariant();
            var rawArguments = logical[keywordMatch.Length..].Trim();

            if (!KnownKeywords.Contains(keyword))
            {
                return Result(new DockerfileParseError(
                    startLine,
                    $"Line {startLine} starts with '{Shorten(keywordMatch.Groups["keyword"].Value)}', which is not a Dockerfile instruction.",
                    "Start each instruction with a keyword such as FROM, RUN, COPY, ENV, USER or CMD; end a line with the escape character to continue it on the next line."));
            }

            var (flags, arguments) = KeywordsWithFlags.Contains(keyword) ? SplitFlags(rawArguments) : ([], rawArguments);
            var exec = TryParseExecForm(arguments);
            var heredocs = new List<DockerHeredoc>();

            if (KeywordsWithHeredocs.Contains(keyword) && exec is null)
            {
                foreach (Match marker in HeredocMarkerRegex().Matches(arguments))
                {
                    var delimiter = marker.Groups["dq"].Success ? marker.Groups["dq"].Value
                        : marker.Groups["sq"].Success ? marker.Groups["sq"].Value
                        : marker.Groups["plain"].Value;
                    var stripTabs = marker.Groups["dash"].Value == "-";
                    var body = ReadHeredocBody(lines, ref i, delimiter, stripTabs);
                    if (body is null)
                    {
                        return Result(new DockerfileParseError(
                            startLine,
                            $"The heredoc <<{delimiter} of the {keyword} on line {startLine} is never closed: no line consists of '{delimiter}' alone.",
                            $"End the heredoc with a line containing only {delimiter} (with <<-{delimiter}, leading tabs are allowed)."));
                    }

                    heredocs.Add(new DockerHeredoc(delimiter, stripTabs, !marker.Groups["plain"].Success, body.Value.Text, body.Value.FirstLine));
                }
            }

            var stageIndex = currentFrom is null && keyword != "FROM" ? -1 : stages.Count;
            var instruction = new DockerInstruction(
                keyword,
                rawArguments,
                arguments,
                flags,
                startLine,
                i,
                exec is not null,
                exec ?? [],
                heredocs,
                keyword == "FROM" ? stages.Count + (currentFrom is null ? 0 : 1) : stageIndex);
            instructions.Add(instruction);

            if (keyword == "FROM")
            {
                if (currentFrom is not null)
                {
                    stages.Add(new DockerStage(stages.Count, currentName, currentImage, currentFrom, [.. stageInstructions]));
                    stageInstructions.Clear();
                }

                var from = FromRegex().Match(arguments);
                if (!from.Success)
                {
                    return Result(new DockerfileParseError(
                        startLine,
                        $"The FROM on line {startLine} does not name a base image.",
                        "Write FROM <image>:<tag> [AS <name>], e.g. FROM node:22-bookworm-slim AS build."));
                }

                currentFrom = instruction;
                currentImage = from.Groups["image"].Value;
                currentName = from.Groups["name"].Success ? from.Groups["name"].Value : null;
            }
            else if (currentFrom is null)
            {
                if (keyword != "ARG")
                {
                    return Result(new DockerfileParseError(
                        startLine,
                        $"The {keyword} on line {startLine} comes before the first FROM; only ARG may appear there.",
                        $"Move the {keyword} below a FROM line (e.g. FROM debian:bookworm-slim)."));
                }

                globalArgs.Add(instruction);
            }
            else
            {
                stageInstructions.Add(instruction);
            }
        }

        return Result(null);
    }

    private static List<string> SplitLines(string text)
    {
        if (text.Length > 0 && text[0] == '\uFEFF')
        {
            text = text[1..];
        }

        return [.. text.Replace("\r\n", "\n", StringComparison.Ordinal).Replace('\r', '\n').Split('\n')];
    }

    /// <summary>Reads an instruction and its continuation lines; leaves <paramref name="index"/> on the next unread line.</summary>
    private static string ReadLogicalLine(List<string> lines, ref int index, char escape)
    {
        var builder = new StringBuilder();
        var line = lines[index].TrimStart();
        index++;
        if (!TryTrimContinuation(line, escape, out var content))
        {
            return line;
        }

        builder.Append(content);
        while (index < lines.Count)
        {
            var next = lines[index];
            index++;
            var trimmed = next.Trim();
            if (trimmed.Length == 0 || trimmed[0] == '#')
            {
                continue;
            }

            if (!TryTrimContinuation(next, escape, out content))
            {
                builder.Append(next);
                return builder.ToString();
            }

            builder.Append(content);
        }

        return builder.ToString();
    }

    private static bool TryTrimContinuation(string line, char escape, out string content)
    {
        var trimmed = line.TrimEnd(' ', '\t');
        if (trimmed.Length > 0 && trimmed[^1] == escape)
        {
            content = trimmed[..^1];
            return true;
        }

        content = line;
        return false;
    }

    private static (string Text, int FirstLine)? ReadHeredocBody(List<string> lines, ref int index, string delimiter, bool stripTabs)
    {
        var firstLine = index + 1;
        var body = new List<string>();
        while (index < lines.Count)
        {
            var line = stripTabs ? lines[index].TrimStart('\t') : lines[index];
            index++;
            if (line.TrimEnd() == delimiter)
            {
                return (string.Join('\n', body), firstLine);
            }

            body.Add(line);
        }

        return null;
    }

    private static (IReadOnlyList<DockerFlag> Flags, string Remainder) SplitFlags(string arguments)
    {
        var flags = new List<DockerFlag>();
        var position = 0;
        while (true)
        {
            while (position < arguments.Length && char.IsWhiteSpace(arguments[position]))
            {
                position++;
            }

            if (position + 2 > arguments.Length || arguments[position] != '-' || arguments[position + 1] != '-'
                || position + 2 == arguments.Length || char.IsWhiteSpace(arguments[position + 2]))
            {
                break;
            }

            var end = position;
            while (end < arguments.Length && !char.IsWhiteSpace(arguments[end]))
            {
                end++;
            }

            var word = arguments[(position + 2)..end];
            var equals = word.IndexOf('=', StringComparison.Ordinal);
            flags.Add(equals < 0
                ? new DockerFlag(word.ToLowerInvariant(), string.Empty)
                : new DockerFlag(word[..equals].ToLowerInvariant(), word[(equals + 1)..]));
            position = end;
        }

        return (flags, arguments[position..].Trim());
    }

    private static List<string>? TryParseExecForm(string arguments)
    {
        if (!arguments.StartsWith('['))
        {
            return null;
        }

        try
        {
            using var document = JsonDocument.Parse(arguments);
            if (document.RootElement.ValueKind != JsonValueKind.Array)
            {
                return null;
            }

            var items = new List<string>();
            foreach (var element in document.RootElement.EnumerateArray())
            {
                if (element.ValueKind != JsonValueKind.String)
                {
                    return null;
                }

                items.Add(element.GetString() ?? string.Empty);
            }

            return items;
        }
        catch (JsonException)
        {
            // Not valid JSON: Docker falls back to the shell form, and so do we.
            return null;
        }
    }

    private static string Shorten(string value) => value.Length <= 40 ? value : value[..40] + "...";

    [GeneratedRegex(@"^#\s*(?<name>[A-Za-z][A-Za-z0-9_-]*)\s*=\s*(?<value>.*?)\s*$")]
    private static partial Regex DirectiveRegex();

    [GeneratedRegex(@"^(?<keyword>\S+)\s*")]
    private static partial Regex KeywordRegex();

    [GeneratedRegex(@"(?<=^|\s)\d*<<(?<dash>-?)(?:""(?<dq>[^""\s]+)""|'(?<sq>[^'\s]+)'|(?<plain>[^\s<>""'|&;()]+))")]
    private static partial Regex HeredocMarkerRegex();

    [GeneratedRegex(@"^(?<image>\S+)(?:\s+[Aa][Ss]\s+(?<name>\S+))?\s*$")]
    private static partial Regex FromRegex();
}

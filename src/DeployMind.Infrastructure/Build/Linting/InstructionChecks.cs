using System.Globalization;
using System.Text.RegularExpressions;

namespace DeployMind.Infrastructure.Build.Linting;

/// <summary>Rules about single instructions: DM013 ADD, DM015 exec form, DM022 EXPOSE, DM023 WORKDIR, DM024 MAINTAINER.</summary>
internal static partial class InstructionChecks
{
    private static readonly string[] ArchiveExtensions =
        [".tar", ".tar.gz", ".tgz", ".tar.bz2", ".tbz2", ".tbz", ".tar.xz", ".txz", ".tar.zst", ".tzst", ".gz", ".bz2", ".xz", ".zst"];

    public static void Check(LintSession session)
    {
        foreach (var stage in session.Dockerfile.Stages)
        {
            foreach (var instruction in stage.Instructions)
            {
                switch (instruction.Keyword)
                {
                    case "ADD":
                        CheckAdd(session, instruction);
                        break;
                    case "CMD" or "ENTRYPOINT":
                        CheckExecForm(session, instruction);
                        break;
                    case "EXPOSE":
                        CheckExpose(session, instruction);
                        break;
                    case "WORKDIR":
                        CheckWorkdir(session, stage, instruction);
                        break;
                    case "MAINTAINER":
                        CheckMaintainer(session, instruction);
                        break;
                    default:
                        break;
                }
            }
        }
    }

    private static void CheckAdd(LintSession session, DockerInstruction add)
    {
        var (sources, _) = DockerArguments.SourcesAndDestination(add, session.Escape);
        var local = sources.Where(s => !s.StartsWith("<<", StringComparison.Ordinal) && !IsRemote(s) && !IsArchive(s)).ToList();
        if (local.Count == 0)
        {
            return;
        }

        session.Report(
            LintRuleCatalog.AddInsteadOfCopy,
            add.Line,
            $"ADD on line {add.Line} copies local {string.Join(' ', local)}; ADD's URL download and archive unpacking are not needed for that.",
            $"Write COPY {add.RawArguments}");
    }

    private static void CheckExecForm(LintSession session, DockerInstruction instruction)
    {
        if (instruction.IsExecForm || instruction.Arguments.Length == 0)
        {
            return;
        }

        var text = instruction.Arguments;
        var needsShell = ShellSyntaxRegex().IsMatch(text);
        var suggestion = needsShell
            ? $"{instruction.Keyword} {JsonArray(["sh", "-c", "exec " + text])} (exec makes the process PID 1), or move the logic into an entrypoint script ending in exec \"$@\""
            : $"{instruction.Keyword} {JsonArray(DockerArguments.SplitWords(text, session.Escape))}";
        session.Report(
            LintRuleCatalog.ShellFormCommand,
            instruction.Line,
            $"{instruction.Keyword} on line {instruction.Line} is in shell form, so it runs under /bin/sh -c and the process does not receive SIGTERM on docker stop.",
            $"Use the exec form: {suggestion}.");
    }

    private static void CheckExpose(LintSession session, DockerInstruction expose)
    {
        var invalid = DockerArguments.SplitWords(expose.Arguments, session.Escape).Where(p => !IsValidPort(p)).ToList();
        if (invalid.Count == 0)
        {
            return;
        }

        session.Report(
            LintRuleCatalog.ExposeInvalidPort,
            expose.Line,
            $"EXPOSE on line {expose.Line} lists {string.Join(", ", invalid)}, which is not a valid port (1-65535).",
            "Write EXPOSE with ports from 1 to 65535, optionally /tcp or /udp, or a range such as EXPOSE 8000-8010; e.g. EXPOSE 8080.");
    }

    private static void CheckWorkdir(LintSession session, DockerStage stage, DockerInstruction workdir)
    {
        var raw = workdir.Arguments.Trim().Trim('"', '\'');
        var path = DockerArguments.FirstWord(workdir.Arguments, session.Escape) ?? string.Empty;
        if (path.Length == 0 || path.StartsWith('/') || path.StartsWith('$') || raw.StartsWith('\\') || WindowsPathRegex().IsMatch(raw))
        {
            return;
        }

        var previous = session.InstructionsBefore(stage, workdir).LastOrDefault(i => i.Is("WORKDIR"));
        var previousPath = previous is null ? null : DockerArguments.FirstWord(previous.Arguments, session.Escape);
        var baseDirectory = previousPath is not null && previousPath.StartsWith('/') ? previousPath.TrimEnd('/') : string.Empty;
        session.Report(
            LintRuleCatalog.RelativeWorkdir,
            workdir.Line,
            $"WORKDIR {path} on line {workdir.Line} is relative, so where it points depends on the WORKDIRs before it.",
            $"Write the absolute path: WORKDIR {baseDirectory}/{path.TrimStart('.', '/')}.");
    }

    private static void CheckMaintainer(LintSession session, DockerInstruction maintainer)
    {
        var value = maintainer.Arguments.Trim().Trim('"').Replace("\"", "\\\"", StringComparison.Ordinal);
        session.Report(
            LintRuleCatalog.MaintainerDeprecated,
            maintainer.Line,
            $"MAINTAINER on line {maintainer.Line} is deprecated.",
            $"Replace it with LABEL maintainer=\"{value}\" (or LABEL org.opencontainers.image.authors=\"{value}\").");
    }

    private static bool IsValidPort(string port)
    {
        if (port.Contains('$', StringComparison.Ordinal))
        {
            return true;
        }

        var slash = port.IndexOf('/', StringComparison.Ordinal);
        if (slash >= 0)
        {
            var protocol = port[(slash + 1)..].ToLowerInvariant();
            if (protocol is not ("tcp" or "udp" or "sctp"))
            {
                return false;
            }

            port = port[..slash];
        }

        var parts = port.Split('-');
        if (parts.Length > 2)
        {
            return false;
        }

        var numbers = new List<int>(2);
        foreach (var part in parts)
        {
            if (!int.TryParse(part, NumberStyles.None, CultureInfo.InvariantCulture, out var number) || number is < 1 or > 65535)
            {
                return false;
            }

            numbers.Add(number);
        }

        return numbers.Count == 1 || numbers[0] <= numbers[1];
    }

    private static bool IsRemote(string source) =>
        source.Contains("://", StringComparison.Ordinal) || source.StartsWith("git@", StringComparison.Ordinal);

    private static bool IsArchive(string source) =>
        ArchiveExtensions.Any(e => source.EndsWith(e, StringComparison.OrdinalIgnoreCase));

    private static string JsonArray(IEnumerable<string> items) =>
        "[" + string.Join(", ", items.Select(i => "\"" + i.Replace("\\", "\\\\", StringComparison.Ordinal).Replace("\"", "\\\"", StringComparison.Ordinal) + "\"")) + "]";

    [GeneratedRegex(@"[$|&;<>(){}`*?]")]
    private static partial Regex ShellSyntaxRegex();

    [GeneratedRegex(@"^[A-Za-z]:[\\/]")]
    private static partial Regex WindowsPathRegex();
}

using System.Text.RegularExpressions;
using DeployMind.Application.Build;
using DeployMind.Domain.Build;

namespace DeployMind.Infrastructure.Build.Linting;

/// <summary>One lint run: the parsed file, its context, the findings so far and shared helpers for the checks.</summary>
internal sealed partial class LintSession
{
    private static readonly HashSet<string> PosixShells = new(StringComparer.Ordinal) { "sh", "bash", "ash", "dash", "zsh", "ksh" };

    private readonly List<LintFinding> _findings = [];
    private readonly Dictionary<DockerInstruction, IReadOnlyList<ShellCommand>> _commands = new(ReferenceEqualityComparer.Instance);
    private readonly HashSet<DockerStage> _shipped;

    public LintSession(ParsedDockerfile dockerfile, LintContext? context)
    {
        ArgumentNullException.ThrowIfNull(dockerfile);
        Dockerfile = dockerfile;
        Context = context;
        _shipped = new HashSet<DockerStage>(dockerfile.ShippedStages, ReferenceEqualityComparer.Instance);
    }

    public ParsedDockerfile Dockerfile { get; }

    public LintContext? Context { get; }

    public IReadOnlyList<LintFinding> Findings => _findings;

    public char Escape => Dockerfile.EscapeCharacter;

    public void Report(LintRuleDescriptor rule, int line, string message, string fix) =>
        _findings.Add(new LintFinding(rule.Id, rule.Severity, rule.Category, line, message, fix));

    /// <summary>
    /// Expands <c>$NAME</c>, <c>${NAME}</c> and <c>${NAME:-default}</c> with the defaults of the ARGs before the first FROM.
    /// Null when a variable has no known value (an ARG without default is set by --build-arg, so it cannot be judged).
    /// </summary>
    public string? ExpandGlobalArgs(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        var defaults = new Dictionary<string, string?>(StringComparer.Ordinal);
        foreach (var arg in Dockerfile.GlobalArgs)
        {
            foreach (var pair in DockerArguments.ParseKeyValues(arg, Escape))
            {
                defaults[pair.Key] = string.IsNullOrEmpty(pair.Value) ? null : pair.Value;
            }
        }

        var unknown = false;
        var expanded = VariableRegex().Replace(text, match =>
        {
            var name = match.Groups["braced"].Success ? match.Groups["braced"].Value : match.Groups["plain"].Value;
            var value = defaults.GetValueOrDefault(name);
            if (value is null && match.Groups["fallback"].Success && match.Groups["fallback"].Value.Length > 0)
            {
                value = match.Groups["fallback"].Value;
            }

            unknown |= value is null;
            return value ?? string.Empty;
        });
        return unknown || expanded.Contains('$', StringComparison.Ordinal) ? null : expanded;
    }

    /// <summary>The stage's file system ends up in the shipped image (final stage or a stage it is built FROM).</summary>
    public bool IsShipped(DockerStage stage) => _shipped.Contains(stage);

    /// <summary>Every RUN of every stage with its stage.</summary>
    public IEnumerable<(DockerStage Stage, DockerInstruction Run)> Runs() =>
        Dockerfile.Stages.SelectMany(s => s.Instructions.Where(i => i.Is("RUN")).Select(i => (s, i)));

    /// <summary>Instructions that take effect before <paramref name="instruction"/>: the stage's lineage up to it.</summary>
    public IEnumerable<DockerInstruction> InstructionsBefore(DockerStage stage, DockerInstruction instruction) =>
        Dockerfile.Lineage(stage).SelectMany(s => s.Instructions).TakeWhile(i => !ReferenceEquals(i, instruction));

    /// <summary>The simple commands a RUN executes (its shell text, a shell heredoc body, or its exec array).</summary>
    public IReadOnlyList<ShellCommand> Commands(DockerInstruction run)
    {
        ArgumentNullException.ThrowIfNull(run);
        if (!_commands.TryGetValue(run, out var commands))
        {
            commands = BuildCommands(run);
            _commands[run] = commands;
        }

        return commands;
    }

    /// <summary>True when the RUN is executed by a POSIX shell (shell form, shell heredoc or sh -c exec form).</summary>
    public static bool RunsInShell(DockerInstruction run)
    {
        ArgumentNullException.ThrowIfNull(run);
        return !run.IsExecForm || ShellCArgument(run.ExecArguments) is not null;
    }

    /// <summary>A <c>--mount=type=cache</c> of the RUN targets a path starting with <paramref name="pathPrefix"/>.</summary>
    public static bool HasCacheMount(DockerInstruction run, string pathPrefix)
    {
        ArgumentNullException.ThrowIfNull(run);
        foreach (var mount in run.GetFlags("mount"))
        {
            string? type = null;
            string? target = null;
            foreach (var part in mount.Split(',', StringSplitOptions.TrimEntries))
            {
                var pair = part.Split('=', 2);
                if (pair.Length != 2)
                {
                    continue;
                }

                switch (pair[0].ToLowerInvariant())
                {
                    case "type":
                        type = pair[1];
                        break;
                    case "target" or "dst" or "destination":
                        target = pair[1];
                        break;
                    default:
                        break;
                }
            }

            if (type == "cache" && target is not null
                && (target.StartsWith(pathPrefix, StringComparison.Ordinal) || pathPrefix.StartsWith(target.TrimEnd('/') + "/", StringComparison.Ordinal)))
            {
                return true;
            }
        }

        return false;
    }

    private static List<ShellCommand> BuildCommands(DockerInstruction run)
    {
        if (run.IsExecForm)
        {
            var script = ShellCArgument(run.ExecArguments);
            return script is null ? [new ShellCommand(run.ExecArguments, string.Empty, false)] : [.. ShellScript.Split(script)];
        }

        var commands = new List<ShellCommand>();
        var arguments = run.Arguments;
        var startsWithHeredoc = arguments.StartsWith("<<", StringComparison.Ordinal);
        if (!startsWithHeredoc)
        {
            commands.AddRange(ShellScript.Split(arguments));
        }

        // "RUN <<EOF" and "RUN bash -e <<EOF" run the heredoc body as the script.
        var feedsShell = startsWithHeredoc || (commands.Count > 0 && PosixShells.Contains(commands[0].Program)
            && commands[0].Arguments.Any(a => a.StartsWith("<<", StringComparison.Ordinal)) && !commands[0].Arguments.Contains("-c"));
        if (feedsShell && run.Heredocs.Count > 0 && IsShellScript(run.Heredocs[0].Body))
        {
            commands.AddRange(ShellScript.Split(run.Heredocs[0].Body));
        }

        return commands;
    }

    private static bool IsShellScript(string body)
    {
        if (!body.StartsWith("#!", StringComparison.Ordinal))
        {
            return true;
        }

        var shebang = body.Split('\n', 2)[0];
        return PosixShells.Any(shell => shebang.EndsWith("/" + shell, StringComparison.Ordinal)
            || shebang.Contains("/" + shell + " ", StringComparison.Ordinal)
            || shebang.Contains("env " + shell, StringComparison.Ordinal));
    }

    private static string? ShellCArgument(IReadOnlyList<string> exec)
    {
        if (exec.Count < 3)
        {
            return null;
        }

        var program = exec[0][(exec[0].LastIndexOf('/') + 1)..];
        if (!PosixShells.Contains(program))
        {
            return null;
        }

        for (var i = 1; i < exec.Count - 1; i++)
        {
            if (exec[i].StartsWith('-') && exec[i].EndsWith('c'))
            {
                return exec[i + 1];
            }
        }

        return null;
    }

    [GeneratedRegex(@"\$(?:\{(?<braced>[A-Za-z_][A-Za-z0-9_]*)(?::?-(?<fallback>[^}]*))?\}|(?<plain>[A-Za-z_][A-Za-z0-9_]*))")]
    private static partial Regex VariableRegex();
}

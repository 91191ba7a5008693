using System.Text;
using DeployMind.Domain.Deploy;
using DeployMind.Domain.Findings;

namespace DeployMind.Cli;

/// <summary>
/// Shell completion scripts for bash, zsh and fish, generated from <see cref="CliCatalog"/>: the commands and groups, each
/// command's options, the values an option takes when they are a fixed set (strategies, formats, severities, states), and
/// folders or files where a path goes. The scripts are static (no <c>deploymind</c> process runs on each Tab).
/// </summary>
internal static class ShellCompletion
{
    /// <summary>The shells a script is made for.</summary>
    public static IReadOnlyList<string> Shells { get; } = ["bash", "zsh", "fish"];

    /// <summary>The script for <paramref name="shell"/>.</summary>
    /// <exception cref="ArgumentException">Not one of <see cref="Shells"/>.</exception>
    public static string Script(string shell) => shell switch
    {
        "bash" => Bash(),
        "zsh" => Zsh(),
        "fish" => Fish(),
        _ => throw new ArgumentException($"No completion for the shell '{shell}': use bash, zsh or fish.", nameof(shell)),
    };

    /// <summary>The fixed set of values an option takes, by its value name (<c>&lt;STRATEGY&gt;</c>), or by its enum type; else null.</summary>
    internal static IReadOnlyList<string>? ValuesOf(CliOption option)
    {
        var type = Nullable.GetUnderlyingType(option.PropertyType) ?? option.PropertyType;
        if (type.IsEnum)
        {
            return [.. Enum.GetNames(type).Select(n => n.ToLowerInvariant())];
        }

        return option.ValueName switch
        {
            "STRATEGY" => [.. Enum.GetValues<StrategyKind>().Select(s => s.Name())],
            "SEVERITY" => [.. Enum.GetNames<Severity>().Select(n => n.ToLowerInvariant()), "none"],
            "STATE" => [.. Enum.GetValues<DeploymentState>().Select(s => s.Name())],
            "STAGE" => ["pipeline", "build", "deploy"],
            "FORMAT" => ["table", "json", "sarif"],
            "SHELL" => Shells,
            _ => null,
        };
    }

    private static bool TakesFile(string? valueName) => valueName is "FILE" or "DOCKERFILE";

    private static bool TakesFolder(string? valueName) => valueName is "PATH" or "ID|PATH";

    private static string Bash()
    {
        var script = new StringBuilder();
        script.AppendLine("# deploymind completion for bash. Load it in this shell with:  source <(deploymind completion bash)")
            .AppendLine("# or for every shell:  deploymind completion bash > /etc/bash_completion.d/deploymind")
            .AppendLine("_deploymind() {")
            .AppendLine("  local cur=\"${COMP_WORDS[COMP_CWORD]}\" prev=\"${COMP_WORDS[COMP_CWORD-1]}\" path=\"\" word i")
            .AppendLine("  for ((i = 1; i < COMP_CWORD; i++)); do")
            .AppendLine("    word=\"${COMP_WORDS[i]}\"")
            .AppendLine("    case \"${path:+$path }$word\" in")
            .AppendLine($"      {string.Join("|", CliCatalog.Commands.Select(c => Quote(c.Name)).Concat(CliCatalog.Groups.Select(g => g.Name)))}) path=\"${{path:+$path }}$word\" ;;")
            .AppendLine("    esac")
            .AppendLine("  done")
            .AppendLine("  case \"$path:$prev\" in");
        foreach (var command in CliCatalog.Commands)
        {
            foreach (var option in command.Options.Where(o => o.TakesValue))
            {
                var patterns = string.Join("|", option.Spellings.Select(s => Quote($"{command.Name}:{s}")));
                if (ValuesOf(option) is { } values)
                {
                    script.AppendLine($"    {patterns}) COMPREPLY=($(compgen -W \"{string.Join(' ', values)}\" -- \"$cur\")); return ;;");
                }
                else if (TakesFile(option.ValueName))
                {
                    script.AppendLine($"    {patterns}) COMPREPLY=($(compgen -f -- \"$cur\")); return ;;");
                }
                else
                {
                    // A value nothing can guess (a port, a tag): offer nothing rather than the options.
                    script.AppendLine($"    {patterns}) COMPREPLY=(); return ;;");
                }
            }
        }

        script.AppendLine("  esac")
            .AppendLine("  case \"$path\" in")
            .AppendLine($"    \"\") COMPREPLY=($(compgen -W \"{string.Join(' ', CliCatalog.FirstWords)} --help --version\" -- \"$cur\")) ;;");
        foreach (var group in CliCatalog.Groups)
        {
            var subcommands = CliCatalog.Commands.Where(c => c.Words[0] == group.Name).Select(c => c.Words[1]);
            script.AppendLine($"    {group.Name}) COMPREPLY=($(compgen -W \"{string.Join(' ', subcommands)} --help\" -- \"$cur\")) ;;");
        }

        foreach (var command in CliCatalog.Commands)
        {
            var options = string.Join(' ', command.Options.SelectMany(o => o.Spellings).Where(s => s.StartsWith("--", StringComparison.Ordinal)).Append("--help"));
            var argument = command.Arguments.Count > 0 ? command.Arguments[0] : null;
            var positional = argument == "SHELL"
                ? $"COMPREPLY=($(compgen -W \"{string.Join(' ', Shells)}\" -- \"$cur\"))"
                : TakesFolder(argument) ? "COMPREPLY=($(compgen -d -- \"$cur\"))" : TakesFile(argument) ? "COMPREPLY=($(compgen -f -- \"$cur\"))" : "COMPREPLY=()";
            script.AppendLine($"    {Quote(command.Name)}) if [[ \"$cur\" == -* ]]; then COMPREPLY=($(compgen -W \"{options}\" -- \"$cur\")); else {positional}; fi ;;");
        }

        return script.AppendLine("  esac")
            .AppendLine("}")
            .AppendLine("complete -o filenames -F _deploymind deploymind")
            .ToString();
    }

    // zsh runs the bash function through its bash completion layer, so both shells complete the same way.
    private static string Zsh() =>
        "#compdef deploymind\n"
        + "# deploymind completion for zsh. Load it with:  source <(deploymind completion zsh)\n"
        + "# or save it as _deploymind in a folder of your $fpath.\n"
        + "autoload -U +X compinit && compinit\n"
        + "autoload -U +X bashcompinit && bashcompinit\n"
        + string.Join('\n', Bash().Split('\n').Where(line => !line.StartsWith('#')));

    private static string Fish()
    {
        var script = new StringBuilder();
        var first = string.Join(' ', CliCatalog.FirstWords);
        script.AppendLine("# deploymind completion for fish. Load it with:  deploymind completion fish | source")
            .AppendLine("# or for every session:  deploymind completion fish > ~/.config/fish/completions/deploymind.fish")
            .AppendLine("complete -c deploymind -f")
            .AppendLine($"complete -c deploymind -n 'not __fish_seen_subcommand_from {first}' -l version -d 'Print the version'");
        foreach (var command in CliCatalog.Commands.Where(c => c.Words.Count == 1))
        {
            script.AppendLine($"complete -c deploymind -n 'not __fish_seen_subcommand_from {first}' -a {command.Name} -d {FishQuote(command.Description)}");
        }

        foreach (var group in CliCatalog.Groups)
        {
            script.AppendLine($"complete -c deploymind -n 'not __fish_seen_subcommand_from {first}' -a {group.Name} -d {FishQuote(group.Description)}");
            var subcommands = CliCatalog.Commands.Where(c => c.Words[0] == group.Name).ToList();
            var words = string.Join(' ', subcommands.Select(c => c.Words[1]));
            foreach (var sub in subcommands)
            {
                script.AppendLine($"complete -c deploymind -n '__fish_seen_subcommand_from {group.Name}; and not __fish_seen_subcommand_from {words}' -a {sub.Words[1]} -d {FishQuote(sub.Description)}");
            }
        }

        foreach (var command in CliCatalog.Commands)
        {
            var condition = command.Words.Count == 1
                ? $"__fish_seen_subcommand_from {command.Name}"
                : $"__fish_seen_subcommand_from {command.Words[0]}; and __fish_seen_subcommand_from {command.Words[1]}";
            foreach (var option in command.Options)
            {
                var line = new StringBuilder($"complete -c deploymind -n '{condition}'");
                foreach (var name in option.LongNames)
                {
                    line.Append($" -l {name}");
                }

                foreach (var name in option.ShortNames)
                {
                    line.Append($" -s {name}");
                }

                if (option.TakesValue)
                {
                    line.Append(ValuesOf(option) is { } values ? $" -x -a {FishQuote(string.Join(' ', values))}" : TakesFile(option.ValueName) ? " -r -F" : " -x");
                }

                script.AppendLine(line.Append($" -d {FishQuote(option.Description)}").ToString());
            }

            var argument = command.Arguments.Count > 0 ? command.Arguments[0] : null;
            if (argument == "SHELL")
            {
                script.AppendLine($"complete -c deploymind -n '{condition}' -x -a {FishQuote(string.Join(' ', Shells))}");
            }
            else if (TakesFolder(argument))
            {
                script.AppendLine($"complete -c deploymind -n '{condition}' -x -a '(__fish_complete_directories)'");
            }
            else if (TakesFile(argument))
            {
                script.AppendLine($"complete -c deploymind -n '{condition}' -F");
            }
        }

        return script.ToString();
    }

    // "lock status" as a bash case pattern.
    private static string Quote(string words) => words.Contains(' ', StringComparison.Ordinal) ? $"\"{words}\"" : words;

    private static string FishQuote(string text) => "'" + text.Replace("\\", "\\\\", StringComparison.Ordinal).Replace("'", "\\'", StringComparison.Ordinal) + "'";
}

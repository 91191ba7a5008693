using DeployMind.Domain;

namespace DeployMind.Cli;

/// <summary>
/// What a user typed, checked against <see cref="CliCatalog"/> before anything runs: an unknown command, subcommand or
/// option is refused with the closest known one ("did you mean --strategy?") instead of being ignored, and the habits
/// users bring from other tools (<c>help deploy</c>, a group without its subcommand) are turned into the help they ask for.
/// </summary>
internal static class CliInput
{
    private static readonly string[] HelpOptions = ["-h", "--help", "-?"];
    private static readonly string[] RootOptions = [.. HelpOptions, "--version"];

    /// <summary>
    /// <c>help</c> → <c>--help</c>; <c>help deploy</c> → <c>deploy --help</c>; <c>lock</c> (a group alone) → <c>lock --help</c>.
    /// Anything else is returned as it is.
    /// </summary>
    public static string[] Normalize(string[] args)
    {
        ArgumentNullException.ThrowIfNull(args);
        if (args.Length > 0 && args[0] == "help")
        {
            return [.. args[1..], "--help"];
        }

        return args.Length == 1 && CliCatalog.Group(args[0]) is not null ? [args[0], "--help"] : args;
    }

    /// <summary>Why <paramref name="args"/> cannot be run, in one sentence that says what to type instead; null when they can.</summary>
    public static string? Problem(string[] args)
    {
        ArgumentNullException.ThrowIfNull(args);
        if (args.Length == 0)
        {
            return null;
        }

        var first = args[0];
        if (first.StartsWith('-'))
        {
            return RootOptions.Contains(first, StringComparer.Ordinal)
                ? null
                : $"unknown option {first}{Hint(first, RootOptions)} Put a command first (`deploymind --help` lists them).";
        }

        CliCommand? command;
        var next = 1;
        if (CliCatalog.Group(first) is { } group)
        {
            var subcommands = CliCatalog.Commands.Where(c => c.Words[0] == group.Name).Select(c => c.Words[1]).ToList();
            if (args.Length < 2 || HelpOptions.Contains(args[1], StringComparer.Ordinal))
            {
                return null;
            }

            if (!subcommands.Contains(args[1], StringComparer.Ordinal))
            {
                return $"`deploymind {group.Name}` has no subcommand '{args[1]}'{Hint(args[1], subcommands)} Its subcommands: {string.Join(", ", subcommands)} (`deploymind {group.Name} --help`).";
            }

            command = CliCatalog.Find($"{group.Name} {args[1]}")!;
            next = 2;
        }
        else
        {
            command = CliCatalog.Find(first);
            if (command is null)
            {
                return $"unknown command '{first}'{Hint(first, CliCatalog.FirstWords)} `deploymind --help` lists the commands.";
            }
        }

        return ProblemWithOptions(command, args, next);
    }

    private static string? ProblemWithOptions(CliCommand command, string[] args, int start)
    {
        var positional = 0;
        for (var i = start; i < args.Length; i++)
        {
            var token = args[i];
            if (token == "--")
            {
                break;
            }

            if (!IsOption(token))
            {
                positional++;
                if (positional > command.Arguments.Count)
                {
                    var takes = command.Arguments.Count == 0 ? "takes no arguments" : $"takes {string.Join(" ", command.Arguments.Select(a => a.ToUpperInvariant()))}";
                    return $"unexpected argument '{token}': `deploymind {command.Name}` {takes}. If it is an option's value, check the option's spelling (`deploymind {command.Name} --help`).";
                }

                continue;
            }

            var equals = token.IndexOf('=', StringComparison.Ordinal);
            var name = equals > 0 ? token[..equals] : token;
            if (HelpOptions.Contains(name, StringComparer.Ordinal))
            {
                continue;
            }

            var option = command.Options.FirstOrDefault(o => o.Spellings.Contains(name, StringComparer.Ordinal));
            if (option is null && IsShortFlagGroup(command, name))
            {
                continue;
            }

            if (option is null)
            {
                return $"unknown option {name} for `deploymind {command.Name}`{Hint(name, command.Options.SelectMany(o => o.Spellings))} `deploymind {command.Name} --help` lists its options.";
            }

            if (option.TakesValue && equals < 0)
            {
                if (i + 1 >= args.Length)
                {
                    return $"{name} needs a value ({name} {option.ValueName}): see `deploymind {command.Name} --help`.";
                }

                i++;
            }
        }

        return null;
    }

    // An option is a dash followed by something that is not a number (a negative number is a value).
    private static bool IsOption(string token) =>
        token.Length > 1 && token[0] == '-' && !(char.IsAsciiDigit(token[1]) || (token[1] == '.' && token.Length > 2));

    // -vf: several one-letter flags at once.
    private static bool IsShortFlagGroup(CliCommand command, string name) =>
        name.Length > 2 && name[0] == '-' && name[1] != '-'
        && name[1..].All(c => command.Options.Any(o => !o.TakesValue && o.ShortNames.Contains(c.ToString(), StringComparer.Ordinal)));

    /// <summary>"; did you mean --strategy?" — a known word the typed one starts (a unique prefix), else the closest typo; or "." when none is close.</summary>
    private static string Hint(string typed, IEnumerable<string> known)
    {
        var candidates = known.Distinct(StringComparer.Ordinal).ToList();
        var prefixed = candidates.Where(k => typed.Length >= 3 && k.StartsWith(typed, StringComparison.OrdinalIgnoreCase)).ToList();
        var suggestion = prefixed.Count == 1 ? prefixed[0] : Suggestions.Closest(typed, candidates);
        return suggestion is null ? "." : $"; did you mean {suggestion}?";
    }
}
